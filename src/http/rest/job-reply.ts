/**
 * A job as the REST API answers it: the hosted API's Model (src/jobs/hosted-job.ts) with fresh links
 * to our stored copies of its results and its queue position.
 */
import { downloadLinksOf } from '../../jobs/download-links.js';
import { hostedCodeOf, toHostedJson, type HostedJobView } from '../../jobs/hosted-job.js';
import { isTerminal } from '../../jobs/model.js';
import type { JobService, JobView } from '../../jobs/job-service.js';
import type { RestReply } from './route.js';

/** Seconds to wait after a 429 whose Discord body gave none: the hosted API tells clients 10–30 s. */
const DEFAULT_RETRY_AFTER_SECONDS = 10;

export async function hostedView(jobs: JobService, job: JobView, origin: string): Promise<HostedJobView> {
  const downloads = await downloadLinksOf(jobs, job, origin);
  return toHostedJson(job, { queuePosition: job.queuePosition, downloads });
}

/**
 * The answer of a blocking command, as the hosted API gives it: the finished job with its outcome's
 * status (200 once completed), or, when the wait bound passed first, the job as `started` (the
 * hosted API's word for "still running: poll the job or wait for the callback") with 200.
 */
export async function commandReply(jobs: JobService, job: JobView, origin: string): Promise<RestReply> {
  const view = await hostedView(jobs, job, origin);
  if (!isTerminal(job.status)) return { status: 200, body: { ...view, status: 'started' } };
  const status = hostedCodeOf(job) ?? 200;
  const retryAfter = status === 429 ? (retryAfterOf(job.errorDetails) ?? DEFAULT_RETRY_AFTER_SECONDS) : null;
  return { status, body: view, headers: retryAfter === null ? {} : { 'retry-after': String(retryAfter) } };
}

/** Discord's `retry_after` (seconds) in a rate-limited job's errorDetails, rounded up; null without one. */
function retryAfterOf(errorDetails: string | null): number | null {
  if (errorDetails === null) return null;
  try {
    const seconds = (JSON.parse(errorDetails) as { retry_after?: unknown }).retry_after;
    return typeof seconds === 'number' ? Math.max(1, Math.ceil(seconds)) : null;
  } catch {
    return null;
  }
}
