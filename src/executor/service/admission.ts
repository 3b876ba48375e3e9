/**
 * Admission: checks a request against the accounts, credits and queue caps, creates the job (its
 * inputs are already in the blob store) and wakes dispatch; or, in fail-fast mode, tries a few
 * times and refuses with the hosted API's 429. Every kind of job (its bot command) is admitted
 * here: the identity commands follow the hosted API's channel rule, and a job's credit cost (a GIF
 * target costs more) is decided here and kept on the record for the claim. A refused or failed
 * submit leaves nothing behind: no record, no blob, nothing remembered here.
 */
import { AppError, echoInput } from '../../errors.js';
import { checkGifTarget, creditCost, DEFAULT_PLAN, GIF_RULES, TARGET_COMMANDS, type TargetShape } from '../../jobs/command-costs.js';
import { currentHealth, inRotation } from '../../jobs/account.js';
import { IDENTITY_COMMANDS, type BotCommand } from '../../jobs/commands.js';
import { inputKeys, newQueuedJob, type FileInfo, type Job } from '../../jobs/model.js';
import type { JobView, SubmitInput } from '../../jobs/job-service.js';
import type { StagedFile } from '../../jobs/staged-file.js';
import { measureTarget } from '../../jobs/target-shape.js';
import { AccountSnapshot } from '../account-snapshot.js';
import { utcDay, type AccountRecord } from '../store/port.js';
import { accountUnavailable } from '../account-faults.js';
import type { ExecutorContext } from '../context.js';
import type { StoreLossBackup } from '../store-loss-backup.js';
import { sleep } from '../../timing/clock.js';

/** Seconds a /picsi typically takes (3–10 s), for Retry-After estimates. */
const TYPICAL_JOB_SECONDS = 10;
const FAIL_FAST_RETRY_MS = 150;
/** The fail-fast waits are not cut short (the job is discarded after its attempts either way). */
const NEVER = new AbortController().signal;

export interface AdmissionDeps {
  ctx: ExecutorContext;
  journal: StoreLossBackup;
  newId: () => string;
  /** Runs a dispatch pass; resolves when it is done. */
  dispatch(): Promise<void>;
  toView(job: Job): Promise<JobView>;
  isClosing(): boolean;
}

/**
 * How many channels could take a job now, which (in rotation, credits not spent by the bot's word),
 * the channel it must run on (null: any), and its credit cost.
 */
interface Eligible {
  eligible: number;
  channels: string[];
  channel: string | null;
  cost: number;
}

/** How long admission reuses the account list (src/executor/account-snapshot.ts). */
const ACCOUNTS_REUSE_MS = 1000;

export class Admission {
  private readonly accounts: AccountSnapshot;

  constructor(private readonly deps: AdmissionDeps) {
    this.accounts = new AccountSnapshot(deps.ctx.coordinator, deps.ctx.now, ACCOUNTS_REUSE_MS);
  }

  /** An account changed: decide the next request on a fresh read. */
  accountsChanged(): void {
    this.accounts.invalidate();
  }

  async submit(input: SubmitInput): Promise<JobView> {
    const { ctx } = this.deps;
    const keys = inputKeys({ source: input.source?.key, target: input.target?.key });
    const command = input.command ?? 'picsi';
    let created = false;
    try {
      if (this.deps.isClosing())
        throw new AppError('CHANNEL_BUSY', 'The server is shutting down; retry on another instance', { retryAfter: 5 });
      const shape = await this.targetShape(command, input.target);
      const [{ eligible, channels, channel, cost }, size] = await Promise.all([
        this.eligibleChannels(command, input.requestedChannel, shape),
        ctx.coordinator.queueSize(input.owner),
      ]);
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
      const job = this.newJob({ ...input, requestedChannel: channel }, command, cost);
      await this.create(job, channels);
      created = true;
      this.deps.journal.record(job);
      if (input.mode === 'FAIL_FAST') return await this.failFast(job, retryAfter);
      await this.deps.dispatch();
      // Started by this very pass: the claim's record is here already.
      const local = this.deps.journal.get(job.id);
      if (local && local.status !== 'QUEUED') return { ...local, queuePosition: null };
      return await this.deps.toView((await ctx.coordinator.getJob(job.id)) ?? job);
    } catch (error) {
      if (!created && keys.length > 0)
        await ctx.blobs.delete(keys).catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not delete the inputs of a refused job'));
      throw error;
    }
  }

