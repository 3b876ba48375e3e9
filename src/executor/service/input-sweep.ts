/**
 * Housekeeping of what crashes leave in the blob store, on every instance, periodically: input
 * images no QUEUED or STARTED job refers to (a process killed between storing an upload and
 * accepting its job, or before deleting a finished job's inputs), and the filesystem store's temp
 * files of interrupted writes. Only what is older than the grace period is touched: an upload
 * being accepted right now, or a write in progress, is younger. Several instances may sweep at
 * once; deleting a missing blob is not an error.
 */
import type { Logger } from 'pino';
import { inputKeys, type JobStatus } from '../../jobs/model.js';
import { INPUT_KEY_PREFIX, sweepTempFiles, type BlobStore } from '../../storage/index.js';
import type { Coordinator } from '../store/port.js';

export interface InputSweepDeps {
  blobs: BlobStore;
  coordinator: Pick<Coordinator, 'listJobs'>;
  /** Inputs and temp files younger than this are never touched. */
  graceMs: number;
  now?: () => number;
}

export interface SweepCounts {
  inputs: number;
  tempFiles: number;
}

const PAGE = 100;
/**
 * A job moves QUEUED → STARTED (claim) and STARTED → QUEUED (requeued by the reaper) while the
 * pages are read: reading STARTED, QUEUED, STARTED again sees every job live through the sweep.
 */
const LIVE_READS: readonly JobStatus[] = ['STARTED', 'QUEUED', 'STARTED'];

async function liveInputKeys(coordinator: InputSweepDeps['coordinator']): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const status of LIVE_READS) {
    let after: string | null = null;
    for (;;) {
      const page = await coordinator.listJobs({ status, first: PAGE, after });
      for (const { job } of page.edges) if (job.inputs) for (const key of inputKeys(job.inputs)) keys.add(key);
      if (page.edges.length < PAGE) break;
      after = page.edges.at(-1)!.cursor;
    }
  }
  return keys;
}

export async function sweepOrphanInputs({ blobs, coordinator, graceMs, now = Date.now }: InputSweepDeps): Promise<SweepCounts> {
  const cutoff = now() - graceMs;
  // Candidates first, the live jobs after: an input older than the grace period belongs to a job
  // that exists by now, so it is seen live or is an orphan.
  const candidates: string[] = [];
  for await (const entry of blobs.list(INPUT_KEY_PREFIX)) if (entry.modifiedMs < cutoff) candidates.push(entry.key);
  const live = candidates.length > 0 ? await liveInputKeys(coordinator) : new Set<string>();
  const orphans = candidates.filter((key) => !live.has(key));
  if (orphans.length > 0) await blobs.delete(orphans);
  return { inputs: orphans.length, tempFiles: await sweepTempFiles(blobs, graceMs, now) };
}

/** Sweeps now and every `intervalMs` (the timer does not keep the process alive); stop() ends it. */
export function startInputSweep(deps: InputSweepDeps & { intervalMs: number; logger: Logger }): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = sweepOrphanInputs(deps).then(
      ({ inputs, tempFiles }) => {
        if (inputs + tempFiles > 0)
          deps.logger.info({ inputs, tempFiles }, 'storage: removed orphan inputs and temp files left by crashes');
      },
      (error: unknown) => deps.logger.warn({ err: error }, 'storage: the orphan sweep failed (retried at the next interval)'),
    );
  };
  sweep();
  const timer = setInterval(sweep, deps.intervalMs).unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
