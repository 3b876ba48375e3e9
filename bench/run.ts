/** `npm run bench [-- P1 P3]`: runs the benchmarks of bench/README.md in sequence, prints a table, writes bench/results/latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable, type BenchResult } from './stats.js';

const ALL: Record<string, () => Promise<{ run(): Promise<BenchResult> }>> = {
  P1: () => import('./p1-overhead.js'),
  P2: () => import('./p2-utilization.js'),
  P3: () => import('./p3-handoff.js'),
  P4: () => import('./p4-fanout.js'),
  P5: () => import('./p5-upload-memory.js'),
  P6: () => import('./p6-throughput.js'),
  P7: () => import('./p7-claim-cost.js'),
  P8: () => import('./p8-scale-out.js'),
  P9: () => import('./p9-steady-load.js'),
  P10: () => import('./p10-channel-hold.js'),
  P11: () => import('./p11-queue-positions.js'),
};

async function main() {
  const wanted = process.argv
    .slice(2)
    .map((a) => a.toUpperCase())
    .filter((a) => a !== '--');
  const unknown = wanted.filter((id) => !(id in ALL));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(ALL).join(' ')}`);
    process.exit(2);
  }
  const ids = wanted.length ? wanted : Object.keys(ALL);
  const results: BenchResult[] = [];
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  for (const id of ids) {
    const t0 = Date.now();
    process.stderr.write(`${id}… `);
    try {
      const mod = await ALL[id]!();
      const result = await mod.run();
      results.push(result);
      process.stderr.write(`${result.pass ? 'PASS' : 'MISS'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`ERROR (${((Date.now() - t0) / 1000).toFixed(1)} s)\n${message}\n`);
      results.push({ id, name: 'failed to run', metrics: {}, target: '-', pass: false, notes: message.split('\n')[0] });
    }
  }
  const loadAfter = loadavg()[0]!;
  console.log(formatTable(results));
  for (const r of results) if (r.notes) console.log(`\n${r.id}: ${r.notes}`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}latest.json`,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        loadavg1m: { before: loadBefore, after: loadAfter },
        durationS: (Date.now() - started) / 1000,
        results,
      },
      null,
      2,
    ),
  );
  console.log(
    `\nmachine: ${cpus().length} cores, 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after${loadBefore > cpus().length * 0.5 ? ' (busy: numbers are inflated by other processes)' : ''}`,
  );
  console.log(`\nwrote bench/results/latest.json (${((Date.now() - started) / 1000).toFixed(1)} s total)`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
