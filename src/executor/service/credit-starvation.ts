/**
 * Queued jobs that cannot run before the credits reset. The claim skips a channel whose account
 * has spent its credits for the UTC day (or whose bot said so), so a queued job whose every
 * eligible channel is spent would wait until 00:00 UTC with no sign of why. This check fails such
 * jobs with PAYMENT_REQUIRED instead, at once and with a clear error; the submit-time check
 * (admission.ts) already refuses a new job when no eligible channel has credits for it.
 */
import { COMMAND_COSTS, GIF_RULES } from '../../jobs/command-costs.js';
import { currentHealth, inRotation } from '../../jobs/account.js';
import type { Job } from '../../jobs/model.js';
import { creditCostOf, utcDay, type AccountRecord } from '../store/port.js';
import type { ExecutorContext } from '../context.js';
import type { TerminalEffects } from '../run/terminal-effects.js';

/** How often the reservation counters are recounted from the reservations (TOKEN_DAILY_CREDITS). */
const RECOUNT_EVERY_MS = 60_000;

export const CREDITS_SPENT_ERROR =
  'Every channel this job may run on has spent its credits for today; credits reset at 00:00 UTC. Submit it again after the reset.';

/** What the check reads: the stores, the credit settings and the clock. */
export type StarvationContext = Pick<ExecutorContext, 'config' | 'coordinator' | 'logger' | 'now' | 'retentionSec'>;

export class CreditStarvation {
  private recountedAt = -Infinity;

  constructor(
    private readonly ctx: StarvationContext,
    private readonly terminal: TerminalEffects,
  ) {}

  /**
   * One pass: fails the queued jobs none of whose eligible channels has enough credits left today
   * for them. With TOKEN_DAILY_CREDITS, at most once a minute, first recounts the credits queued jobs
   * hold (a reservation whose release did not run, the process having died in between, is dropped).
   */
  async failStarvedJobs(): Promise<Job[]> {
    const { coordinator, now } = this.ctx;
    if (this.ctx.config.jobs.tokenDailyCredits !== null && now() - this.recountedAt >= RECOUNT_EVERY_MS) {
      this.recountedAt = now();
      await coordinator.recountReservations();
    }
    if ((await coordinator.queueSize('')).total === 0) return [];
    const enabled = (await coordinator.listAccounts()).filter((a) => inRotation(a, now()));
    const left = await this.creditsLeft(enabled);
    // With a queue, one read per channel; the queue is walked only when a channel could not pay for the dearest job.
    const dearest = this.dearestJob();
    if ([...left.values()].every((credits) => credits >= dearest)) return [];
    const anyChannel = Math.max(...left.values());
    const starved = (await coordinator.queuedJobs()).filter(
      (job) => this.costOf(job) > (job.requestedChannel === null ? anyChannel : (left.get(job.requestedChannel) ?? Infinity)),
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
        { job: job.id, channel: job.requestedChannel, creditCost: this.costOf(job) },
        'failed a queued job: its channels have not enough credits left today (PAYMENT_REQUIRED)',
      );
      await this.terminal.apply(written);
      failed.push(written);
    }
    return failed;
  }

  private costOf(job: Job): number {
    return creditCostOf(job, this.ctx.config.jobs.creditCost);
  }

  /** The most any job can cost: the configured /picsi price or the dearest entry of the cost table. */
  private dearestJob(): number {
    return Math.max(
      this.ctx.config.jobs.creditCost,
      ...Object.values(COMMAND_COSTS).map((c) => c.value),
      ...Object.values(GIF_RULES).map((r) => r.credits.value),
    );
  }

  /** Credits each channel has left today; -Infinity once its bot said they are spent. */
  private async creditsLeft(accounts: AccountRecord[]): Promise<Map<string, number>> {
    const day = utcDay(this.ctx.now());
    const { creditsPerDay } = this.ctx.config.jobs;
    const used = await this.ctx.coordinator.creditsUsedOn(
      accounts.map((a) => a.channel),
      day,
    );
    const spent = (a: AccountRecord) => currentHealth(a.health, this.ctx.now()).state === 'OUT_OF_CREDITS';
    return new Map(accounts.map((a, i) => [a.channel, spent(a) ? -Infinity : creditsPerDay - (used[i] ?? 0)]));
  }
}
