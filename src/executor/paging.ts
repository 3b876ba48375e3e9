import type { Job } from '../jobs/model.js';
import type { ListQuery } from './coordinator.js';

/** Cursor of a job in the newest-first listing. Opaque to clients. */
export const cursorOf = (job: Pick<Job, 'id' | 'created'>) => Buffer.from(`${Date.parse(job.created)}:${job.id}`).toString('base64url');

export function decodeCursor(cursor: string): { createdMs: number; id: string } | null {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  return ms && id && /^\d+$/.test(ms) ? { createdMs: Number(ms), id } : null;
}

/** Newest first (created, then id); a job is after the cursor when it sorts strictly later. */
export const compareNewestFirst = (a: { createdMs: number; id: string }, b: { createdMs: number; id: string }) =>
  b.createdMs - a.createdMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function matches(job: Job, query: ListQuery): boolean {
  return (
    (query.owner === undefined || job.owner === query.owner) &&
    (query.status === undefined || job.status === query.status) &&
    (query.channel === undefined || (job.channel ?? job.requestedChannel) === query.channel)
  );
}

/** Pages an in-memory list of jobs (the memory store, and Redis after its index scan). */
export function pageJobs(all: Job[], query: ListQuery) {
  const after = query.after ? decodeCursor(query.after) : null;
  const keyed = all.filter((j) => matches(j, query)).map((job) => ({ job, key: { createdMs: Date.parse(job.created), id: job.id } }));
  keyed.sort((a, b) => compareNewestFirst(a.key, b.key));
  const rest = after ? keyed.filter((k) => compareNewestFirst(after, k.key) < 0) : keyed;
  const page = rest.slice(0, query.first);
  return { jobs: page.map((k) => k.job), endCursor: page.length ? cursorOf(page.at(-1)!.job) : null, hasNextPage: rest.length > page.length };
}
