/**
 * Who sees which jobs, for GraphQL and REST alike: a job is visible to the token that created it,
 * and every job to admin tokens. Another token's job reads as not found.
 */
import type { Viewer } from '../auth/viewer.js';
import type { Job } from './model.js';
import type { JobFilter } from './job-service.js';

export const canSeeJob = (viewer: Viewer, job: Pick<Job, 'owner'>): boolean => viewer.role === 'admin' || job.owner === viewer.owner;

/** The part of a listing filter that keeps a user to their own jobs. */
export const visibleJobsFilter = (viewer: Viewer): Pick<JobFilter, 'owner'> => (viewer.role === 'admin' ? {} : { owner: viewer.owner });

/** The owner a cancel must match: null lets an admin cancel any job. */
export const cancellingOwner = (viewer: Viewer): string | null => (viewer.role === 'admin' ? null : viewer.owner);
