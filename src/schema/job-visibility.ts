/**
 * Which jobs a request may see (src/jobs/visibility.ts): job(id:), node(id:), cancelJob and
 * jobUpdated all read through here, so another token's job is the same as one that never existed.
 */
import { AppError, echoInput } from '../errors.js';
import type { JobView } from '../jobs/job-service.js';
import { canSeeJob } from '../jobs/visibility.js';
import type { GraphQLContext } from './context.js';

export const canSee = (ctx: GraphQLContext, job: JobView) => canSeeJob(ctx.viewer, job);

/** The job, or null when there is none this request may see. */
export async function findVisibleJob(ctx: GraphQLContext, id: string): Promise<JobView | null> {
  const job = await ctx.jobs.get(id);
  return job && canSee(ctx, job) ? job : null;
}

/** The job, or NOT_FOUND when there is none this request may see. */
export async function loadVisibleJob(ctx: GraphQLContext, id: string): Promise<JobView> {
  const job = await findVisibleJob(ctx, id);
  if (!job) throw new AppError('NOT_FOUND', `Job ${echoInput(id)} not found`, { id: echoInput(id) });
  return job;
}
