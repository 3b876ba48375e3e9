/**
 * The job service on both coordinators (in-process and real Redis), driving the real driver against
 * the simulator: mutual exclusion, FIFO order, fail-fast, cancel, watch, retention, fencing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDiscordDriver } from '../../src/discord/index.js';
import type { SpooledFile } from '../../src/discord/types.js';
import type { Coordinator } from '../../src/executor/coordinator.js';
import { startJobService } from '../../src/executor/job-service.js';
import { createMemoryCoordinator } from '../../src/executor/memory-coordinator.js';
import { createRedisCoordinator } from '../../src/executor/redis-coordinator.js';
import { singleRedis } from '../../src/redis/settings.js';
import { executorKeys } from '../../src/executor/keys.js';
import { isTerminal, type Job } from '../../src/jobs/model.js';
import type { JobService, SubmitInput } from '../../src/jobs/service.js';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'picsi-executor-'));
let png: Buffer;
let simulator: DiscordSimulator;

beforeAll(async () => {
  png = await makePng(16, 16);
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
});
afterAll(() => simulator.close());

const spool = (name: string): SpooledFile => {
  const path = join(dir, `${randomUUID()}-${name}.png`);
  writeFileSync(path, png);
  return { path, filename: `${name}.png`, size: png.length, contentType: 'image/png' };
};
const input = (overrides: Partial<SubmitInput> = {}): SubmitInput => ({
  owner: 'owner-a', requestedChannel: null, options: null, source: spool('s'), target: spool('t'), replyUrl: null, replyRef: null, mode: 'QUEUE', ...overrides,
});

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
  ['redis', () => {
    const prefix = `test:${randomUUID()}:`;
    usedPrefixes.push(prefix);
    return createRedisCoordinator({ redis: singleRedis(REDIS_URL), prefix, logger, leaseTtlMs: 1000 });
  }],
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
    const { config } = loadConfig({ LEASE_TTL_MS: '1000', REAPER_INTERVAL_MS: '100', QUEUE_MAX_PER_TOKEN: '1000', CREDITS_PER_DAY: '100000', ...env });
    const d = driver();
    drivers.push(d);
    service = await startJobService({ config, coordinator, driver: d, logger });
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
    for (let i = 0; i < 30; i++) jobs.push(await service.submit(input()));
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
    for (let i = 0; i < 9; i++) jobs.push(await service.submit(input()));
    const positions = (await Promise.all(jobs.map((j) => service.get(j.id)))).map((j) => j!.queuePosition).filter((p) => p !== null);
    expect(positions).toEqual([...positions].sort((a, b) => a! - b!));
    const finished = await Promise.all(jobs.map((j) => untilTerminal(service, j.id)));
    simulator.setBotDelay(0);
    expect(new Set(finished.map((j) => j.channel)).size).toBe(3);
    for (const a of accounts) expect(simulator.stats(a.channelId).maxInFlight).toBe(1);
  });

  it('fail-fast refuses with CHANNEL_BUSY when the channel is held, and deletes the refused job', async () => {
    await start({ LOCK_ATTEMPTS: '2' });
    simulator.script(accounts[0]!.channelId, { kind: 'silence' });
    const holder = await service.submit(input());
    expect((await service.get(holder.id))!.status).toBe('STARTED');
    await expect(service.submit(input({ mode: 'FAIL_FAST' }))).rejects.toMatchObject({ code: 'CHANNEL_BUSY', message: 'Unable to lock Discord after 2 attempts' });
    expect((await service.list({}, { first: 10 })).edges.map((e) => e.job.id)).toEqual([holder.id]);
    await service.cancel(holder.id, null);
  });

  it('cancels a queued job (it leaves the queue) and a running one (Discord calls stop)', async () => {
    await start();
    simulator.script(accounts[0]!.channelId, { kind: 'silence' });
    const running = await service.submit(input());
    const queued = await service.submit(input());
    // Cancel only once the silent command really reached Discord, so the script is consumed.
    await expect.poll(() => simulator.stats(accounts[0]!.channelId).interactions, { timeout: 5000 }).toBe(1);
    expect((await service.get(queued.id))!.queuePosition).toBe(1);
    expect(await service.cancel(queued.id, 'someone-else')).toBeNull();
    expect(await service.cancel(queued.id, 'owner-a')).toMatchObject({ status: 'CANCELLED', code: 'CANCELLED', queuePosition: null });
    expect(await service.cancel(running.id, null)).toMatchObject({ status: 'CANCELLED', code: 'CANCELLED' });
    const next = await service.submit(input());
    const done = await untilTerminal(service, next.id);
    expect({ status: done.status, code: done.code, error: done.error }).toEqual({ status: 'COMPLETED', code: null, error: null });
  });

  it('a bot error fails the job with BOT_ERROR and the reason; the job is never lost', async () => {
    await start();
    simulator.script(accounts[0]!.channelId, { kind: 'botError', error: 'NO_FACE' });
    const job = await service.submit(input());
    const done = await untilTerminal(service, job.id);
    expect(done).toMatchObject({ status: 'FAILED', code: 'BOT_ERROR' });
    expect(JSON.parse(done.errorDetails!)).toMatchObject({ reason: 'NO_FACE' });
  });

  it('rejects writes from a holder whose lease is gone (fencing)', async () => {
    await start();
    simulator.script(accounts[0]!.channelId, { kind: 'silence' });
    const job = await service.submit(input());
    const channel = accounts[0]!.channelId;
    const lease = await coordinator.lease(channel);
    expect(lease?.jobId).toBe(job.id);
    const stale = await coordinator.updateJob(job.id, { from: ['STARTED'], patch: { status: 'COMPLETED' }, token: 'not-the-holder', channel, retentionSec: 60 });
    expect(stale).toBeNull();
    expect((await service.get(job.id))!.status).toBe('STARTED');
    await service.cancel(job.id, null);
  });

  it('pages jobs newest first with cursors and filters', async () => {
    await start();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await service.submit(input({ owner: i % 2 ? 'odd' : 'even' }))).id);
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
    const { config } = loadConfig({ JOB_RETENTION_DAYS: '2' });
    const service = await startJobService({ config, coordinator, driver: d, logger });
    const redis = new Redis(REDIS_URL);
    try {
      const job = await service.submit(input());
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
