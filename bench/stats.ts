/** Percentiles and a printable table for benchmark reports. */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export interface BenchResult {
  id: string;
  name: string;
  /** The measured values, in the unit named by each key (e.g. p50Ms, ratio). */
  metrics: Record<string, number>;
  target: string;
  pass: boolean;
  notes?: string;
}

export function formatTable(results: BenchResult[]): string {
  const rows = results.map((r) => [
    r.id,
    r.name,
    Object.entries(r.metrics)
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
      .join(' '),
    r.target,
    r.pass ? 'PASS' : 'MISS',
  ]);
  const header = ['id', 'benchmark', 'measured', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
