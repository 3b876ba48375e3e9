import { AppError } from '../errors.js';
import type { JobView } from '../jobs/service.js';
import { builder } from './builder.js';
import { JobRef } from './job.js';
import { canSee, loadVisibleJob } from './job-queries.js';

/** Runs a watch with its own AbortSignal, aborted when the client unsubscribes or disconnects. */
async function* abortable(watch: (signal: AbortSignal) => AsyncIterable<JobView>): AsyncGenerator<JobView> {
  const controller = new AbortController();
  try {
    yield* watch(controller.signal);
  } finally {
    controller.abort();
  }
}

builder.subscriptionField('jobUpdated', (t) =>
  t.field({
    type: JobRef,
    description: 'The job’s current state first, then every change; completes after the terminal state. Works across server instances.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, { id }, ctx) => {
      const job = await loadVisibleJob(ctx, String(id));
      return abortable((signal) => ctx.jobs.watch(job.id, signal));
    },
    resolve: (job) => job,
  }),
);

builder.subscriptionField('jobsUpdated', (t) =>
  t.field({
    type: JobRef,
    description: 'Every change of every job you can see (admins: all jobs), optionally on one channel. For dashboards; never completes.',
    args: { channel: t.arg.string({ required: false }) },
    subscribe: async (_root, { channel }, ctx) => {
      if (channel && !(await ctx.jobs.accounts.get(channel)))
        throw new AppError('NOT_FOUND', `Channel ${channel} is not configured`, { channel });
      const filter = {
        ...(channel ? { channel } : {}),
        ...(ctx.viewer.role === 'admin' ? {} : { owner: ctx.viewer.owner }),
      };
      return abortable(async function* (signal) {
        for await (const job of ctx.jobs.watchAll(filter, signal)) if (canSee(ctx, job)) yield job;
      });
    },
    resolve: (job) => job,
  }),
);
