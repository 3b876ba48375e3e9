/**
 * Result files are kept as long as their job (JOB_RETENTION_DAYS): a periodic sweep deletes the
 * stored copies of completed jobs whose retention ends before the next sweep, so a copy never
 * outlives its job record for long and never goes before it. Every instance sweeps (deleting a
 * missing key is no error); the pass pages through completed jobs, a few thousand at most within
 * retention (Discord allows a job per channel every few seconds and ~16 a day per free account).
 */
import { RESULT_KEY_PREFIX } from '../run/results.js';
import type { ExecutorContext } from '../context.js';

export const RETENTION_SWEEP_MS = 60 * 60_000;
const PAGE = 100;

export class ResultRetention {
  constructor(private readonly ctx: Pick<ExecutorContext, 'coordinator' | 'blobs' | 'now' | 'retentionSec'>) {}

  /** Deletes the stored results of jobs whose retention ends within one sweep period; returns how many keys. */
  async sweep(): Promise<number> {
    const { coordinator, blobs, now, retentionSec } = this.ctx;
    const cutoff = now() - retentionSec * 1000 + RETENTION_SWEEP_MS;
    let deleted = 0;
    for (let after: string | null = null, more = true; more;) {
      const page = await coordinator.listJobs({ status: 'COMPLETED', first: PAGE, after });
      const keys = page.edges
        .filter(({ job }) => job.finishedAt !== null && Date.parse(job.finishedAt) <= cutoff)
        .flatMap(({ job }) => job.attachments.flatMap((a) => (a.copy?.key?.startsWith(RESULT_KEY_PREFIX) ? [a.copy.key] : [])));
      if (keys.length > 0) {
        await blobs.delete(keys);
        deleted += keys.length;
      }
      more = page.hasNextPage;
      after = page.endCursor;
    }
    return deleted;
  }
}
