/**
 * Queued jobs that cannot run before the credits reset. The claim skips a channel whose account
 * has spent its credits for the UTC day (or whose bot said so), so a queued job whose every
 * eligible channel is spent would wait until 00:00 UTC with no sign of why. This check fails such
 * jobs with PAYMENT_REQUIRED instead, at once and with a clear error; the submit-time check
 * (admission.ts) already refuses a new job when no eligible channel has credits for it.
 */
import type { Job } from '../jobs/model.js';
import { utcDay, type AccountRecord } from './coordinator.js';
import type { ExecutorContext } from './context.js';
import type { TerminalEffects } from './terminal-effects.js';

export const CREDITS_SPENT_ERROR =
  'Every channel this job may run on has spent its credits for today; credits reset at 00:00 UTC. Submit it again after the reset.';

export class CreditStarvation {
  constructor(
    private readonly ctx: ExecutorContext,
    private readonly terminal: TerminalEffects,
  ) {}

  /** One pass: fails the queued jobs none of whose eligible channels has credits left today. */
  async failStarvedJobs(): Promise<Job[]> {
    const { coordinator, now } = this.ctx;
    if ((await coordinator.queueSize('')).total === 0) return [];
    const enabled = (await coordinator.listAccounts()).filter((a) => a.enabled);
    const spent = await this.spentChannels(enabled);
    // With a queue, one read per channel; the queue is walked only when a channel is spent.
    if (spent.size === 0) return [];
    const anyChannelStarved = enabled.every((a) => spent.has(a.channel));
    const starved = (await coordinator.queuedJobs()).filter((job) =>
      job.requestedChannel === null ? anyChannelStarved : spent.has(job.requestedChannel),
    );
    const failed: Job[] = [];
    for (const job of starved) {
      const patch = {
        status: 'FAILED' as const,
        code: 'PAYMENT_REQUIRED',
        error: CREDITS_SPENT_ERROR,
        finishedAt: new Date(now()).toISOString(),
      };
      // Only while still queued: a job a channel took meanwhile runs as usual.
      const written = await coordinator.updateJob(job.id, { from: ['QUEUED'], patch, retentionSec: this.ctx.retentionSec });
      if (!written) continue;
      this.ctx.logger.warn(
        { job: job.id, channel: job.requestedChannel },
        'failed a queued job: its channels have no credits left today (PAYMENT_REQUIRED)',
      );
      await this.terminal.apply(written);
      failed.push(written);
    }
    return failed;
  }

  private async spentChannels(accounts: AccountRecord[]): Promise<Set<string>> {
    const day = utcDay(this.ctx.now());
    const { creditCost, creditsPerDay } = this.ctx.config.jobs;
    const used = await Promise.all(
      accounts.map((a) => (a.exhaustedDay === day ? Promise.resolve(Infinity) : this.ctx.coordinator.creditsUsed(a.channel, day))),
    );
    return new Set(accounts.filter((_, i) => used[i]! + creditCost > creditsPerDay).map((a) => a.channel));
  }
}
