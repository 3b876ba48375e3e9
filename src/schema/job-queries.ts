import { AppError, echoInput } from '../errors.js';
import type { JobView } from '../jobs/service.js';
import { cancellingOwner, canSeeJob, visibleJobsFilter } from '../jobs/visibility.js';
import type { GraphQLContext } from './context.js';
import { builder } from './builder.js';
import { JobRef, JobStatusEnum } from './job.js';

export const MAX_PAGE_SIZE = 100;

/** Users see their own jobs only; admins see every job. Another owner's job reads as NOT_FOUND. */
export const canSee = (ctx: GraphQLContext, job: JobView) => canSeeJob(ctx.viewer, job);

export async function loadVisibleJob(ctx: GraphQLContext, id: string): Promise<JobView> {
  const job = await ctx.jobs.get(id);
  if (!job || !canSee(ctx, job)) throw new AppError('NOT_FOUND', `Job ${echoInput(id)} not found`, { id: echoInput(id) });
  return job;
}

builder.queryField('job', (t) =>
  t.field({
    type: JobRef,
    description: 'One job by id. Another token’s job is NOT_FOUND.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => loadVisibleJob(ctx, String(id)),
  }),
);

builder.queryField('jobs', (t) =>
  t.connection({
    type: JobRef,
    description: `Your jobs, newest first (admins: everyone's). At most ${MAX_PAGE_SIZE} per page.`,
    args: {
      status: t.arg({ type: JobStatusEnum, required: false }),
      channel: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      if (args.last != null || args.before != null) throw new AppError('BAD_USER_INPUT', 'jobs pages forward only: use first and after');
      const first = args.first ?? 20;
      if (first < 1 || first > MAX_PAGE_SIZE) throw new AppError('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}`);
      const page = await ctx.jobs.list(
        {
          ...visibleJobsFilter(ctx.viewer),
          ...(args.status ? { status: args.status } : {}),
          ...(args.channel ? { channel: args.channel } : {}),
        },
        { first, after: args.after ?? null },
      );
      return {
        // Every edge carries a real cursor, so paging can resume after any of them.
        edges: page.edges.map(({ job, cursor }) => ({ node: job, cursor })),
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: args.after != null,
          startCursor: page.edges[0]?.cursor ?? null,
          endCursor: page.endCursor,
        },
      };
    },
  }),
);

builder.mutationField('cancelJob', (t) =>
  t.field({
    type: JobRef,
    description:
      'Cancels a queued job (it leaves the queue) or a running one (the Discord calls stop). A terminal job is returned as it is.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const job = await loadVisibleJob(ctx, String(id));
      const cancelled = await ctx.jobs.cancel(job.id, cancellingOwner(ctx.viewer));
      if (!cancelled) throw new AppError('NOT_FOUND', `Job ${echoInput(id)} not found`, { id: echoInput(id) });
      return cancelled;
    },
  }),
);
