/**
 * Result copies after the channel's release (docs/channel-hold.md): the bot's answer frees the
 * channel at once (the store's releaseForCopy) and its result files are copied here, as durable work
 * with a lease of its own. The job stays STARTED until the copy ends and is then COMPLETED with each
 * file's copy state (STORED, or FAILED after the copy's bounded retries), so a client never sees
 * COMPLETED without the copy state and callbacks (fired at the terminal state) carry the durable
 * link. A copy whose holder died is taken over by the reaper of any instance (`resume`).
 */
import type { Dispatcher } from 'undici';
import type { Job } from '../../../jobs/model.js';
import type { JobPatch } from '../../store/port.js';
import { discordAccountOf, type ExecutorContext } from '../../context.js';
import type { CopyRemote } from '../results.js';
import type { TerminalEffects } from '../terminal-effects.js';
import { runCopy, type CopyRun } from './copy-run.js';

/** What the worker needs: hand over a released job with the token of its copy lease. */
export interface CopyStarter {
  start(job: Job, token: string, through?: Dispatcher): void;
}

export class ResultCopies implements CopyStarter {
  private readonly copies = new Map<string, CopyRun>();

  constructor(
    private readonly ctx: ExecutorContext,
    private readonly copyResult: CopyRemote,
    private readonly terminal: TerminalEffects,
    /** Restores the record of a job the store lost, with this outcome (../../service/recovery.ts); null when the store still has it. */
    private readonly restoreLostRun: (id: string, attempted: JobPatch) => Promise<Job | null>,
  ) {}

  get size(): number {
    return this.copies.size;
  }

  start(job: Job, token: string, through?: Dispatcher): void {
    const { ctx } = this;
    if (this.copies.has(job.id)) return;
    const run = runCopy(
      {
        coordinator: ctx.coordinator,
        copyResult: this.copyResult,
        logger: ctx.logger,
        clock: ctx.clock,
        leaseTtlMs: ctx.config.jobs.leaseTtlMs,
        retentionSec: ctx.retentionSec,
      },
      job,
      token,
      through,
    );
    this.copies.set(job.id, run);
    run.done
      .then(async (completed) => {
        this.copies.delete(job.id);
        await this.terminal.apply(completed ?? (await this.restoreIfLost(job.id)));
      })
      .catch((error: unknown) => ctx.logger.error({ err: error, job: job.id }, 'could not finish a result copy'));
  }

  /** A copy taken over from a holder that vanished: downloads go through the account's own connections. */
  async resume(job: Job, token: string): Promise<void> {
    const { ctx } = this;
    ctx.logger.warn({ job: job.id, channel: job.channel }, 'took over a result copy whose holder vanished');
    const account = job.channel ? await ctx.coordinator.getAccount(job.channel).catch(() => null) : null;
    this.start(job, token, account ? ctx.driver.dispatcherFor?.(discordAccountOf(account)) : undefined);
  }

  /**
   * A copy that wrote nothing because the store lost the job's record (Redis restarted empty): no
   * reaper can take it over, so it ends here, EXECUTOR_LOST like a run the loss stopped. A copy
   * whose lease another instance took over is left to it (the record still exists: nothing restored).
   */
  private async restoreIfLost(id: string): Promise<Job | null> {
    const at = new Date(this.ctx.now()).toISOString();
    const outcome: JobPatch = {
      status: 'FAILED',
      code: 'EXECUTOR_LOST',
      error: "The job store (Redis) lost its data while this job's result was being copied; it was stopped",
      errorDetails: null,
      copying: null,
      finishedAt: at,
    };
    return this.restoreLostRun(id, outcome).catch(() => null);
  }

  /** Stops every copy here: their leases lapse and the reaper of a live instance takes them over. */
  abortAll(): void {
    for (const run of this.copies.values()) run.abort();
  }

  /** Resolves when every copy running now has ended. */
  drained(): Promise<unknown> {
    return Promise.all([...this.copies.values()].map((c) => c.done));
  }
}
