/**
 * Queued jobs no account may run until a person acts: pinned to an account that needs a person, is
 * paused or is no longer configured, or (any channel) while every account is so. Admission refuses
 * such requests; this check fails the jobs that were queued before, with ACCOUNT_UNAVAILABLE and the
 * account's state, instead of leaving them waiting with no sign of why. The queue is walked only when
 * the accounts out of rotation change (twice, for a job admitted on an account list a moment old).
 */
import { currentHealth, inRotation } from '../../jobs/account.js';
import type { Job } from '../../jobs/model.js';
import { accountUnavailable } from '../account-faults.js';
import type { AccountRecord, JobPatch } from '../store/port.js';
import type { StarvationContext } from './credit-starvation.js';
import type { TerminalEffects } from '../run/terminal-effects.js';

const WALKS_PER_CHANGE = 2;

export class UnrunnableJobs {
  private seen = '';
  private walksLeft = 0;

  constructor(
    private readonly ctx: StarvationContext,
    private readonly terminal: TerminalEffects,
  ) {}

  async failUnrunnableJobs(): Promise<Job[]> {
    const { coordinator, now } = this.ctx;
    const accounts = await coordinator.listAccounts();
    const held = accounts.filter((a) => !inRotation(a, now()));
    const key = JSON.stringify([accounts.map((a) => a.channel).sort(), held.map((a) => a.channel).sort()]);
    if (key !== this.seen) {
      this.seen = key;
      this.walksLeft = WALKS_PER_CHANGE;
    }
    if (this.walksLeft === 0) return [];
    this.walksLeft--;
    if ((await coordinator.queueSize('')).total === 0) return [];
    const byChannel = new Map(accounts.map((a) => [a.channel, a]));
    const anyRuns = accounts.length > held.length;
    const failed: Job[] = [];
    for (const job of await coordinator.queuedJobs()) {
      const patch = this.failureOf(job, byChannel, anyRuns);
      if (!patch) continue;
      const written = await coordinator.updateJob(job.id, { from: ['QUEUED'], patch, retentionSec: this.ctx.retentionSec });
      if (!written) continue;
      this.ctx.logger.warn({ job: job.id, channel: job.requestedChannel }, `failed a queued job no account may run: ${patch.error}`);
      await this.terminal.apply(written);
      failed.push(written);
    }
    return failed;
  }

  private failureOf(job: Job, byChannel: Map<string, AccountRecord>, anyRuns: boolean): JobPatch | null {
    const finishedAt = new Date(this.ctx.now()).toISOString();
    if (job.requestedChannel === null) {
      if (anyRuns) return null;
      return {
        status: 'FAILED',
        code: 'ACCOUNT_UNAVAILABLE',
        error: 'No Discord account is in rotation: every account needs a person or is paused',
        errorDetails: null,
        finishedAt,
      };
    }
    const account = byChannel.get(job.requestedChannel);
    if (!account)
      return {
        status: 'FAILED',
        code: 'ACCOUNT_UNAVAILABLE',
        error: `No account is configured for channel ${job.requestedChannel} any more (removed, or not in DISCORD_ACCOUNTS)`,
        errorDetails: null,
        finishedAt,
      };
    if (inRotation(account, this.ctx.now())) return null;
    return { ...accountUnavailable(account, currentHealth(account.health, this.ctx.now())), finishedAt };
  }
}
