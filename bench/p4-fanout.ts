/**
 * P4 fan-out: 5,000 websocket subscribers (raw `ws` sockets speaking graphql-transport-ws) to one job
 * on one server process; time from cancelJob (a queued job) to the last socket receiving CANCELLED,
 * and server RSS growth per subscriber.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { DiscordSimulator } from '../src/simulator/index.js';
import { makePng } from '../test/helpers/images.js';
import { postJson } from '../test/helpers/graphql-http.js';
import { startChild } from './child.js';
import { cleanupRedis, newPrefix, round, sleep, submit } from './common.js';
import { median, type BenchResult } from './stats.js';

const SUBSCRIBERS = Number(process.env['BENCH_P4_SUBSCRIBERS'] ?? 5000);
const BATCH = 250;

interface Sub {
  ws: WebSocket;
  ready: Promise<void>;
  receivedAt?: number;
}

function subscribe(wsUrl: string, jobId: string): Sub {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  const sub: Sub = { ws, ready: Promise.resolve() };
  sub.ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('subscriber not ready in 30 s')), 30_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on('message', (raw) => {
      // ws's default binaryType ('nodebuffer'): a frame arrives as one Buffer
      const msg = JSON.parse((raw as Buffer).toString('utf8')) as {
        type: string;
        payload?: { data?: { jobUpdated?: { status: string } } };
      };
      if (msg.type === 'connection_ack') {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: 'subscription ($id: ID!) { jobUpdated(id: $id) { id status version } }', variables: { id: jobId } },
          }),
        );
      } else if (msg.type === 'next') {
        const status = msg.payload?.data?.jobUpdated?.status;
        if (status === 'QUEUED') {
          clearTimeout(timer);
          resolve();
        } else if (status === 'CANCELLED' && sub.receivedAt === undefined) sub.receivedAt = performance.now();
      } else if (msg.type === 'error') {
        clearTimeout(timer);
        reject(new Error(JSON.stringify(msg)));
      }
    });
  });
  return sub;
}

export async function run(): Promise<BenchResult> {
  const prefix = newPrefix('p4');
  const simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const account = simulator.createAccount({ credits: 1_000_000 });
  const server = await startChild(prefix, simulator, [account]);
  const subs: Sub[] = [];
  try {
    const files = { source: await makePng(32, 32), target: await makePng(48, 48) };
    await submit(server.url, files, { wait: true }); // warm-up
    simulator.setBotDelay(60_000);
    const running = await submit(server.url, files); // holds the channel
    await sleep(200);
    const queued = await submit(server.url, files);
    if (queued.status !== 'QUEUED') throw new Error(`second job is ${queued.status}, expected QUEUED`);
    // warm the websocket path with a few subscribers, then take the baseline
    const wsUrl = server.url.replace(/^http/, 'ws');
    const warm = Array.from({ length: 20 }, () => subscribe(wsUrl, queued.id));
    await Promise.all(warm.map((s) => s.ready));
    for (const s of warm) s.ws.close();
    await sleep(500);
    const baseline = median([server.rssBytes(), (await sleep(50), server.rssBytes()), (await sleep(50), server.rssBytes())]);
    const tOpen = performance.now();
    for (let i = 0; i < SUBSCRIBERS; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, SUBSCRIBERS - i) }, () => subscribe(wsUrl, queued.id));
      subs.push(...batch);
      await Promise.all(batch.map((s) => s.ready));
    }
    const openMs = performance.now() - tOpen;
    await sleep(1000);
    const after = median([server.rssBytes(), (await sleep(50), server.rssBytes()), (await sleep(50), server.rssBytes())]);
    const t0 = performance.now();
    const cancel = await postJson<{ cancelJob: { status: string } }>(server.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', {
      id: queued.id,
    });
    const mutationMs = performance.now() - t0;
    const deadline = Date.now() + 30_000;
    while (subs.some((s) => s.receivedAt === undefined) && Date.now() < deadline) await sleep(2);
    const received = subs.filter((s) => s.receivedAt !== undefined);
    const times = received.map((s) => s.receivedAt! - t0);
    const last = Math.max(...times);
    const perSubKB = (after - baseline) / SUBSCRIBERS / 1024;
    await postJson(server.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id: running.id });
    return {
      id: 'P4',
      name: `fan-out (${SUBSCRIBERS} ws subscribers, 1 instance)`,
      metrics: {
        received: received.length,
        firstMs: round(Math.min(...times)),
        medianMs: round(median(times)),
        lastMs: round(last),
        cancelMutationMs: round(mutationMs),
        kbPerSubscriber: round(perSubKB),
        rssBaselineMB: round(baseline / 2 ** 20, 1),
        rssAfterMB: round(after / 2 ** 20, 1),
        openAllMs: round(openMs),
      },
      target: 'last ≤ 500 ms, ≤ 30 KB/subscriber',
      pass: received.length === SUBSCRIBERS && last <= 500 && perSubKB <= 30,
      notes:
        `cancelJob of a queued job (status ${cancel.body.data?.cancelJob.status}) → CANCELLED received by the last of ${SUBSCRIBERS} raw ws sockets (one subscription each, opened in batches of ${BATCH}). ` +
        'Times include the cancel mutation itself; the client sockets live in the bench process (one event loop), so the last-receive time also counts client-side parsing of 5,000 messages. ' +
        'Memory = server process RSS after all subscribed − before (median of 3 samples each), ÷ subscribers.',
    };
  } finally {
    for (const s of subs) s.ws.terminate();
    await server.kill();
    await simulator.close();
    await cleanupRedis(prefix);
  }
}
