/** redis-server restarted under load or down: no process exits, every job ends, service resumes. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart, wsClient } from '../helpers/graphql-http.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { tempStorageUrl } from '../helpers/files.js';
import { filesUnder } from '../helpers/files.js';

let redis: RedisServer;
let simulator: DiscordSimulator;
let servers: ServerProcess[] = [];
const privateRedis: RedisServer[] = [];

beforeAll(async () => {
  [redis, simulator] = await Promise.all([startRedisServer({ persistent: true }), DiscordSimulator.start({ botDelayMs: 40 })]);
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await simulator?.close();
  await redis?.stop();
  await Promise.all(privateRedis.map((r) => r.stop()));
});

it('keeps every process up and every job terminal across a redis-server restart', async () => {
  const account = simulator.createAccount({ credits: 1_000_000 });
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: `r:${randomUUID()}:`,
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
    LEASE_TTL_MS: '3000',
    REAPER_INTERVAL_MS: '200',
    CREDITS_PER_DAY: '1000000',
    QUEUE_MAX_PER_TOKEN: '1000',
    SHUTDOWN_TIMEOUT_MS: '500',
    STORAGE_URL: tempStorageUrl(),
  };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  const png = await makePng(16, 16);
  const files = {
    'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
    'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
  };
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const res = await postMultipart<{ picsi: { id: string } }>(
      servers[i % 2]!.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null } },
      files,
    );
    ids.push(res.body.data!.picsi.id);
  }
  // Some jobs have run before the restart (two server processes on a loaded machine may take a while).
  await expect.poll(() => simulator.stats(account.channelId).completed, { timeout: 30_000, interval: 10 }).toBeGreaterThanOrEqual(5);
  await redis.restart();

  const statusOf = async (id: string) =>
    (await postJson<{ job: { status: string } }>(servers[1]!.url, 'query ($id: ID!) { job(id: $id) { status } }', { id })).body.data?.job
      .status;
  await expect
    .poll(
      async () => (await Promise.all(ids.map(statusOf))).filter((s) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(s ?? '')).length,
      { timeout: 60_000, interval: 250 },
    )
    .toBe(0);
  expect(servers.every((s) => s.child.exitCode === null && s.child.signalCode === null)).toBe(true);
  expect(simulator.stats(account.channelId).maxInFlight).toBe(1);

  const after = await postMultipart<{ picsi: { id: string; status: string } }>(
    servers[0]!.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, wait: true } },
    files,
  );
  expect(after.body.errors).toBeUndefined();
  expect(after.body.data?.picsi.status).toBe('COMPLETED');
}, 150_000);

it('while Redis is down, picsi is refused with SERVICE_UNAVAILABLE (503, Retry-After), leaves no file behind, and works once Redis is back', async () => {
  const down = await startRedisServer();
  privateRedis.push(down);
  const account = simulator.createAccount({ credits: 1_000_000 });
  const scratch = mkdtempSync(join(tmpdir(), 'picsi-down-'));
  const server = await startServerProcess({
    TMPDIR: scratch,
    REDIS_URL: down.url,
    LEASE_TTL_MS: '2000',
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
    CREDITS_PER_DAY: '1000000',
  });
  servers.push(server);
  const png = await makePng(16, 16);
  const files = {
    'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
    'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
  };

  await down.stop();
  const refused = await postMultipart<{ picsi: { id: string } }>(
    server.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null } },
    files,
  );
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(refused.body.errors?.[0]).toMatchObject({
    message: 'The job store (Redis) is unreachable; retry shortly',
    extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 1 },
  });
  expect(JSON.stringify(refused.body)).not.toMatch(/ECONNREFUSED|stack|at .*\.ts/);
  // graphql-upload-ts deletes its request files when the response closes: just after it arrives.
  await expect.poll(() => filesUnder(scratch), { timeout: 3000, interval: 20 }).toEqual([]);
  const health = await fetch(new URL('/readyz', server.url));
  expect(health.status).toBe(503);

  await down.restart();
  await expect.poll(async () => (await fetch(new URL('/readyz', server.url))).status, { timeout: 10_000, interval: 100 }).toBe(200);
  const served = await postMultipart<{ picsi: { id: string; status: string } }>(
    server.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, wait: true } },
    files,
  );
  expect(served.body.errors).toBeUndefined();
  expect(served.body.data?.picsi.status).toBe('COMPLETED');
  expect(server.child.exitCode).toBeNull();
  await down.stop();
}, 60_000);

it('Redis restarted empty (no persistence) mid-run: queued jobs are restored and complete, running ones end EXECUTOR_LOST, never two on the channel, subscribers end on the stored state', async () => {
  const volatile = await startRedisServer();
  privateRedis.push(volatile);
  const account = simulator.createAccount({ credits: 1_000_000 });
  simulator.setBotDelay(60);
  const env = {
    REDIS_URL: volatile.url,
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
    LEASE_TTL_MS: '1500',
    REAPER_INTERVAL_MS: '200',
    CREDITS_PER_DAY: '1000000',
    QUEUE_MAX_PER_TOKEN: '1000',
    STORAGE_URL: tempStorageUrl(),
  };
  const pair = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  servers.push(...pair);
  const png = await makePng(16, 16);
  const files = {
    'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
    'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
  };
  const ids: string[] = [];
  for (let i = 0; i < 24; i++) {
    const res = await postMultipart<{ picsi: { id: string } }>(
      pair[i % 2]!.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null } },
      files,
    );
    expect(res.body.errors).toBeUndefined();
    ids.push(res.body.data!.picsi.id);
  }
  const watcher = wsClient(pair[1].url, undefined, { retryAttempts: 20 });
  const lastId = ids.at(-1)!;
  const seen: { status: string; version: number }[] = [];
  const watched = new Promise<unknown[]>((resolve) => {
    const errors: unknown[] = [];
    watcher.subscribe<{ jobUpdated: { status: string; version: number } }>(
      { query: 'subscription ($id: ID!) { jobUpdated(id: $id) { status version } }', variables: { id: lastId } },
      {
        next: (value) => (value.data ? seen.push(value.data.jobUpdated) : errors.push(...(value.errors ?? []))),
        error: (error) => resolve([...errors, error]),
        complete: () => resolve(errors),
      },
    );
  });
  await expect.poll(() => seen.length, { timeout: 5000, interval: 10 }).toBeGreaterThan(0);
  await expect.poll(() => simulator.stats(account.channelId).completed, { timeout: 30_000, interval: 10 }).toBeGreaterThanOrEqual(3);
  await volatile.restart();

  const jobOf = async (id: string) =>
    (
      await postJson<{ job: { status: string; code: string | null; version: number } | null }>(
        pair[0].url,
        'query ($id: ID!) { job(id: $id) { status code version } }',
        { id },
      )
    ).body.data?.job ?? null;
  await expect
    .poll(
      async () => (await Promise.all(ids.map(jobOf))).filter((j) => !j || !['COMPLETED', 'FAILED', 'CANCELLED'].includes(j.status)).length,
      { timeout: 45_000, interval: 250 },
    )
    .toBe(0);
  const finals = await Promise.all(ids.map(jobOf));
  // Finished before the loss: restored by the instance that ran them. Running at the loss: their
  // outcome, or EXECUTOR_LOST if the run had to stop. Queued: back in the queue, then completed.
  expect(finals.every((j) => j!.status === 'COMPLETED' || j!.code === 'EXECUTOR_LOST')).toBe(true);
  expect(finals.filter((j) => j!.status === 'COMPLETED').length).toBeGreaterThanOrEqual(ids.length - 2);
  expect(simulator.stats(account.channelId).maxInFlight).toBe(1);
  expect(pair.every((s) => s.child.exitCode === null && s.child.signalCode === null)).toBe(true);

  expect(await watched).toEqual([]);
  expect(seen.at(-1)).toEqual({ status: finals.at(-1)!.status, version: finals.at(-1)!.version });
  await watcher.dispose();
  await volatile.stop();
}, 150_000);
