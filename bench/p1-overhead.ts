/**
 * P1 end-to-end overhead: 1 channel, bot delay 0, two 100 KB images, 200 sequential jobs.
 * Latency = multipart request sent → COMPLETED received on a graphql-ws subscription opened
 * right after the mutation returned (it sends the current state first, so nothing is missed).
 */
import { performance } from 'node:perf_hooks';
import { makePngOfSize } from '../test/helpers/images.js';
import { postJson } from '../test/helpers/graphql-http.js';
import { startStack } from '../test/helpers/stack.js';
import { DiscordSimulator } from '../src/simulator/index.js';
import { benchEnv, cleanupRedis, newPrefix, openWs, round, submit, waitTerminal } from './common.js';
import { median, percentile, type BenchResult } from './stats.js';

const JOBS = Number(process.env['BENCH_P1_JOBS'] ?? 200);
const WARMUP = 10;

export async function run(): Promise<BenchResult> {
  const prefix = newPrefix('p1');
  const simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const accounts = [simulator.createAccount({ credits: 1_000_000 })];
  const real = await startStack({ env: benchEnv(prefix), simulator, accounts });
  const client = openWs(real.url);
  const channel = accounts[0]!.channelId;
  try {
    const files = { source: await makePngOfSize(100 * 1024), target: await makePngOfSize(100 * 1024 + 7) };
    const latencies: number[] = [];
    for (let i = 0; i < WARMUP + JOBS; i++) {
      const t0 = performance.now();
      const job = await submit(real.url, files);
      const status = await waitTerminal(client, job.id, 30_000);
      const dt = performance.now() - t0;
      if (status !== 'COMPLETED') {
        const detail = await postJson(real.url, 'query ($id: ID!) { job(id: $id) { code error errorDetails } }', { id: job.id });
        throw new Error(`job ${job.id} ended ${status}: ${JSON.stringify(detail.body.data)}`);
      }
      if (i >= WARMUP) latencies.push(dt);
    }
    const log = simulator.interactionsLog(channel).slice(WARMUP);
    const simShare = log.filter((e) => e.endedAt !== undefined).map((e) => e.endedAt! - e.at);
    const p50 = median(latencies);
    const p99 = percentile(latencies, 99);
    const simP50 = median(simShare);
    return {
      id: 'P1',
      name: 'end-to-end overhead (1 ch, delay 0, 2×100 KB)',
      metrics: {
        jobs: latencies.length,
        p50Ms: round(p50),
        p99Ms: round(p99),
        maxMs: round(Math.max(...latencies)),
        simP50Ms: round(simP50),
        simP99Ms: round(percentile(simShare, 99)),
        oursP50Ms: round(p50 - simP50),
      },
      target: 'p50 ≤ 15 ms, p99 ≤ 30 ms',
      pass: p50 <= 15 && p99 <= 30,
      notes:
        'latency = multipart sent → COMPLETED on graphql-ws (subscription opened after the mutation returned); nothing subtracted. ' +
        "sim* = the simulator's own time per interaction (interactionsLog at→endedAt); oursP50 = p50 − simP50 (approximate: medians do not subtract). " +
        'Client, simulator and server share one process on 2 cores.',
    };
  } finally {
    await client.dispose();
    await real.stop();
    await simulator.close();
    await cleanupRedis(prefix);
  }
}
