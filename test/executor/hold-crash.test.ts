/**
 * The channel hold across a SIGKILL. Result copies after the release: instance A gets the bot's answer, releases the
 * channel (the next job's command goes out while A still copies the first job's 1 MB result at
 * 4 Mbit/s) and is SIGKILLed mid-copy. Instance B's reaper takes the copy over once its lease lapses:
 * the job ends COMPLETED with copyState STORED and a download link, its callback is delivered after
 * that (never before the copy state is known), and nothing was sent to Discord twice. Staging: a job
 * whose images the dead instance had staged stays queued and runs once on the next instance.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { startReceiver, type Receiver } from '../callbacks/helpers.js';
import { postJson, postPicsi } from '../helpers/graphql-http.js';
import { makePng, makePngOfSize } from '../helpers/images.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const LINK_MBPS = 4;
let redis: RedisServer;
let simulator: DiscordSimulator;
let receiver: Receiver;
let small: Buffer;
let large: Buffer;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  [redis, simulator, receiver, small, large] = await Promise.all([
    startRedisServer(),
    DiscordSimulator.start({ botDelayMs: 0, linkMbps: LINK_MBPS }),
    startReceiver(),
    makePng(16, 16),
    makePngOfSize(1_000_000),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await simulator?.close();
  await redis?.stop();
  await receiver?.close();
});

function fleet(account: SimulatedAccount) {
  const prefix = `copycrash:${randomUUID()}:`;
  const blobs = mkdtempSync(join(tmpdir(), 'picsi-copycrash-blobs-'));
  return async () => {
    const server = await startServerProcess({
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      STORAGE_URL: pathToFileURL(blobs).href,
      DISCORD_API_URL: simulator.apiUrl,
      DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
      LEASE_TTL_MS: '1000',
      REAPER_INTERVAL_MS: '200',
      CREDITS_PER_DAY: '1000000',
      JOB_TIMEOUT_MS: '20000',
      SHUTDOWN_TIMEOUT_MS: '500',
      CALLBACK_DEFAULT_URL: receiver.url,
      CALLBACK_ALLOW_HOSTS: '127.0.0.1',
    });
    servers.push(server);
    return server;
  };
}

type JobState = { status: string; attempt: number; attachments: { copyState: string | null; download: { url: string } | null }[] };
const getJob = async (server: ServerProcess, id: string): Promise<JobState> =>
  (
    await postJson<{ job: JobState }>(
      server.url,
      'query ($id: ID!) { job(id: $id) { status attempt attachments { copyState download { url } } } }',
      { id },
    )
  ).body.data!.job;

const cdnReads = (channel: string) => simulator.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/attachments/${channel}/`));

it('a copy interrupted by SIGKILL after the release is finished by another instance: COMPLETED, STORED, its callback after that', async () => {
  const account = simulator.createAccount({ credits: 1_000_000 });
  const start = fleet(account);
  const a = await start();
  const first = (await postPicsi(a.url, small, { target: large })).body.data!.picsi.id;
  const second = (await postPicsi(a.url, small)).body.data!.picsi.id;

  // The channel was released at the bot's answer: the second job's command went out while the
  // first job's result (1 MB at 4 Mbit/s: 2 s) is still being read off the CDN.
  await expect.poll(() => simulator.interactionsLog(account.channelId).length, { timeout: 20_000, interval: 10 }).toBe(2);
  expect(cdnReads(account.channelId)).toHaveLength(1);
  expect((await getJob(a, first)).status).toBe('STARTED');
  await a.kill('SIGKILL');

  const b = await start();
  await expect.poll(async () => (await getJob(b, first)).status, { timeout: 20_000, interval: 100 }).toBe('COMPLETED');
  const done = await getJob(b, first);
  expect(done.attachments).toHaveLength(1);
  expect(done.attachments[0]).toMatchObject({ copyState: 'STORED' });
  expect(done.attachments[0]!.download?.url).toBeTruthy();
  expect(b.logs.some((l) => l.includes('took over a result copy'))).toBe(true);
  await expect.poll(async () => (await getJob(b, second)).status, { timeout: 20_000, interval: 100 }).toBe('COMPLETED');

  // Nothing was sent twice; the callback of the first job came with its terminal state, after the copy.
  expect(simulator.interactionsLog(account.channelId)).toHaveLength(2);
  await expect.poll(() => receiver.requests.filter((r) => r.body.includes(first)).length, { timeout: 10_000 }).toBe(1);
  const callback = JSON.parse(receiver.requests.find((r) => r.body.includes(first))!.body) as {
    status: string;
    attachments: { size: number; download: { url: string; expiresAt: string } | null }[];
  };
  expect(callback).toMatchObject({ status: 'completed' });
  expect(callback.attachments).toHaveLength(1);
  // The callback carries the durable link: our stored copy, served by the instance that finished it.
  const [attachment] = callback.attachments;
  expect(attachment!.download?.url.startsWith(new URL(b.url).origin)).toBe(true);
  expect(Date.parse(attachment!.download!.expiresAt)).toBeGreaterThan(Date.now());
  const stored = await fetch(attachment!.download!.url);
  expect(stored.status).toBe(200);
  expect((await stored.arrayBuffer()).byteLength).toBe(attachment!.size);
  await b.kill();
}, 90_000);

it('a job staged by an instance that is SIGKILLed runs later, exactly once, on the next instance', async () => {
  const account = simulator.createAccount({ credits: 1_000_000 });
  simulator.setDefaultBehaviour(account.channelId, { kind: 'success', delayMs: 3000 });
  const start = fleet(account);
  const a = await start();
  const first = (await postPicsi(a.url, small)).body.data!.picsi.id;
  await expect.poll(() => simulator.interactionsLog(account.channelId).length, { timeout: 20_000, interval: 10 }).toBe(1);
  const staged = (await postPicsi(a.url, small)).body.data!.picsi.id;
  const slots = () =>
    simulator.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${account.channelId}/attachments`));
  // The second job's images went to the channel's slots while the bot works on the first.
  await expect.poll(() => slots().length, { timeout: 10_000, interval: 10 }).toBe(2);
  expect((await getJob(a, staged)).status).toBe('QUEUED');
  await a.kill('SIGKILL');

  const b = await start();
  await expect.poll(async () => (await getJob(b, staged)).status, { timeout: 30_000, interval: 100 }).toBe('COMPLETED');
  expect((await getJob(b, first)).status).toBe('COMPLETED');
  expect((await getJob(b, staged)).attempt).toBe(1);
  // One command per job: the first followed by B (adopted), the staged one sent once, by B.
  expect(simulator.interactionsLog(account.channelId)).toHaveLength(2);
  expect(simulator.stats(account.channelId).maxInFlight).toBe(1);
  await b.kill();
}, 90_000);

it('a copy whose job record the store lost (Redis restarted empty) ends EXECUTOR_LOST, not lost', async () => {
  const account = simulator.createAccount({ credits: 1_000_000 });
  const a = await fleet(account)();
  const id = (await postPicsi(a.url, small, { target: large })).body.data!.picsi.id;
  // The channel is released and the result (1 MB at 4 Mbit/s: 2 s) is being read off the CDN.
  await expect.poll(() => cdnReads(account.channelId).length, { timeout: 20_000, interval: 10 }).toBe(1);
  expect((await getJob(a, id)).status).toBe('STARTED');
  await redis.restart();

  await expect
    .poll(
      async () =>
        (
          await postJson<{ job: { status: string; code: string | null } | null }>(
            a.url,
            'query ($id: ID!) { job(id: $id) { status code } }',
            { id },
          )
        ).body.data?.job ?? null,
      {
        timeout: 30_000,
        interval: 100,
      },
    )
    .toEqual({ status: 'FAILED', code: 'EXECUTOR_LOST' });
  expect(simulator.interactionsLog(account.channelId)).toHaveLength(1);
  await a.kill();
}, 90_000);
