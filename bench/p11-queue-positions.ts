/**
 * P11 queue positions that move: what one queue change costs when every queued job has a subscriber.
 * 1. The store alone: every position in one pass (`queuePositions`, what a change costs an instance
 *    however many jobs it pushes to) with 1,000 and 10,000 queued jobs (10 owners, half for any
 *    channel, half pinned to two channels), Redis and embedded; `queuePosition` of one job beside it.
 * 2. A server process on Redis: 1,000 queued jobs behind one held channel, one raw graphql-ws
 *    subscriber each (`jobUpdated { id status queuePosition estimatedStartAt }`); then 20 changes,
 *    each a cancelJob of the queue's head, which moves every other job up by one. Per change: the
 *    time until the last subscriber has its new position, the messages each got (exactly one is
 *    right), and the server's CPU. Runnable alone: `npx tsx bench/p11-queue-positions.ts`.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import WebSocket from 'ws';
import type { Coordinator } from '../src/executor/store/port.js';
import { createMemoryCoordinator } from '../src/executor/store/embedded/coordinator.js';
import { createRedisCoordinator } from '../src/executor/store/redis/coordinator.js';
import { singleRedis } from '../src/redis/settings.js';
import { DiscordSimulator } from '../src/simulator/index.js';
import { queuedJobRecord } from '../test/helpers/jobs.js';
import { makePng } from '../test/helpers/images.js';
import { postJson } from '../test/helpers/graphql-http.js';
import { startChild } from './child.js';
import { cleanupRedis, newPrefix, REDIS_URL, round, sleep, submit } from './common.js';
import { cpuSeconds, pool } from './deployment.js';
import { formatTable, median, percentile, type BenchResult } from './stats.js';

const SUBSCRIBERS = Number(process.env['BENCH_P11_SUBSCRIBERS'] ?? 1000);
const CHANGES = Number(process.env['BENCH_P11_CHANGES'] ?? 20);
const STORE_SIZES = [1_000, 10_000];
const CHANNELS = ['100000000000000001', '100000000000000002'];

let created = 0;
async function fill(coordinator: Coordinator, n: number): Promise<string> {
  let last = '';
  for (let done = 0; done < n; done += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, n - done) }, (_, i) => {
        const k = done + i;
        const at = new Date(Date.UTC(2026, 11, 1) + created++).toISOString();
        const job = queuedJobRecord(`p11-${randomUUID()}`, at, {
          owner: `owner-${k % 10}`,
          requestedChannel: k % 2 ? CHANNELS[k % 4 === 1 ? 0 : 1]! : null,
        });
        last = job.id;
        return coordinator.createJob(job, true);
      }),
    );
  }
  return last;
}

/** Median ms of `queuePositions` and of one `queuePosition`, with `n` queued jobs. */
async function storeCost(coordinator: Coordinator, n: number): Promise<{ allMs: number; oneMs: number }> {
  const id = await fill(coordinator, n);
  const all: number[] = [];
  const one: number[] = [];
  for (let i = 0; i < 35; i++) {
    let t0 = performance.now();
    const positions = await coordinator.queuePositions();
    if (i >= 5) all.push(performance.now() - t0);
    if (positions.size !== n) throw new Error(`${positions.size} positions for ${n} queued jobs`);
    t0 = performance.now();
    await coordinator.queuePosition(id);
    if (i >= 5) one.push(performance.now() - t0);
  }
  return { allMs: median(all), oneMs: median(one) };
}

async function storeCosts(): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  for (const n of STORE_SIZES) {
    const prefix = newPrefix('p11');
    const redis = await createRedisCoordinator({
      redis: singleRedis(REDIS_URL),
      prefix,
      logger: pino({ level: 'silent' }),
      leaseTtlMs: 15_000,
    });
    try {
      const { allMs, oneMs } = await storeCost(redis, n);
      metrics[`redisAll${n}Ms`] = round(allMs);
      metrics[`redisOne${n}Ms`] = round(oneMs);
    } finally {
      await redis.close();
      await cleanupRedis(prefix);
    }
    const embedded = createMemoryCoordinator();
    const { allMs } = await storeCost(embedded, n);
    metrics[`embeddedAll${n}Ms`] = round(allMs, 3);
    await embedded.close();
  }
  return metrics;
}

interface Follower {
  ws: WebSocket;
  ready: Promise<void>;
  position: number | null;
  /** Messages since the last change began, and when the expected one arrived. */
  messages: number;
  movedAt?: number;
  expect?: number;
}

