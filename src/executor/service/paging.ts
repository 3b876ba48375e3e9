/**
 * Listing order and cursors, shared by both coordinators: newest first by `created` (ISO 8601 UTC,
 * so its text order is its time order), the id breaking ties. An index entry is "<created>|<id>";
 * a cursor is that entry, opaque to clients (base64url).
 */
import { AppError } from '../../errors.js';
import type { Job } from '../../jobs/model.js';

export const indexEntryOf = (job: Pick<Job, 'id' | 'created'>) => `${job.created}|${job.id}`;

export const cursorOf = (job: Pick<Job, 'id' | 'created'>) => Buffer.from(indexEntryOf(job)).toString('base64url');

const ENTRY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|[\w-]{1,100}$/;

/** The index entry a cursor names; BAD_USER_INPUT for a string that is not a cursor of ours. */
export function entryOfCursor(cursor: string): string {
  const entry = Buffer.from(cursor, 'base64url').toString();
  if (!ENTRY.test(entry)) throw new AppError('BAD_USER_INPUT', 'after is not a cursor returned by jobs', { field: 'after' });
  return entry;
}
