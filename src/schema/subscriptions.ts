/**
 * The job subscriptions. Each streams a watch of the job service through a Repeater (graphql-yoga's):
 * when the client unsubscribes or disconnects, its return() aborts the watch's signal at once, even
 * while the watch waits for the next change (an async generator's return() would wait for that
 * change first, keeping the store subscription meanwhile).
 */
import type { ArgBuilder, InputFieldMap, InputShapeFromFields, SchemaTypes } from '@pothos/core';
import { Repeater } from 'graphql-yoga';
import { AppError } from '../errors.js';
import type { AccountView, JobView } from '../jobs/job-service.js';
import { AccountRef } from './account-types.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { JobRef } from './job.js';
import { canSee, loadVisibleJob } from './job-visibility.js';

type Watch<T = JobView> = (signal: AbortSignal) => AsyncIterable<T>;

/** Runs `watch` with a signal aborted when the consumer leaves; ends as the watch ends. */
function abortable<T>(watch: Watch<T>): Repeater<T> {
  return new Repeater<T>(async (push, stop) => {
    const controller = new AbortController();
    // Stop never rejects: it resolves when the consumer leaves (or the stream ends).
    stop.then(
      () => controller.abort(),
      () => undefined,
    );
    try {
      for await (const job of watch(controller.signal)) await push(job);
    } finally {
      controller.abort();
    }
    stop();
  });
}

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** A subscription field of jobs: `start` checks the arguments and tells what to watch. */
function jobStream<Args extends InputFieldMap>(
  name: string,
  description: string,
  args: (arg: ArgBuilder<BuilderTypes>) => Args,
  start: (args: InputShapeFromFields<Args>, ctx: GraphQLContext) => Promise<Watch>,
): void {
  builder.subscriptionField(name, (t) =>
    t.field({
      type: JobRef,
      description,
      args: args(t.arg),
      subscribe: async (_root, values, ctx) => abortable(await start(values, ctx)),
      resolve: (job) => job,
    }),
  );
}

jobStream(
  'jobUpdated',
  'The job’s current state first, then every change; completes after the terminal state. Works across server instances.',
  (arg) => ({ id: arg.id({ required: true, description: 'The job id.' }) }),
  async ({ id }, ctx) => {
    const job = await loadVisibleJob(ctx, String(id));
    return (signal) => ctx.jobs.watch(job.id, signal);
  },
);

jobStream(
  'jobsUpdated',
  'Every change of every job you can see (admins: all jobs), optionally on one channel. For dashboards; never completes.',
  (arg) => ({ channel: arg.string({ required: false, description: 'Only jobs of this channel; unset: every channel.' }) }),
  async ({ channel }, ctx) => {
    if (channel && !(await ctx.jobs.accounts.get(channel)))
      throw new AppError('NOT_FOUND', `Channel ${channel} is not configured`, { channel });
    const filter = {
      ...(channel ? { channel } : {}),
      ...(ctx.viewer.role === 'admin' ? {} : { owner: ctx.viewer.owner }),
    };
    return async function* (signal) {
      for await (const job of ctx.jobs.watchAll(filter, signal)) if (canSee(ctx, job)) yield job;
    };
  },
);

builder.subscriptionField('accountUpdated', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description:
      "Admin only. The account's current state first (every account's without `channel`), then every change of its health, pacing clock, foreign command or identity. Never completes.",
    args: { channel: t.arg.string({ required: false, description: 'The channel id of one account; unset: every account.' }) },
    subscribe: async (_root, { channel }, ctx) => {
      if (channel && !(await ctx.jobs.accounts.get(channel)))
        throw new AppError('NOT_FOUND', `Channel ${channel} is not configured`, { channel });
      return abortable<AccountView>((signal) => ctx.jobs.accounts.watch(channel ?? null, signal));
    },
    resolve: (account) => account,
  }),
);
