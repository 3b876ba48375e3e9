/**
 * P10 channel hold: how long a channel waits between the bot's answer and its next command when
 * images are the size of real ones and the link is a real link. Seed-sized images (PNG, about 2.5 MB
 * source and 6 MB target; the bot's result is the size of the target), the simulator's link at
 * 100 Mbit/s (SIMULATOR_LINK_MBPS: each upload and CDN download paced), 4 channels, bot 3 s, 40 jobs
 * queued before the channels start (accounts paused while they are submitted 4 at a time, then resumed). Handoff = next interaction's `at` − previous interaction's `endedAt` on one
 * channel (simulator clock); utilization = the bot's time ÷ the channel's makespan.
 */
import { makePngOfSize } from '../test/helpers/images.js';
import { round } from './common.js';
import { handoffGaps, handoffSplit, queuedBurst, utilizations } from './queued.js';
import { median, percentile, type BenchResult } from './stats.js';

const CHANNELS = 4;
const DELAY = 3000;
const JOBS = 40;
const LINK_MBPS = 100;
/** 40 uploads of 8.5 MB at once fail on 2 busy cores (fetch failed): 4 at a time. */
const SUBMIT_CONCURRENCY = 4;

export async function run(): Promise<BenchResult> {
  const files = { source: await makePngOfSize(2_500_000), target: await makePngOfSize(6_000_000) };
  const r = await queuedBurst('p10', CHANNELS, DELAY, JOBS, {
    files,
    linkMbps: LINK_MBPS,
    submitConcurrency: SUBMIT_CONCURRENCY,
    prefill: true,
  });
  const gaps = handoffGaps(r.logs);
  const split = handoffSplit(r.logs, r.attachmentPosts);
  const util = utilizations(r.logs);
  const p50 = median(gaps);
  const p99 = percentile(gaps, 99);
  const meanUtil = util.reduce((a, b) => a + b, 0) / util.length;
  return {
    id: 'P10',
    name: `channel hold (${CHANNELS} ch, bot ${DELAY / 1000} s, ${JOBS} jobs of ${(files.source.length / 1e6).toFixed(1)} + ${(files.target.length / 1e6).toFixed(1)} MB, link ${LINK_MBPS} Mbit/s)`,
    metrics: {
      gaps: gaps.length,
      handoffP50Ms: round(p50),
      handoffP99Ms: round(p99),
      handoffMaxMs: round(Math.max(...gaps)),
      utilizationMean: round(meanUtil, 3),
      utilizationMin: round(Math.min(...util), 3),
      toFirstCallP50Ms: round(median(split.toFirstCall)),
      uploadsP50Ms: round(median(split.firstCallToInteraction)),
    },
    target: 'handoff p50 ≤ 50 ms, utilization ≥ 0.98',
    pass: p50 <= 50 && meanUtil >= 0.98,
    notes:
      'handoff = next interaction.at − previous interaction.endedAt on one channel; utilization = Σ(endedAt − at) ÷ (last endedAt − first at) per channel. ' +
      'toFirstCall/uploads: previous endedAt → the next POST /channels/{id}/attachments seen on that channel, and that POST → /interactions (only for handoffs with an upload inside them; staged uploads happen during the previous job). ' +
      `statuses: ${JSON.stringify(r.statuses)}.`,
  };
}