  /**
   * Stores and queues the job; with TOKEN_DAILY_CREDITS, in the same store step as its token's share
   * and its credit reservation on one of `channels` (src/executor/credit-reservations.ts).
   */
  private async create(job: Job, channels: string[]): Promise<void> {
    const { coordinator, config, now } = this.deps.ctx;
    const share = config.jobs.tokenDailyCredits;
    if (share === null) return coordinator.createJob(job, true);
    const day = utcDay(now());
    const result = await coordinator.admitJob(job, {
      share,
      channels,
      day,
      creditsPerDay: config.jobs.creditsPerDay,
      configuredCost: config.jobs.creditCost,
    });
    if (result.admitted) return;
    if (result.refusal === 'credits') {
      throw new AppError(
        'PAYMENT_REQUIRED',
        `No account this job may run on has ${result.cost} credits left today (UTC) that queued jobs have not reserved (${result.room} at most)`,
        { channel: job.requestedChannel, room: result.room, cost: result.cost },
      );
    }
    const { spent, reserved, cost } = result;
    throw new AppError(
      'TOKEN_CREDITS_SPENT',
      `This API token's jobs may spend ${share} credits per UTC day (TOKEN_DAILY_CREDITS): ${spent} spent and ${reserved} held by its queued jobs; this job costs ${cost}`,
      { share, spent, reserved, cost, retryAfter: Math.ceil((Date.parse(`${day}T00:00:00Z`) + 86_400_000 - now()) / 1000) },
    );
  }

  private newJob(input: SubmitInput, command: BotCommand, cost: number): Job {
    const { ctx } = this.deps;
    const info = (f: StagedFile | undefined): FileInfo | null => (f ? { size: f.size, type: f.contentType, filename: f.filename } : null);
    const inputs = { ...(input.source ? { source: input.source.key } : {}), ...(input.target ? { target: input.target.key } : {}) };
    return newQueuedJob(
      {
        id: this.deps.newId(),
        owner: input.owner,
        mode: input.mode,
        requestedChannel: input.requestedChannel,
        options: input.options,
        idname: input.idname ?? null,
        creditCost: cost,
        sourceImage: info(input.source),
        targetImage: info(input.target),
        replyUrl: input.replyUrl,
        replyRef: input.replyRef,
        created: new Date(ctx.now()).toISOString(),
        instance: ctx.instanceId,
        inputs: inputKeys(inputs).length > 0 ? inputs : null,
      },
      command,
    );
  }

  /** A target that may be a GIF target, measured (format, frames, bytes) without decoding it all. */
  private async targetShape(command: BotCommand, target: StagedFile | undefined): Promise<TargetShape | undefined> {
    if (!target || !TARGET_COMMANDS.has(command)) return undefined;
    const { ctx } = this.deps;
    return measureTarget(
      target,
      async () => {
        const blob = await ctx.blobs.get(target.key);
        if (!blob) throw new Error(`the uploaded target ${target.filename} is not in the blob store`);
        return blob.body;
      },
      GIF_RULES[DEFAULT_PLAN].maxBytes.value,
    );
  }

  /**
   * What the job costs on the accounts that may run it (src/jobs/command-costs.ts; PICSI_CREDIT_COST
   * for a still /picsi). A GIF target must suit the plan of every one of them, since any may claim
   * it, and costs the dearest of their GIF prices, so that the day's budget is never overrun.
   */
  private costOn(candidates: AccountRecord[], command: BotCommand, shape: TargetShape | undefined, pinned: boolean): number {
    const plans = [...new Set(candidates.map((a) => a.plan ?? DEFAULT_PLAN))];
    if (shape) {
      for (const plan of plans) {
        try {
          checkGifTarget(shape, plan, 'targetImage');
        } catch (error) {
          if (!(error instanceof AppError) || pinned || plans.length === 1) throw error;
          throw new AppError(error.code, `${error.message}; name the channel of an account whose plan allows it`, error.extensions);
        }
      }
    }
    return Math.max(...plans.map((plan) => creditCost(command, shape, plan, this.deps.ctx.config.jobs.creditCost)));
  }

