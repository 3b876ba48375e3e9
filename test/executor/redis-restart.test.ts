/** redis-server restarted under load: no process exits, every job ends, service resumes. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

let redis: RedisServer;
let simulator: DiscordSimulator;
let servers: ServerProcess[] = [];

beforeAll(async () => {
  [redis, simulator] = await Promise.all([startRedisServer({ persistent: true }), DiscordSimulator.start({ botDelayMs: 40 })]);
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await simulator?.close();
  await redis?.stop();
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
  };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  const png = await makePng(16, 16);
  const files = { 'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' }, 'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' } };
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const res = await postMultipart<{ picsi: { id: string } }>(servers[i % 2]!.url, PICSI_MUTATION, { input: { sourceImage: null, targetImage: null } }, files);
    ids.push(res.body.data!.picsi.id);
  }
  await expect.poll(() => simulator.stats(account.channelId).completed, { timeout: 10_000, interval: 10 }).toBeGreaterThanOrEqual(5);
  await redis.restart();

  const statusOf = async (id: string) => (await postJson<{ job: { status: string } }>(servers[1]!.url, 'query ($id: ID!) { job(id: $id) { status } }', { id })).body.data?.job.status;
  await expect
    .poll(async () => (await Promise.all(ids.map(statusOf))).filter((s) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(s ?? '')).length, { timeout: 30_000, interval: 250 })
    .toBe(0);
  expect(servers.every((s) => s.child.exitCode === null && s.child.signalCode === null)).toBe(true);
  expect(simulator.stats(account.channelId).maxInFlight).toBe(1);

  const after = await postMultipart<{ picsi: { id: string; status: string } }>(servers[0]!.url, PICSI_MUTATION, { input: { sourceImage: null, targetImage: null, wait: true } }, files);
  expect(after.body.data?.picsi.status).toBe('COMPLETED');
}, 120_000);
