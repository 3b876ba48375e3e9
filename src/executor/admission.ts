/**
 * Admission: checks a request against the accounts, credits and queue caps, creates the job (its
 * inputs are already in the blob store) and wakes dispatch; or, in fail-fast mode, tries a few
 * times and refuses with the hosted API's 429. A refused or failed submit leaves nothing behind:
 * no record, no blob, nothing remembered here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, echoInput } from '../errors.js';
import { newQueuedJob, type Job } from '../jobs/model.js';
import type { JobView, SubmitInput } from '../jobs/service.js';
import { utcDay } from './coordinator.js';
import type { ExecutorContext } from './context.js';
import type { StoreLossJournal } from './store-loss-journal.js';

/** Seconds a /picsi typically takes (3–10 s), for Retry-After estimates. */
const TYPICAL_JOB_SECONDS = 10;
const FAIL_FAST_RETRY_MS = 150;

export interface AdmissionDeps {
  ctx: ExecutorContext;
  journal: StoreLossJournal;
  newId: () => string;
  /** Runs a dispatch pass; resolves when it is done. */
  dispatch(): Promise<void>;
  toView(job: Job): Promise<JobView>;
  isClosing(): boolean;
}

export class Admission {
  constructor(private readonly deps: AdmissionDeps) {}

  async submit(input: SubmitInput): Promise<JobView> {
    const { ctx } = this.deps;
    const inputKeys = [input.source.key, input.target.key];
    let created = false;
    try {
      if (this.deps.isClosing())
        throw new AppError('CHANNEL_BUSY', 'The server is shutting down; retry on another instance', { retryAfter: 5 });
      const [eligible, size] = await Promise.all([this.eligibleChannels(input.requestedChannel), ctx.coordinator.queueSize(input.owner)]);
      const { queueMax, queueMaxPerToken } = ctx.config.jobs;
      const retryAfter = Math.min(
        300,
        Math.max(TYPICAL_JOB_SECONDS, Math.ceil((size.total + 1) / Math.max(1, eligible)) * TYPICAL_JOB_SECONDS),
      );
      if (size.owner >= queueMaxPerToken || size.total >= queueMax) {
        throw new AppError(
          'CHANNEL_BUSY',
          `Queue full: at most ${size.owner >= queueMaxPerToken ? `${queueMaxPerToken} queued jobs per API token` : `${queueMax} queued jobs`}`,
          { retryAfter },
        );
      }
      const job = this.newJob(input);
      await ctx.coordinator.createJob(job, true);
      created = true;
      this.deps.journal.record(job);
      if (input.mode === 'FAIL_FAST') return await this.failFast(job, retryAfter);
      await this.deps.dispatch();
      // Started by this very pass: the claim's record is here already.
      const local = this.deps.journal.get(job.id);
      if (local && local.status !== 'QUEUED') return { ...local, queuePosition: null };
      return await this.deps.toView((await ctx.coordinator.getJob(job.id)) ?? job);
    } catch (error) {
      if (!created)
        await ctx.blobs
          .delete(inputKeys)
          .catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not delete the inputs of a refused job'));
      throw error;
    }
  }

  private newJob(input: SubmitInput): Job {
    const { ctx } = this.deps;
    return newQueuedJob({
      id: this.deps.newId(),
      owner: input.owner,
      mode: input.mode,
      requestedChannel: input.requestedChannel,
      options: input.options,
      sourceImage: { size: input.source.size, type: input.source.contentType, filename: input.source.filename },
      targetImage: { size: input.target.size, type: input.target.contentType, filename: input.target.filename },
      replyUrl: input.replyUrl,
      replyRef: input.replyRef,
      created: new Date(ctx.now()).toISOString(),
      instance: ctx.instanceId,
      inputs: { source: input.source.key, target: input.target.key },
    });
  }

  /** The hosted API's behaviour: a few lock attempts, then 429. The job never waits in the queue. */
  private async failFast(job: Job, retryAfter: number): Promise<JobView> {
    const { ctx } = this.deps;
    const attempts = ctx.config.jobs.lockAttempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.deps.dispatch();
      const current = await ctx.coordinator.getJob(job.id);
      if (current && current.status !== 'QUEUED') return this.deps.toView(current);
      if (attempt < attempts) await sleep(FAIL_FAST_RETRY_MS);
    }
    if (await ctx.coordinator.discardQueued(job.id)) {
      this.deps.journal.forget(job.id);
      await ctx.blobs.delete([job.inputs!.source, job.inputs!.target]).catch(() => undefined);
      throw new AppError('CHANNEL_BUSY', `Unable to lock Discord after ${attempts} attempts`, { retryAfter });
    }
    return this.deps.toView((await ctx.coordinator.getJob(job.id)) ?? job);
  }

  private async eligibleChannels(requested: string | null): Promise<number> {
    const { ctx } = this.deps;
    const all = await ctx.coordinator.listAccounts();
    if (requested !== null && !all.some((a) => a.channel === requested)) {
      throw new AppError('BAD_USER_INPUT', `Configuration not found for channel ${echoInput(requested)}`, {
        channel: echoInput(requested),
      });
    }
    const candidates = all.filter((a) => a.enabled && (requested === null || a.channel === requested));
    if (candidates.length === 0)
      throw new AppError('PAYMENT_REQUIRED', 'No enabled Discord account is configured for this request', { channel: requested });
    const day = utcDay(ctx.now());
    const { creditCost, creditsPerDay } = ctx.config.jobs;
    const used = await Promise.all(
      candidates.map((a) => (a.exhaustedDay === day ? Promise.resolve(Infinity) : ctx.coordinator.creditsUsed(a.channel, day))),
    );
    const withCredits = used.filter((u) => u + creditCost <= creditsPerDay).length;
    if (withCredits === 0)
      throw new AppError(
        'PAYMENT_REQUIRED',
        `Account has no credits left today (UTC) on ${requested === null ? 'any configured channel' : `channel ${requested}`}`,
        { channel: requested },
      );
    return withCredits;
  }
}
