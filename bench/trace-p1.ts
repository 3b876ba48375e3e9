/** Diagnostic (not part of `npm run bench`): the P1 timeline per phase, `tsx bench/trace-p1.ts [jobs]`. */
import { performance } from 'node:perf_hooks';
import { DiscordSimulator } from '../src/simulator/index.js';
import { makePngOfSize } from '../test/helpers/images.js';
import { startStack } from '../test/helpers/stack.js';
import { benchEnv, cleanupRedis, newPrefix, openWs, submit, waitTerminal } from './common.js';
import { median, percentile } from './stats.js';

const JOBS = Number(process.argv[2] ?? 60);
const prefix = newPrefix('trace');
const simulator = await DiscordSimulator.start({ botDelayMs: 0 });
const accounts = [simulator.createAccount({ credits: 1_000_000 })];
const stack = await startStack({ env: benchEnv(prefix), simulator, accounts });
const client = openWs(stack.url);
const files = { source: await makePngOfSize(100 * 1024), target: await makePngOfSize(100 * 1024 + 7) };
const phases = new Map<string, number[]>();
const add = (k: string, v: number) => phases.set(k, [...(phases.get(k) ?? []), v]);
try {
  for (let i = 0; i < JOBS + 5; i++) {
    const nReq = simulator.requests.length;
    const nLog = simulator.interactionsLog().length;
    const t0 = performance.now();
    const job = await submit(stack.url, files);
    const tMut = performance.now();
    await waitTerminal(client, job.id, 30_000);
    const tDone = performance.now();
    if (i < 5) continue;
    add('mutation returned', tMut - t0);
    add('COMPLETED received', tDone - t0);
    const reqs = simulator.requests.slice(nReq);
    const ilog = simulator.interactionsLog().slice(nLog)[0];
    if (tDone - t0 > 100)
      console.log(
        `slow job ${i}: ${(tDone - t0).toFixed(0)} ms; mutation returned ${(tMut - t0).toFixed(0)}; interaction ${ilog ? `${(ilog.at - t0).toFixed(0)}→${((ilog.endedAt ?? NaN) - t0).toFixed(0)}` : 'none'}; requests: ${reqs.map((r) => `${(r.at - t0).toFixed(0)} ${r.method} ${r.path.replace(/\/upload\/.*\//, '/upload/…/').slice(0, 60)} ${r.status}`).join(' | ')}`,
      );
    const seen = new Map<string, number>();
    for (const r of reqs) {
      const key = `${r.method} ${r.path.replace(/\d{5,}/g, ':id').replace(/[0-9a-f-]{20,}/g, ':x')}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      add(`sim req ${key}#${n}`, r.at - t0);
    }
    const log = simulator.interactionsLog().slice(nLog)[0];
    if (log) {
      add('interaction at', log.at - t0);
      if (log.endedAt !== undefined) add('interaction endedAt', log.endedAt - t0);
    }
  }
  const rows = [...phases].map(([k, v]) => ({ k, p50: median(v), p99: percentile(v, 99), n: v.length })).sort((a, b) => a.p50 - b.p50);
  for (const r of rows) console.log(`${r.p50.toFixed(1).padStart(7)} ms p50  ${r.p99.toFixed(1).padStart(7)} ms p99  n=${r.n}  ${r.k}`);
} finally {
  await client.dispose();
  await stack.stop();
  await simulator.close();
  await cleanupRedis(prefix);
}
