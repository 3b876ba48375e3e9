/**
 * The job service on both coordinators (in-process and real Redis), driving the real driver against
 * the simulator: mutual exclusion, FIFO order, fail-fast, cancel, watch, retention, fencing.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDiscordDriver } from '../../src/discord/index.js';
import type { Coordinator } from '../../src/executor/store/port.js';
import { startJobService } from '../../src/executor/service/start-job-service.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { createRedisCoordinator } from '../../src/executor/store/redis/coordinator.js';
import { singleRedis } from '../../src/redis/settings.js';
import { executorKeys } from '../../src/executor/store/keys.js';
import { isTerminal, type Job } from '../../src/jobs/model.js';
import type { JobService, SubmitInput } from '../../src/jobs/job-service.js';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { stageImage, tempBlobStore } from '../helpers/blobs.js';
import type { FsBlobStore } from '../../src/storage/fs-store.js';
import { resultCopier } from '../../src/executor/run/results.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });
let png: Buffer;
let simulator: DiscordSimulator;
let blobs: FsBlobStore;

beforeAll(async () => {
  png = await makePng(16, 16);
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  blobs = await tempBlobStore();
});
afterAll(() => simulator.close());

const input = async (overrides: Partial<SubmitInput> = {}): Promise<SubmitInput & Required<Pick<SubmitInput, 'source' | 'target'>>> => ({
  owner: 'owner-a',
  requestedChannel: null,
  options: null,
  source: await stageImage(blobs, png, 's.png'),
  target: await stageImage(blobs, png, 't.png'),
  replyUrl: null,
  replyRef: null,
  mode: 'QUEUE',
  ...overrides,
});
const serviceDeps = () => ({ blobs, copyResult: resultCopier(blobs) });

async function untilTerminal(service: JobService, id: string, timeoutMs = 10_000): Promise<Job> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let last: Job | null = null;
  for await (const job of service.watch(id, controller.signal)) last = job;
  clearTimeout(timer);
  if (!last || !isTerminal(last.status)) throw new Error(`job ${id} did not end in time (last: ${last?.status})`);
  return last;
}

const usedPrefixes: string[] = [];
const backends: [string, () => Promise<Coordinator>][] = [
  ['memory', async () => createMemoryCoordinator()],
  [
    'redis',
    () => {
      const prefix = `test:${randomUUID()}:`;
      usedPrefixes.push(prefix);
      return createRedisCoordinator({ redis: singleRedis(REDIS_URL), prefix, logger, leaseTtlMs: 1000 });
    },
  ],
];
afterAll(async () => {
  for (const prefix of usedPrefixes) await deleteKeysWithPrefix(REDIS_URL, prefix);
});

describe.each(backends)('job service on the %s coordinator', (_name, makeCoordinator) => {
  let service: Awaited<ReturnType<typeof startJobService>>;
  let coordinator: Coordinator;
  let accounts: SimulatedAccount[];
  const driver = () => createDiscordDriver({ apiUrl: simulator.apiUrl, logger, timeoutMs: 3000 });
  let drivers: ReturnType<typeof driver>[] = [];

  async function start(env: Record<string, string> = {}, channels = 1) {
    accounts = Array.from({ length: channels }, () => simulator.createAccount({ credits: 100_000 }));
    coordinator = await makeCoordinator();
    for (const a of accounts) await coordinator.upsertAccount({ channel: a.channelId, server: a.guildId, discord: a.token });
    const { config } = loadConfig({
      ACCOUNT_MIN_GAP_MS: '0',
      ACCOUNT_JITTER_MS: '0',
      LEASE_TTL_MS: '1000',
      REAPER_INTERVAL_MS: '100',
      QUEUE_MAX_PER_TOKEN: '1000',
      CREDITS_PER_DAY: '100000',
      ...env,
    });
    const d = driver();
    drivers.push(d);
    service = await startJobService({ config, coordinator, driver: d, logger, ...serviceDeps() });
  }
  afterEach(async () => {
    await service?.close(1000);
    await Promise.all(drivers.map((d) => d.close()));
    drivers = [];
  });

  it('runs 30 jobs on one channel one at a time, in enqueue order, all COMPLETED', async () => {
    await start();
    const channel = accounts[0]!.channelId;
    const jobs = [];
    for (let i = 0; i < 30; i++) jobs.push(await service.submit(await input()));
    const finished = await Promise.all(jobs.map((j) => untilTerminal(service, j.id)));
    expect(finished.map((j) => j.status)).toEqual(Array(30).fill('COMPLETED'));
    expect(simulator.stats(channel).maxInFlight).toBe(1);
    const byStart = [...finished].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!) || a.version - b.version);
    expect(byStart.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(simulator.interactionsLog(channel).length).toBe(30);
  });

  it('shows queue positions and spreads work over every channel', async () => {
    await start({}, 3);
    simulator.setBotDelay(50);
    const jobs = [];
    for (let i = 0; i < 9; i++) jobs.push(await service.submit(await input()));
    const positions = (await Promise.all(jobs.map((j) => service.get(j.id)))).map((j) => j!.queuePosition).filter((p) => p !== null);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const finished = await Promise.all(jobs.map((j) => untilTerminal(service, j.id)));
    simulator.setBotDelay(0);
    expect(new Set(finished.map((j) => j.channel)).size).toBe(3);
    for (const a of accounts) expect(simulator.stats(a.channelId).maxInFlight).toBe(1);
  });

  it('fail-fast refuses with CHANNEL_BUSY when the channel is held, and deletes the refused job', async () => {
    await start({ LOCK_ATTEMPTS: '2' });
    simulator.script(accounts[0]!.channelId, { kind: 'silence' });
    const holder = await service.submit(await input());
    expect((await service.get(holder.id))!.status).toBe('STARTED');
    await expect(service.submit(await input({ mode: 'FAIL_FAST' }))).rejects.toMatchObject({
      code: 'CHANNEL_BUSY',
      message: 'Unable to lock Discord after 2 attempts',
    });
    expect((await service.list({}, { first: 10 })).edges.map((e) => e.job.id)).toEqual([holder.id]);
    await service.cancel(holder.id, null);
  });

  it('cancels a queued job (it leaves the queue) and a running one (Discord calls stop)', async () => {
    await start();
    simulator.script(accounts[0]!.channelId, { kind: 'silence' });
    const running = await service.submit(await input());
    const queued = await service.submit(await input());
    // Cancel only once the silent command really reached Discord, so the script is consumed.
    await expect.poll(() => simulator.stats(accounts[0]!.channelId).interactions, { timeout: 5000 }).toBe(1);
    expect((await service.get(queued.id))!.queuePosition).toBe(1);
    expect(await service.cancel(queued.id, 'someone-else')).toBeNull();
    expect(await service.cancel(queued.id, 'owner-a')).toMatchObject({ status: 'CANCELLED', code: 'CANCELLED', queuePosition: null });
    expect(await service.cancel(running.id, null)).toMatchObject({ status: 'CANCELLED', code: 'CANCELLED' });
    const next = await service.submit(await input());
    const done = await untilTerminal(service, next.id);
    expect({ status: done.status, code: done.code, error: done.error }).toEqual({ status: 'COMPLETED', code: null, error: null });
  });

  it('a bot error fails the job with BOT_ERROR and the reason; the job is never lost', async () => {
    await start();
    simulator.script(accounts[0]!.channelId, { kind: 'botError', error: 'NO_FACE' });
    const job = await service.submit(await input());
    const done = await untilTerminal(service, job.id);
    expect(done).toMatchObject({ status: 'FAILED', code: 'BOT_ERROR' });
    expect(JSON.parse(done.errorDetails!)).toMatchObject({ reason: 'NO_FACE' });
  });

  it('rejects writes from a holder whose lease is gone (fencing)', async () => {
    await start();
    simulator.script(accounts[0]!.channelId, { kind: 'silence' });
    const job = await service.submit(await input());
    const channel = accounts[0]!.channelId;
    const lease = await coordinator.lease(channel);
    expect(lease?.jobId).toBe(job.id);
    const stale = await coordinator.updateJob(job.id, {
      from: ['STARTED'],
      patch: { status: 'COMPLETED' },
      token: 'not-the-holder',
      channel,
      retentionSec: 60,
    });
    expect(stale).toBeNull();
    expect((await service.get(job.id))!.status).toBe('STARTED');
    await service.cancel(job.id, null);
  });

  it('a failing createJob (store timeout) leaves nothing behind: no record, no input blob, nothing claimed later', async () => {
    await start();
    const create = coordinator.createJob.bind(coordinator);
    coordinator.createJob = async () => {
      throw new Error('Command timed out');
    };
    const refused = await input();
    await expect(service.submit(refused)).rejects.toThrow('Command timed out');
    expect(await blobs.get(refused.source.key)).toBeNull();
    expect(await blobs.get(refused.target.key)).toBeNull();
    coordinator.createJob = create;
    const accepted = await service.submit(await input());
    expect((await untilTerminal(service, accepted.id)).status).toBe('COMPLETED');
    expect((await service.list({}, { first: 10 })).edges.map((e) => e.job.id)).toEqual([accepted.id]);
    expect(simulator.interactionsLog(accounts[0]!.channelId)).toHaveLength(1);
  });

  it('a command that cannot be recorded on the job is never sent (the run stops as if its lease were lost)', async () => {
    await start();
    coordinator.markCommandSent = async () => {
      throw new Error('Command timed out');
    };
    const done = await untilTerminal(service, (await service.submit(await input())).id);
    expect(done).toMatchObject({ status: 'FAILED', code: 'EXECUTOR_LOST' });
    expect(simulator.interactionsLog(accounts[0]!.channelId)).toHaveLength(0);
  });

  it('a claimed job whose uploaded images are gone (a finished job rolled back) ends EXECUTOR_LOST and sends nothing', async () => {
    await start();
    const channel = accounts[0]!.channelId;
    simulator.script(channel, { kind: 'silence' });
    const holder = await service.submit(await input());
    const queued = await service.submit(await input());
    expect((await service.get(queued.id))!.status).toBe('QUEUED');
    await blobs.delete([queued.inputs!.source!, queued.inputs!.target!]);
    // The holder's command reaches the bot (which stays silent) before counting what was sent.
    await expect.poll(() => simulator.interactionsLog(channel).length).toBe(1);
    const sent = simulator.interactionsLog(channel).length;
    await service.cancel(holder.id, 'owner-a');
    const ended = await untilTerminal(service, queued.id);
    expect(ended).toMatchObject({ status: 'FAILED', code: 'EXECUTOR_LOST' });
    // Both images are gone; the driver opens them together, so either may be the one named.
    expect(ended.error).toMatch(/^the uploaded image [st]\.png is no longer in the blob store: the job had ended before/);
    expect(simulator.interactionsLog(channel).length).toBe(sent);
  });

  it("deletes a job's inputs once it is terminal and keeps a stored copy of its result", async () => {
    await start();
    const staged = await input();
    const job = await service.submit(staged);
    const done = await untilTerminal(service, job.id);
    expect(done.status).toBe('COMPLETED');
    await expect.poll(async () => [await blobs.get(staged.source.key), await blobs.get(staged.target.key)]).toEqual([null, null]);
    const [attachment] = done.attachments;
    expect(attachment?.copy).toMatchObject({ state: 'STORED', error: null });
    const stored = await blobs.get(attachment!.copy!.key!);
    expect(stored?.size).toBe(attachment!.size);
    stored?.body.destroy();
  });

  it("a result whose copy fails: the job still completes with Discord's URLs and copy state FAILED", async () => {
    accounts = [simulator.createAccount({ credits: 100_000 })];
    coordinator = await makeCoordinator();
    await coordinator.upsertAccount({ channel: accounts[0]!.channelId, server: accounts[0]!.guildId, discord: accounts[0]!.token });
    const { config } = loadConfig({
      ACCOUNT_MIN_GAP_MS: '0',
      ACCOUNT_JITTER_MS: '0',
      LEASE_TTL_MS: '1000',
      REAPER_INTERVAL_MS: '100',
      CREDITS_PER_DAY: '100000',
    });
    const d = driver();
    drivers.push(d);
    const unreachable = async () => {
      throw new Error('blob store unreachable');
    };
    service = await startJobService({ config, coordinator, driver: d, logger, blobs, copyResult: unreachable });
    const done = await untilTerminal(service, (await service.submit(await input())).id);
    expect(done.status).toBe('COMPLETED');
    expect(done.attachments[0]?.url).toMatch(/^http/);
    expect(done.attachments[0]?.copy).toEqual({ state: 'FAILED', key: null, error: 'blob store unreachable' });
  });

  it('pages jobs newest first with cursors and filters', async () => {
    await start();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await service.submit(await input({ owner: i % 2 ? 'odd' : 'even' }))).id);
    await Promise.all(ids.map((id) => untilTerminal(service, id)));
    const first = await service.list({ owner: 'even' }, { first: 2 });
    expect(first.edges.map((e) => e.job.id)).toEqual([ids[4], ids[2]]);
    expect(first.hasNextPage).toBe(true);
    const second = await service.list({ owner: 'even' }, { first: 2, after: first.endCursor });
    expect(second.edges.map((e) => e.job.id)).toEqual([ids[0]]);
    expect(second.hasNextPage).toBe(false);
    expect((await service.list({ status: 'FAILED' }, { first: 10 })).edges).toEqual([]);
  });
});

describe('retention on Redis', () => {
  it('sets the retention TTL on terminal records and none on running ones', async () => {
    const prefix = `test:${randomUUID()}:`;
    usedPrefixes.push(prefix);
    const coordinator = await createRedisCoordinator({ redis: singleRedis(REDIS_URL), prefix, logger, leaseTtlMs: 1000 });
    const account = simulator.createAccount();
    await coordinator.upsertAccount({ channel: account.channelId, server: account.guildId, discord: account.token });
    const d = createDiscordDriver({ apiUrl: simulator.apiUrl, logger, timeoutMs: 3000 });
    const { config } = loadConfig({ ACCOUNT_MIN_GAP_MS: '0', ACCOUNT_JITTER_MS: '0', JOB_RETENTION_DAYS: '2' });
    const service = await startJobService({ config, coordinator, driver: d, logger, ...serviceDeps() });
    const redis = new Redis(REDIS_URL);
    try {
      const job = await service.submit(await input());
      await untilTerminal(service, job.id);
      const ttl = await redis.ttl(executorKeys(prefix).job(job.id));
      expect(ttl).toBeGreaterThan(2 * 86_400 - 10);
      expect(ttl).toBeLessThanOrEqual(2 * 86_400);
      expect(await redis.exists(executorKeys(prefix).lease(account.channelId))).toBe(0);
      const stored = await redis.hget(executorKeys(prefix).account(account.channelId), 'discord');
      expect(stored).toContain(account.token); // stored (write-only)…
      expect(JSON.stringify(await service.accounts.list())).not.toContain(account.token); // …never returned
    } finally {
      redis.disconnect();
      await service.close(500);
      await d.close();
    }
  });
});
