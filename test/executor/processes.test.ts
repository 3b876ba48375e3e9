/**
 * The executor's properties across real server processes sharing one real redis-server:
 * mutual exclusion and FIFO with two instances, SIGKILL recovery, lost pub/sub connections.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { collect, PICSI_MUTATION, postJson, postMultipart, wsClient } from '../helpers/graphql-http.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { tempStorageUrl } from '../helpers/files.js';

const LEASE_TTL_MS = 1000;
const REAPER_INTERVAL_MS = 200;

let redis: RedisServer;
let simulator: DiscordSimulator;
let account: SimulatedAccount;
let png: Buffer;
/** The processes share a blob store, as instances must. */
const storageUrl = tempStorageUrl();
const servers: ServerProcess[] = [];

async function startServer(prefix: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
    LEASE_TTL_MS: String(LEASE_TTL_MS),
    REAPER_INTERVAL_MS: String(REAPER_INTERVAL_MS),
    QUEUE_MAX_PER_TOKEN: '1000',
    CREDITS_PER_DAY: '1000000',
    JOB_TIMEOUT_MS: '20000',
    SHUTDOWN_TIMEOUT_MS: '500',
    STORAGE_URL: storageUrl,
    ...env,
  });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  [redis, simulator, png] = await Promise.all([startRedisServer(), DiscordSimulator.start({ botDelayMs: 0 }), makePng(16, 16)]);
  account = simulator.createAccount({ credits: 1_000_000 });
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await simulator?.close();
  await redis?.stop();
});

const submit = (server: ServerProcess) =>
  postMultipart<{ picsi: { id: string; status: string } }>(
    server.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null } },
    {
      'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
    },
  );
const getJob = (server: ServerProcess, id: string) =>
  postJson<{ job: { id: string; status: string; code: string | null; startedAt: string | null; version: number } }>(
    server.url,
    'query ($id: ID!) { job(id: $id) { id status code startedAt version } }',
    { id },
  );

describe('two server processes, one channel, one Redis', () => {
  it('200 jobs: never two on the channel at once, all terminal, started in enqueue order', async () => {
    const prefix = `p:${randomUUID()}:`;
    const [a, b] = await Promise.all([startServer(prefix), startServer(prefix)]);
    simulator.resetStats();
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await submit(i % 2 === 0 ? a : b);
      expect(res.body.errors).toBeUndefined();
      ids.push(res.body.data!.picsi.id);
    }
    await expect
      .poll(
        async () => (await Promise.all(ids.slice(-5).map((id) => getJob(a, id)))).every((r) => r.body.data?.job.status === 'COMPLETED'),
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);
    const jobs = await Promise.all(ids.map(async (id) => (await getJob(b, id)).body.data!.job));
    expect(jobs.filter((j) => j.status !== 'COMPLETED')).toEqual([]);
    const stats = simulator.stats(account.channelId);
    expect(stats.maxInFlight).toBe(1);
    expect(stats.completed).toBe(200);
    const byStart = [...jobs].sort((x, y) => Date.parse(x.startedAt!) - Date.parse(y.startedAt!));
    expect(byStart.map((j) => j.id)).toEqual(ids);
    await Promise.all([a.kill(), b.kill()]);
  }, 180_000);

  it('SIGKILL of the process running a job whose command the bot never answers: the survivor follows it until the job timeout, then EXECUTOR_LOST; only then does the channel serve the next job', async () => {
    const prefix = `p:${randomUUID()}:`;
    const jobTimeoutMs = 3000;
    const [a, b] = await Promise.all([
      startServer(prefix, { JOB_TIMEOUT_MS: String(jobTimeoutMs) }),
      startServer(prefix, { JOB_TIMEOUT_MS: String(jobTimeoutMs) }),
    ]);
    simulator.script(account.channelId, { kind: 'silence', holdMs: jobTimeoutMs - 500 }); // busy, then never answers
    const before = simulator.stats(account.channelId).interactions;
    const victim = (await submit(a)).body.data!.picsi.id;
    await expect.poll(() => simulator.stats(account.channelId).interactions, { timeout: 10_000 }).toBe(before + 1);
    const sentAt = Date.now();
    await a.kill('SIGKILL');
    const next = (await submit(b)).body.data!.picsi.id;

    await expect.poll(async () => (await getJob(b, victim)).body.data?.job.status, { timeout: 15_000, interval: 50 }).toBe('FAILED');
    expect((await getJob(b, victim)).body.data?.job.code).toBe('EXECUTOR_LOST');
    // The bot may still have been working on it: the channel waited for the job timeout.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(jobTimeoutMs - 200);
    await expect.poll(async () => (await getJob(b, next)).body.data?.job.status, { timeout: 10_000, interval: 20 }).toBe('COMPLETED');
    expect(simulator.stats(account.channelId).interactions).toBe(before + 2);
    expect(simulator.stats(account.channelId).maxInFlight).toBe(1);
    await b.kill();
  }, 60_000);

  it('a subscriber whose pub/sub connection is killed still ends on the final state', async () => {
    const prefix = `p:${randomUUID()}:`;
    const server = await startServer(prefix);
    simulator.setBotDelay(600);
    try {
      const id = (await submit(server)).body.data!.picsi.id;
      const client = wsClient(server.url);
      const done = collect<{ jobUpdated: { status: string; version: number } }>(
        client,
        'subscription ($id: ID!) { jobUpdated(id: $id) { status version } }',
        { id },
      );
      // The server subscribed to the job's events (its watch is up): kill that subscription.
      await expect
        .poll(async () => ((await redis.client().pubsub('CHANNELS', '*')) as string[]).some((c) => c.includes(id)), { timeout: 5000 })
        .toBe(true);
      const killed = await redis.client().client('KILL', 'TYPE', 'pubsub');
      expect(Number(killed)).toBeGreaterThan(0);
      const { results, errors } = await done;
      await client.dispose();
      expect(errors).toEqual([]);
      const stored = (await getJob(server, id)).body.data!.job;
      expect(results.at(-1)?.jobUpdated).toEqual({ status: 'COMPLETED', version: stored.version });
    } finally {
      simulator.setBotDelay(0);
      await server.kill();
    }
  }, 60_000);
});