  /** No account the request may run on is in rotation: the pinned one's state, or that none is. */
  private unavailable(all: AccountRecord[], requested: string | null): AppError {
    const pinned = requested === null ? undefined : all.find((a) => a.channel === requested);
    if (pinned) {
      const health = currentHealth(pinned.health, this.deps.ctx.now());
      const failure = accountUnavailable(pinned, health);
      return new AppError('ACCOUNT_UNAVAILABLE', failure.error!, { channel: requested, state: health.state, reason: health.reason });
    }
    return new AppError('ACCOUNT_UNAVAILABLE', 'No Discord account is in rotation: every account needs a person or is paused', {
      channel: requested,
      accounts: all.length,
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
      if (attempt < attempts) await sleep(ctx.clock, FAIL_FAST_RETRY_MS, NEVER);
    }
    if (await ctx.coordinator.discardQueued(job.id)) {
      this.deps.journal.forget(job.id);
      await ctx.blobs.delete(inputKeys(job.inputs)).catch(() => undefined);
      throw new AppError('CHANNEL_BUSY', `Unable to lock Discord after ${attempts} attempts`, { retryAfter });
    }
    return this.deps.toView((await ctx.coordinator.getJob(job.id)) ?? job);
  }

  /**
   * How many channels could take the job now, and the channel it must run on: the requested one,
   * or for an identity command the only account there is (its saved identities are that account's).
   * Decided on the account snapshot; a refusal is decided again on a fresh read before it is given.
   */
  private async eligibleChannels(command: BotCommand, requestedChannel: string | null, shape: TargetShape | undefined): Promise<Eligible> {
    try {
      return await this.eligibleAmong(await this.accounts.get(), command, requestedChannel, shape);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return await this.eligibleAmong(await this.accounts.get(true), command, requestedChannel, shape);
    }
  }

  private async eligibleAmong(
    all: AccountRecord[],
    command: BotCommand,
    requestedChannel: string | null,
    shape: TargetShape | undefined,
  ): Promise<Eligible> {
    const { ctx } = this.deps;
    if (requestedChannel !== null && !all.some((a) => a.channel === requestedChannel)) {
      throw new AppError('BAD_USER_INPUT', `Configuration not found for channel ${echoInput(requestedChannel)}`, {
        channel: echoInput(requestedChannel),
      });
    }
    let requested = requestedChannel;
    if (requested === null && IDENTITY_COMMANDS.has(command)) {
      if (all.length > 1) {
        throw new AppError(
          'CHANNEL_REQUIRED',
          `/${command} needs a channel: ${all.length} accounts are configured, and saved identities live in one Discord account`,
          { field: 'channel', accounts: all.length },
        );
      }
      requested = all[0]?.channel ?? null;
    }
    const now = ctx.now();
    const candidates = all.filter((a) => inRotation(a, now) && (requested === null || a.channel === requested));
    if (candidates.length === 0) throw this.unavailable(all, requested);
    const cost = this.costOn(candidates, command, shape, requested !== null);
    const day = utcDay(now);
    const { creditsPerDay } = ctx.config.jobs;
    const counted = await ctx.coordinator.creditsUsedOn(
      candidates.map((a) => a.channel),
      day,
    );
    const withCredits = candidates.filter(
      (a, i) => currentHealth(a.health, now).state !== 'OUT_OF_CREDITS' && (counted[i] ?? 0) + cost <= creditsPerDay,
    );
    if (withCredits.length === 0)
      throw new AppError(
        'PAYMENT_REQUIRED',
        `Account has no credits left today (UTC) on ${requested === null ? 'any configured channel' : `channel ${requested}`}`,
        { channel: requested },
      );
    return { eligible: withCredits.length, channels: withCredits.map((a) => a.channel), channel: requested, cost };
  }
}