function follow(wsUrl: string, jobId: string): Follower {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  const f: Follower = { ws, ready: Promise.resolve(), position: null, messages: 0 };
  f.ready = new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    ws.on('error', reject);
    ws.on('message', (raw) => {
      const msg = JSON.parse((raw as Buffer).toString('utf8')) as {
        type: string;
        payload?: { data?: { jobUpdated?: { status: string; queuePosition: number | null } } };
      };
      if (msg.type === 'connection_ack') {
        const query = 'subscription ($id: ID!) { jobUpdated(id: $id) { id status queuePosition estimatedStartAt } }';
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { id: jobId } } }));
      } else if (msg.type === 'next') {
        const update = msg.payload?.data?.jobUpdated;
        if (!update) return;
        f.messages++;
        f.position = update.queuePosition;
        if (f.expect !== undefined && update.queuePosition === f.expect) f.movedAt = performance.now();
        resolve();
      } else if (msg.type === 'error') reject(new Error(JSON.stringify(msg)));
    });
  });
  return f;
}

async function fanOut(): Promise<{ metrics: Record<string, number>; pass: boolean }> {
  const prefix = newPrefix('p11s');
  const simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const account = simulator.createAccount({ credits: 1_000_000 });
  const server = await startChild(prefix, simulator, [account]);
  const followers: Follower[] = [];
  try {
    const files = { source: await makePng(16, 16), target: await makePng(16, 16) };
    simulator.setBotDelay(600_000);
    const holder = await submit(server.url, files); // holds the channel
    const ids = await pool(Array.from({ length: SUBSCRIBERS }), 16, async () => (await submit(server.url, files)).id);
    const wsUrl = server.url.replace(/^http/, 'ws');
    for (let i = 0; i < ids.length; i += 250) {
      const batch = ids.slice(i, i + 250).map((id) => follow(wsUrl, id));
      followers.push(...batch);
      await Promise.all(batch.map((f) => f.ready));
    }
    // Submitted 16 at a time: the queue's order is what the subscribers were told.
    const byPosition = followers.map((f, i) => ({ f, id: ids[i]! })).sort((a, b) => a.f.position! - b.f.position!);
    if (byPosition.some(({ f }, i) => f.position !== i + 1)) throw new Error('the followers do not start at positions 1…N');
    const lastMs: number[] = [];
    const cpu0 = cpuSeconds(server.pid);
    let extra = 0;
    for (let change = 0; change < CHANGES; change++) {
      const waiting = byPosition.slice(change + 1).map(({ f }) => f);
      for (const f of waiting) {
        f.messages = 0;
        f.movedAt = undefined;
        f.expect = f.position! - 1;
      }
      const t0 = performance.now();
      await postJson(server.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id: byPosition[change]!.id });
      const deadline = Date.now() + 30_000;
      while (waiting.some((f) => f.movedAt === undefined) && Date.now() < deadline) await sleep(1);
      lastMs.push(Math.max(...waiting.map((f) => (f.movedAt ?? Infinity) - t0)));
      await sleep(50); // a second message would arrive by now
      extra += waiting.filter((f) => f.messages !== 1).length;
    }
    const cpuMsPerChange = ((cpuSeconds(server.pid) - cpu0) * 1000) / CHANGES;
    await postJson(server.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id: holder.id });
    const metrics = {
      subscribers: SUBSCRIBERS,
      lastP50Ms: round(median(lastMs)),
      lastP90Ms: round(percentile(lastMs, 90)),
      serverCpuMsPerChange: round(cpuMsPerChange, 1),
      notExactlyOnce: extra,
    };
    return { metrics, pass: Number.isFinite(metrics.lastP90Ms) && metrics.lastP90Ms <= 500 && extra === 0 };
  } finally {
    for (const f of followers) f.ws.terminate();
    await server.kill();
    await simulator.close();
    await cleanupRedis(prefix);
  }
}

export async function run(): Promise<BenchResult> {
  const store = await storeCosts();
  const fan = await fanOut();
  return {
    id: 'P11',
    name: `queue positions pushed (${SUBSCRIBERS} queued jobs, one subscriber each)`,
    metrics: { ...store, ...fan.metrics },
    target: `last subscriber moved ≤ 500 ms after a change (p90), each exactly once`,
    pass: fan.pass,
    notes:
      `Store: every position in one pass (queuePositions) vs one job's (queuePosition), median of 30, with ${STORE_SIZES.join(' / ')} queued jobs. ` +
      `Server: ${CHANGES} changes (cancelJob of the head, so each of the other jobs moves up by one), times from the mutation's send to the last of the remaining subscribers receiving its new position; ` +
      'the sockets live in the bench process (one event loop), so the time includes the client parsing every message. CPU = server process user + system per change (10 ms ticks).',
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  console.log(formatTable([result]));
  if (result.notes) console.log(`\nP11: ${result.notes}`);
  process.exit(0);
}
