/**
 * A process cut off from Redis longer than the lease TTL stops acting (by its own clock) before
 * another process takes the channel, and its late writes are rejected by the fence. The job it had
 * sent is adopted by the other process, which follows it to the bot's answer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { tempStorageUrl } from '../helpers/files.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const LEASE_TTL_MS = 1000;
let redis: RedisServer;
let proxy: TcpProxy;
let simulator: DiscordSimulator;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  [redis, simulator] = await Promise.all([startRedisServer(), DiscordSimulator.start({ botDelayMs: 0 })]);
  proxy = await startTcpProxy(redis.port);
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await proxy?.close();
  await simulator?.close();
  await redis?.stop();
});

const logTime = (server: ServerProcess, message: string) => {
  const line = server.logs.find((l) => l.includes(message));
  return line ? (JSON.parse(line) as { time: number }).time : null;
};

it('the partitioned holder stops before the other process takes the channel; its late write is rejected', async () => {
  const account = simulator.createAccount({ credits: 1_000_000 });
  const env = {
    REDIS_PREFIX: `x:${randomUUID()}:`,
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
    LEASE_TTL_MS: String(LEASE_TTL_MS),
    REAPER_INTERVAL_MS: '100',
    CREDITS_PER_DAY: '1000000',
    SHUTDOWN_TIMEOUT_MS: '500',
    LOG_LEVEL: 'info',
    STORAGE_URL: tempStorageUrl(),
  };
  const [isolated, healthy] = await Promise.all([
    startServerProcess({ ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
    startServerProcess({ ...env, REDIS_URL: redis.url }),
  ]);
  servers.push(isolated, healthy);
  const png = await makePng(16, 16);
  const files = {
    'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
    'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
  };

  simulator.setBotDelay(10_000); // the first job stays in flight well past the partition
  const first = (
    await postMultipart<{ picsi: { id: string } }>(isolated.url, PICSI_MUTATION, { input: { sourceImage: null, targetImage: null } }, files)
  ).body.data!.picsi.id;
  await expect.poll(() => simulator.stats(account.channelId).interactions, { timeout: 10_000 }).toBe(1);
  simulator.setBotDelay(0);
  proxy.blackhole();
  const second = (
    await postMultipart<{ picsi: { id: string } }>(
      healthy.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null, wait: true } },
      files,
    )
  ).body.data!.picsi;

  const job = async (id: string) =>
    (
      await postJson<{ job: { status: string; code: string | null; startedAt: string | null } }>(
        healthy.url,
        'query ($id: ID!) { job(id: $id) { status code startedAt } }',
        { id },
      )
    ).body.data!.job;
  // The healthy process adopted the first job (its command was sent) and followed it to the bot's
  // answer; only then did the channel take the second one.
  const firstJob = await job(first);
  expect(firstJob).toMatchObject({ status: 'COMPLETED', code: null });
  const secondJob = await job(second.id);
  expect(secondJob.status).toBe('COMPLETED');
  expect(simulator.stats(account.channelId)).toMatchObject({ interactions: 2, maxInFlight: 1 });
  expect(healthy.logs.some((l) => l.includes('adopted a job'))).toBe(true);

  const stoppedAt = logTime(isolated, 'lease lost: stopped acting');
  expect(stoppedAt).not.toBeNull();
  expect(stoppedAt!).toBeLessThan(Date.parse(secondJob.startedAt!));

  proxy.heal();
  await expect.poll(() => logTime(isolated, 'late write rejected by the fence'), { timeout: 30_000, interval: 100 }).not.toBeNull();
  expect(await job(first)).toMatchObject({ status: 'COMPLETED' });
  expect(isolated.child.exitCode).toBeNull();
}, 150_000);
