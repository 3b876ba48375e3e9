/** Fresh links to our stored copies of a job's results, in its attachments' order (REST answers and callback bodies). */
import type { Job } from './model.js';
import type { DownloadLink, JobService } from './job-service.js';

/** null for an attachment without a stored copy. `origin` is this server's public origin (links it serves itself). */
export function downloadLinksOf(
  jobs: Pick<JobService, 'downloadLink'>,
  job: Pick<Job, 'attachments'>,
  origin: string,
): Promise<(DownloadLink | null)[]> {
  return Promise.all(
    job.attachments.map((a) =>
      a.copy?.state === 'STORED' && a.copy.key ? jobs.downloadLink(a.copy.key, a.filename, origin) : Promise.resolve(null),
    ),
  );
}
