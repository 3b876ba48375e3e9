/**
 * The daily cap and active hours on an injected clock: the job service's clock decides (the store,
 * the driver and the simulator keep real time, so leases and Discord behave as usual). A job outside
 * the hours or over the cap stays QUEUED with its position (each check follows a submit, which waits
 * for a dispatch pass), and starts once the clock reaches the window or the next day.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDiscordDriver } from '../../src/discord/index.js';
import { startJobService } from '../../src/executor/service/start-job-service.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { resultCopier } from '../../src/executor/run/results.js';
import { isTerminal, type Job } from '../../src/jobs/model.js';
import type { JobService } from '../../src/jobs/job-service.js';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { stageImage, tempBlobStore } from '../helpers/blobs.js';
import { makePng } from '../helpers/images.js';

const logger = pino({ level: 'silent' });
let simulator: DiscordSimulator;
beforeAll(async () => {
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
});
afterAll(() => simulator.close());

async function untilTerminal(service: JobService, id: string): Promise<Job> {
  let last: Job | null = null;
  for await (const job of service.watch(id, AbortSignal.timeout(10_000))) last = job;
  if (!last || !isTerminal(last.status)) throw new Error(`job ${id} did not end (last: ${last?.status})`);
  return last;
}

it('holds jobs outside the active hours and over the daily cap, in the account’s time zone, until the clock reaches them', async () => {
  // 07:59 in Paris (UTC+1 in December): the window 08:00-08:30 opens in a minute.
  let now = Date.parse('2026-12-01T06:59:00.000Z');
  const blobs = await tempBlobStore();
  const png = await makePng(16, 16);
  const a = simulator.createAccount({ credits: 1000 });
  const coordinator = createMemoryCoordinator();
  await coordinator.upsertAccount(
    { channel: a.channelId, server: a.guildId, discord: a.token, dailyCommands: 2, activeHours: '08:00-08:30', timezone: 'Europe/Paris' },
    { managed: 'CONFIG' },
  );
  const { config } = loadConfig({ ACCOUNT_MIN_GAP_MS: '0', ACCOUNT_JITTER_MS: '0', LEASE_TTL_MS: '2000', CREDITS_PER_DAY: '1000' });
  const driver = createDiscordDriver({ apiUrl: simulator.apiUrl, logger, timeoutMs: 5000 });
  const service = await startJobService({
    config,
    coordinator,
    driver,
    blobs,
    copyResult: resultCopier(blobs),
    logger,
    now: () => now,
  });
  const submit = async () =>
    service.submit({
      owner: 'o',
      requestedChannel: null,
      options: null,
      source: await stageImage(blobs, png, 's.png'),
      target: await stageImage(blobs, png, 't.png'),
      replyUrl: null,
      replyRef: null,
      mode: 'QUEUE',
    });
  try {
    const first = await submit();
    expect(first).toMatchObject({ status: 'QUEUED', queuePosition: 1 });
    expect(await service.estimatedStart(first)).toBe('2026-12-01T07:00:00.000Z');

    now = Date.parse('2026-12-01T07:00:01.000Z'); // 08:00:01 in Paris: open
    expect(await untilTerminal(service, first.id)).toMatchObject({ status: 'COMPLETED' });
    expect(await untilTerminal(service, (await submit()).id)).toMatchObject({ status: 'COMPLETED' });

    const third = await submit(); // the cap (2 a day) is reached
    expect(third).toMatchObject({ status: 'QUEUED', queuePosition: 1 });
    // Estimated at the next day's opening: 08:00 in Paris (the estimate's channel state is read at most once a second).
    now += 1500;
    expect(await service.estimatedStart((await service.get(third.id))!)).toBe('2026-12-02T07:00:00.000Z');
    now = Date.parse('2026-12-01T23:30:00.000Z'); // 00:30 the next day in Paris: a new day, but closed
    const fourth = await submit();
    expect(fourth).toMatchObject({ status: 'QUEUED', queuePosition: 2 });
    expect((await service.get(third.id))!.status).toBe('QUEUED');

    now = Date.parse('2026-12-02T07:10:00.000Z'); // 08:10 in Paris: open, and the count starts again
    expect(await untilTerminal(service, third.id)).toMatchObject({ status: 'COMPLETED' });
    expect(await untilTerminal(service, fourth.id)).toMatchObject({ status: 'COMPLETED' });
    expect(simulator.interactionsLog(a.channelId)).toHaveLength(4);
  } finally {
    await service.close(1000);
    await driver.close();
  }
});
