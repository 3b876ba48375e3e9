/**
 * Staging (docs/channel-hold.md): once a channel's command is sent, the images of the job that channel
 * would run next are uploaded to its attachment slots during the bot's work, so that when the bot
 * answers only /interactions remains. The job stays QUEUED in the store: staging changes no record
 * and no order. The claim alone decides which job a freed channel runs; when it is the staged one, its
 * run uses the staged uploads, otherwise they are simply not used. Nothing is sent twice: a staged
 * upload is only an attachment slot no command references.
 *
 * Which job: peekNext on the channel, passing over the jobs staged for this instance's other busy
 * channels (they were sent earlier, so they free earlier and their claims take those jobs first).
 */
import type { Logger } from 'pino';
import { INFERRED } from '../../discord/protocol.js';
import type { StagedUploads } from '../../discord/types.js';
import { commandOf } from '../../jobs/commands.js';
import type { Job } from '../../jobs/model.js';
import { utcDay, type AccountRecord } from '../store/port.js';
import { discordAccountOf, type ExecutorContext } from '../context.js';
import { inputsOf } from './inputs.js';

interface Entry {
  account: AccountRecord;
  /** The job being staged, once peekNext answered. */
  jobId: string | null;
  /** peekNext found nothing to stage: tried again when the queue changes (queueChanged). */
  idle: boolean;
  /** When it started (a staging older than a staged upload may live is dropped, never passed over). */
  at: number;
  controller: AbortController;
  uploads: Promise<StagedUploads | null>;
}

export class Staging {
  private readonly entries = new Map<string, Entry>();
  private readonly log: Logger;
  private picking: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: ExecutorContext) {
    this.log = ctx.logger.child({ component: 'staging' });
  }

  /** The channel's command is being sent: stage the job it would run next (replacing an earlier staging). */
  stageAfter(account: AccountRecord): void {
    if (!this.ctx.driver.stage) return;
    this.discard(account.channel);
    const entry: Entry = {
      account,
      jobId: null,
      idle: false,
      at: this.ctx.now(),
      controller: new AbortController(),
      uploads: Promise.resolve(null),
    };
    this.entries.set(account.channel, entry);
    entry.uploads = this.stage(account, entry).catch((error: unknown) => {
      this.log.debug(
        { err: error, channel: account.channel, job: entry.jobId },
        'staging failed: the job will upload its images when it runs',
      );
      return null;
    });
  }

  /**
   * The staged uploads of `jobId` on `channel`, when this instance staged that job there (waiting for
   * uploads still in flight); null otherwise, and a staging for another job is dropped.
   */
  take(channel: string, jobId: string): Promise<StagedUploads | null> | null {
    const entry = this.entries.get(channel);
    if (!entry) return null;
    this.entries.delete(channel);
    if (entry.jobId === jobId) return entry.uploads;
    entry.controller.abort();
    return null;
  }

  /** A job entered or left a queue: the busy channels that found nothing to stage look again. */
  queueChanged(): void {
    for (const entry of [...this.entries.values()]) if (entry.idle) this.stageAfter(entry.account);
  }

  /** The channel's run here ended: it is no longer busy, so a staging that found nothing is dropped. */
  runEnded(channel: string): void {
    const entry = this.entries.get(channel);
    if (entry && !entry.jobId) this.discard(channel);
  }

  discard(channel: string): void {
    this.entries.get(channel)?.controller.abort();
    this.entries.delete(channel);
  }

  /** Stagings whose channel was claimed elsewhere are never taken: gone once their uploads would be too old to use. */
  private dropStale(): void {
    const oldest = this.ctx.now() - INFERRED.stagedUploadMaxAgeMs;
    for (const [channel, entry] of [...this.entries]) if (entry.at < oldest) this.discard(channel);
  }

  discardAll(): void {
    for (const channel of [...this.entries.keys()]) this.discard(channel);
  }

  /** Picks the entry's job: one peek at a time, so each sees the jobs the earlier ones picked. */
  private pick(account: AccountRecord, entry: Entry): Promise<Job | null> {
    const { ctx } = this;
    const picked = this.picking.then(async () => {
      if (entry.controller.signal.aborted) return null;
      this.dropStale();
      const passOver = [...this.entries.values()].flatMap((e) => (e !== entry && e.jobId ? [e.jobId] : []));
      const job = await ctx.coordinator.peekNext({
        channel: account.channel,
        day: utcDay(ctx.now()),
        creditCost: ctx.config.jobs.creditCost,
        creditsPerDay: ctx.config.jobs.creditsPerDay,
        passOver,
      });
      if (job && !entry.controller.signal.aborted) entry.jobId = job.id;
      else entry.idle = !job;
      return entry.jobId ? job : null;
    });
    this.picking = picked.then(
      () => undefined,
      () => undefined,
    );
    return picked;
  }

  private async stage(account: AccountRecord, entry: Entry): Promise<StagedUploads | null> {
    const { ctx } = this;
    const job = await this.pick(account, entry);
    const inputs = job ? inputsOf(job, ctx.blobs) : null;
    if (!job || !inputs || (!inputs.source && !inputs.target) || entry.controller.signal.aborted) return null;
    const staged = await ctx.driver.stage!(
      {
        jobId: job.id,
        account: discordAccountOf(account),
        command: commandOf(job.verb),
        options: job.options,
        idname: job.idname ?? null,
        ...inputs,
      },
      // Bounded like a run (JOB_TIMEOUT_MS): a run that takes these uploads waits for them.
      AbortSignal.any([entry.controller.signal, ctx.clock.timeoutSignal(ctx.config.jobs.timeoutMs)]),
    );
    this.log.debug({ channel: account.channel, job: job.id }, 'staged the next job’s images');
    return staged;
  }
}
