/**
 * P3 handoff gap: on a channel with a queue behind it, next interaction's `at` − previous interaction's
 * `endedAt` (both the simulator's clock).
 */
import { queuedBurst, handoffGaps, handoffSplit } from './queued.js';
import { round } from './common.js';
import { median, percentile, type BenchResult } from './stats.js';

const CHANNELS = 2;
const DELAY = 50;
const JOBS = 120;

export async function run(): Promise<BenchResult> {
  const r = await queuedBurst('p3', CHANNELS, DELAY, JOBS);
  // the first few jobs per channel may start before the whole burst is queued; keep every gap anyway
  const gaps = handoffGaps(r.logs);
  const quiet = handoffGaps(r.logs, r.submittedAt);
  const split = handoffSplit(r.logs, r.attachmentPosts);
  const p50 = median(gaps);
  const p99 = percentile(gaps, 99);
  return {
    id: 'P3',
    name: `handoff gap (${CHANNELS} ch, delay ${DELAY} ms, ${JOBS} queued)`,
    metrics: {
      gaps: gaps.length,
      p50Ms: round(p50),
      p99Ms: round(p99),
      maxMs: round(Math.max(...gaps)),
      minMs: round(Math.min(...gaps)),
      quietN: quiet.length,
      quietP50Ms: round(median(quiet)),
      quietP99Ms: round(percentile(quiet, 99)),
      toFirstCallP50Ms: round(median(split.toFirstCall)),
      toFirstCallP99Ms: round(percentile(split.toFirstCall, 99)),
      uploadsP50Ms: round(median(split.firstCallToInteraction)),
      uploadsP99Ms: round(percentile(split.firstCallToInteraction, 99)),
    },
    target: 'p50 ≤ 5 ms, p99 ≤ 25 ms',
    pass: p50 <= 5 && p99 <= 25,
    notes:
      'gap = next interaction.at − previous interaction.endedAt on one channel (simulator clock). It includes our driver seeing the reply, ' +
      "the job's fenced completion, lease release, the queue wake-up, the next claim and the next job's attachment uploads to the simulator. " +
      "toFirstCall* = previous endedAt → the next job's POST /channels/{id}/attachments (reply seen, completion, release, wake-up, claim); uploads* = that POST → /interactions (attachment PUTs + the interaction call). " +
      'quiet* = only handoffs after the last submission returned (no upload parsing competing). ' +
      `statuses: ${JSON.stringify(r.statuses)}.`,
  };
}
