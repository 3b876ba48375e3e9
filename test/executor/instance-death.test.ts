/**
 * A job does not belong to the instance that accepted it: real server processes share one
 * redis-server and one blob store; the instance holding the jobs is SIGKILLed and another one
 * finishes them — queued ones run, a running one whose command was sent is followed to the bot's
 * real answer (adopted), never sent twice.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { inputBlobsUnder } from '../helpers/files.js';
import { postJson, postPicsi } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startInteractionsProxy } from '../helpers/interactions-proxy.js';

const LEASE_TTL_MS = 1000;

let redis: RedisServer;
let simulator: DiscordSimulator;
let png: Buffer;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  [redis, simulator, png] = await Promise.all([startRedisServer(), DiscordSimulator.start({ botDelayMs: 0 }), makePng(16, 16)]);
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await simulator?.close();
  await redis?.stop();
});

function fleet(account: SimulatedAccount, apiUrl = () => simulator.apiUrl) {
  const prefix = `death:${randomUUID()}:`;
  const blobs = mkdtempSync(join(tmpdir(), 'picsi-death-blobs-'));
  const start = async (api?: string) => {
    const server = await startServerProcess({
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      STORAGE_URL: pathToFileURL(blobs).href,
      DISCORD_API_URL: api ?? apiUrl(),
      DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      REAPER_INTERVAL_MS: '200',
      QUEUE_MAX_PER_TOKEN: '1000',
      CREDITS_PER_DAY: '1000000',
      JOB_TIMEOUT_MS: '20000',
      SHUTDOWN_TIMEOUT_MS: '500',
    });
    servers.push(server);
    return server;
  };
  return { start, blobs };
}

const submit = (server: ServerProcess) => postPicsi(server.url, png);
type JobState = {
  id: string;
  status: string;
  code: string | null;
  messageId: string | null;
  attempt: number;
  startedAt: string | null;
  attachments: { copyState: string | null }[];
};
const getJob = async (server: ServerProcess, id: string): Promise<JobState> =>
  (
    await postJson<{ job: JobState }>(
      server.url,
      'query ($id: ID!) { job(id: $id) { id status code messageId attempt startedAt attachments { copyState } } }',
      { id },
    )
  ).body.data!.job;

it('instance A accepts 20 jobs queued behind a slow bot and is SIGKILLed; instance B, started after, completes all 20', async () => {
  const account = simulator.createAccount({ credits: 1_000_000 });
  simulator.setDefaultBehaviour(account.channelId, { kind: 'success', delayMs: 300 });
  const { start, blobs } = fleet(account);
  const a = await start();
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await submit(a);
    expect(res.body.errors).toBeUndefined();
    ids.push(res.body.data!.picsi.id);
  }
  await a.kill('SIGKILL');
  const ranOnA = simulator.interactionsLog(account.channelId).length;
  expect(ranOnA).toBeLessThan(20);

  const b = await start();
  await expect
    .poll(async () => (await Promise.all(ids.map((id) => getJob(b, id)))).filter((j) => j.status === 'COMPLETED').length, {
      timeout: 60_000,
      interval: 250,
    })
    .toBe(20);
  const jobs = await Promise.all(ids.map((id) => getJob(b, id)));
  expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'COMPLETED'));
  expect(jobs.every((j) => j.attachments.length === 1 && j.attachments[0]!.copyState === 'STORED')).toBe(true);
  // Exactly one interaction per job: nothing A sent was sent again.
  expect(simulator.interactionsLog(account.channelId)).toHaveLength(20);
  expect(simulator.stats(account.channelId).maxInFlight).toBe(1);
  // Inputs are deleted once terminal: only the 20 results remain.
  await expect.poll(() => inputBlobsUnder(blobs).length, { timeout: 5000 }).toBe(0);
  await b.kill();
}, 120_000);

/**
 * A sends a job's command to a bot that takes 4 s, then stops with `signal` before the reply (with
 * SIGTERM, SHUTDOWN_TIMEOUT_MS of 500 ms runs out first); B starts after; resolves when B has the job COMPLETED.
 */
async function stopAfterTheSend(signal: NodeJS.Signals) {
  const account = simulator.createAccount({ credits: 1_000_000 });
  simulator.setDefaultBehaviour(account.channelId, { kind: 'success', delayMs: 4000 });
  const { start } = fleet(account);
  const a = await start();
  const id = (await submit(a)).body.data!.picsi.id;
  await expect.poll(() => simulator.interactionsLog(account.channelId).length, { timeout: 10_000, interval: 20 }).toBe(1);
  await a.kill(signal);
  expect(simulator.stats(account.channelId).inFlight).toBe(1); // A stopped before the bot's reply
  const b = await start();
  await expect.poll(async () => (await getJob(b, id)).status, { timeout: 25_000, interval: 100 }).toBe('COMPLETED');
  return { account, id, b };
}

it("a job's command is sent from A, A is SIGKILLed before the reply: B adopts it and it ends COMPLETED with the bot's result, one interaction", async () => {
  const { account, id, b } = await stopAfterTheSend('SIGKILL');
  const done = await getJob(b, id);
  const [interaction] = simulator.interactionsLog(account.channelId);
  expect(simulator.interactionsLog(account.channelId)).toHaveLength(1);
  expect(interaction!.outcome).toBe('result');
  expect(done.messageId).toBeTruthy();
  expect(done.attempt).toBe(1);
  expect(done.attachments[0]?.copyState).toBe('STORED');
  expect(b.logs.some((l) => l.includes('adopted a job'))).toBe(true);
  await b.kill();
}, 60_000);

it('SIGTERM with a job still running past the shutdown deadline: the job is handed over, not cancelled, and completes on B', async () => {
  const { account, id, b } = await stopAfterTheSend('SIGTERM');
  expect((await getJob(b, id)).code).toBeNull();
  expect(simulator.interactionsLog(account.channelId)).toHaveLength(1);
  await b.kill();
}, 60_000);

it('a running job whose command was not sent yet (A stuck in its uploads) goes back to the head of the queue when A dies, and B runs it first', async () => {
  const account = simulator.createAccount({ credits: 1_000_000 });
  const proxy = await startInteractionsProxy(simulator.apiUrl);
  try {
    const { start } = fleet(account);
    const a = await start(proxy.apiUrl);
    proxy.holdAttachmentSlots();
    const stuck = (await submit(a)).body.data!.picsi.id;
    const next = (await submit(a)).body.data!.picsi.id;
    await expect.poll(() => proxy.held, { timeout: 10_000, interval: 20 }).toBe(1);
    expect((await getJob(a, stuck)).status).toBe('STARTED');
    await a.kill('SIGKILL');
    const b = await start(); // straight to the simulator
    await expect.poll(async () => (await getJob(b, next)).status, { timeout: 20_000, interval: 100 }).toBe('COMPLETED');
    const first = await getJob(b, stuck);
    expect(first).toMatchObject({ status: 'COMPLETED', attempt: 2 });
    expect(simulator.interactionsLog(account.channelId)).toHaveLength(2);
    // Back at the head: the requeued job ran before the one queued behind it.
    expect(Date.parse(first.startedAt!)).toBeLessThan(Date.parse((await getJob(b, next)).startedAt!));
    await b.kill();
  } finally {
    await proxy.close();
  }
}, 60_000);
