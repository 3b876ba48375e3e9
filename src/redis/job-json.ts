/** Job records as Redis scripts return them (JSON written by cjson). */
import type { Job } from '../jobs/model.js';

/** A reply that is not the record asked for: the connection is out of step (see src/executor/store/redis/availability.ts). */
export class ReplyOutOfStep extends Error {
  override readonly name = 'ReplyOutOfStep';
}

/** cjson writes an empty array as {}; the job model wants arrays (attachments, identities). `expectedId` checks the reply is the record asked for. */
export function decodeJob(raw: unknown, expectedId?: string): Job {
  const job = (typeof raw === 'string' ? JSON.parse(raw) : null) as Job | null;
  if (typeof job !== 'object' || job === null || typeof job.id !== 'string' || (expectedId !== undefined && job.id !== expectedId)) {
    throw new ReplyOutOfStep(`expected job ${expectedId ?? '(any)'}, got another reply`);
  }
  if (!Array.isArray(job.attachments)) job.attachments = [];
  if (job.identities != null && !Array.isArray(job.identities)) job.identities = [];
  return job;
}
