/**
 * The durable link in a callback body: each result attachment of a COMPLETED job gets `download`
 * ({ url, expiresAt } of our stored copy, as REST's answers carry it; null where the copy failed).
 * Made at each attempt, not stored with the task, so a retried callback carries a fresh link.
 */
import type { Job } from '../jobs/model.js';
import type { DownloadLink } from '../jobs/job-service.js';

/** Our stored copy of each of a job's attachments, in the job's order; null where there is none. */
export type DownloadLinksOf = (job: Job) => Promise<readonly (DownloadLink | null)[]>;

/** The body with `download` on each attachment; unchanged when the job has no stored copy or the body is not the job's JSON. */
export async function withDownloadLinks(body: string, job: Job, linksOf: DownloadLinksOf | undefined): Promise<string> {
  if (!linksOf || job.status !== 'COMPLETED' || !job.attachments.some((a) => a.copy?.state === 'STORED')) return body;
  const parsed = JSON.parse(body) as { attachments?: Record<string, unknown>[] };
  if (!Array.isArray(parsed.attachments) || parsed.attachments.length !== job.attachments.length) return body;
  const links = await linksOf(job);
  parsed.attachments = parsed.attachments.map((a, i) => ({ ...a, download: links[i] ?? null }));
  return JSON.stringify(parsed);
}
