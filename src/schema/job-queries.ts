import { AppError, echoInput } from '../errors.js';
import { cancellingOwner, visibleJobsFilter } from '../jobs/visibility.js';
import { builder } from './builder.js';
import { inputDescription, inputOrArguments, USE_INPUT } from './input-style.js';
import { JobStatusEnum } from './job-enums.js';
import { JobRef } from './job.js';
import { loadVisibleJob } from './job-visibility.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paging.js';

export { MAX_PAGE_SIZE } from './paging.js';

builder.queryField('job', (t) =>
  t.field({
    type: JobRef,
    description: 'One job by id. Another token’s job is NOT_FOUND.',
    args: { id: t.arg.id({ required: true, description: 'The job id (the hosted API’s jobid; also its global id).' }) },
    resolve: (_root, { id }, ctx) => loadVisibleJob(ctx, String(id)),
  }),
);

builder.queryField('jobs', (t) =>
  t.connection(
    {
      type: JobRef,
      description: `Your jobs, newest first (admins: everyone's). At most ${MAX_PAGE_SIZE} per page.`,
      args: {
        status: t.arg({ type: JobStatusEnum, required: false, description: 'Only jobs in this status.' }),
        channel: t.arg.string({ required: false, description: 'Only jobs of this channel (ran there, or asked for it while queued).' }),
      },
      resolve: async (_root, args, ctx) => {
        if (args.last != null || args.before != null) throw new AppError('BAD_USER_INPUT', 'jobs pages forward only: use first and after');
        const first = args.first ?? DEFAULT_PAGE_SIZE;
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
    },
    { name: 'JobConnection', description: 'A page of jobs (Relay cursor connection).' },
    { name: 'JobEdge', description: 'A job in a page, with its cursor.' },
  ),
);

const CancelJobInput = builder.inputType('CancelJobInput', {
  description: 'Which job cancelJob cancels.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The job id.' }) }),
});

builder.mutationField('cancelJob', (t) =>
  t.field({
    type: JobRef,
    description:
      'Cancels a queued job (it leaves the queue) or a running one (the Discord calls stop). A terminal job is returned as it is.',
    args: {
      input: t.arg({ type: CancelJobInput, required: false, description: inputDescription('The job to cancel.', true) }),
      id: t.arg.id({ required: false, description: 'The job id (now input.id).', deprecationReason: USE_INPUT }),
    },
    resolve: async (_root, args, ctx) => {
      const { id } = inputOrArguments('cancelJob', args.input, { id: args.id }, ['id']);
      const job = await loadVisibleJob(ctx, String(id));
      const cancelled = await ctx.jobs.cancel(job.id, cancellingOwner(ctx.viewer));
      if (!cancelled) throw new AppError('NOT_FOUND', `Job ${echoInput(String(id))} not found`, { id: echoInput(String(id)) });
      return cancelled;
    },
  }),
);
