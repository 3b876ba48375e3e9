/** P2 utilization: 8 channels, bot delay 200 ms, 200 jobs submitted at once (queued): makespan ÷ ideal. */
import { queuedBurst, handoffGaps } from './queued.js';
import { round } from './common.js';
import { median, percentile, type BenchResult } from './stats.js';

const CHANNELS = 8;
const DELAY = 200;
const JOBS = 200;

export async function run(): Promise<BenchResult> {
  const r = await queuedBurst('p2', CHANNELS, DELAY, JOBS);
  const makespan = r.lastEndedAt - r.t0;
  const ideal = (JOBS / CHANNELS) * DELAY;
  const ratio = makespan / ideal;
  const perChannel = r.logs.map((l) => l.length);
  const firstStart = Math.min(...r.logs.flat().map((e) => e.at));
  const gaps = handoffGaps(r.logs);
  const quiet = handoffGaps(r.logs, r.submittedAt);
  const completed = r.statuses['COMPLETED'] ?? 0;
  return {
    id: 'P2',
    name: 'utilization (8 ch, delay 200 ms, 200 queued)',
    metrics: {
      makespanMs: round(makespan),
      idealMs: ideal,
      ratio: round(ratio, 3),
      ratioFromFirstInteraction: round((r.lastEndedAt - firstStart) / ideal, 3),
      submitAllMs: round(r.submittedAt - r.t0),
      firstInteractionMs: round(firstStart - r.t0),
      minPerCh: Math.min(...perChannel),
      maxPerCh: Math.max(...perChannel),
      gapP50Ms: round(median(gaps)),
      gapP99Ms: round(percentile(gaps, 99)),
      quietGapP50Ms: round(median(quiet)),
      quietGapP99Ms: round(percentile(quiet, 99)),
      completed,
    },
    target: 'makespan/ideal ≤ 1.05',
    pass: ratio <= 1.05 && completed === JOBS,
    notes:
      'makespan = first multipart sent → last interaction ended (simulator and client share one process clock); ideal = 200/8 × 200 ms. ' +
      'gap* = next interaction.at − previous endedAt per channel; quietGap* = only handoffs after the last submission returned (the server no longer parses uploads). ' +
      `statuses: ${JSON.stringify(r.statuses)}; per-channel interactions: ${perChannel.join(',')}.`,
  };
}
