/**
 * Dispatch: claims the queue head for every free channel, from any instance (a job's inputs are in
 * the blob store), and starts its run here. Passes are serialised per instance; a wake-up during a
 * pass schedules one more. Wake-ups: a channel freed anywhere (event), a sweep (a job accepted
 * here, the slow safety tick for whatever pub/sub lost, a recovery).
 *
 * A claim says why it took nothing (ClaimMiss), and dispatch tries a channel again only where a
 * claim can succeed (./dispatch-memo.ts): a held channel not before its freed event or its lease's
 * end, a channel with nothing queued for it or out of rotation not before an event or a sweep. A
 * pass stops once a claim saw nothing queued anywhere.
 */
import { randomBytes } from 'node:crypto';
import { gateOf, pacingOf } from '../../jobs/account-pacing.js';
import { maskToken, type Job } from '../../jobs/model.js';
import { isClaimed, STORE_LOST, utcDay, type AccountRecord } from '../store/port.js';
import { lostPatch, type ExecutorContext } from '../context.js';
import { AccountSnapshot } from '../account-snapshot.js';
import { DispatchMemo } from './dispatch-memo.js';
import type { StoreLossBackup } from '../store-loss-backup.js';
import type { RunningJobs } from './runs.js';
import type { TerminalEffects } from './terminal-effects.js';
import type { ClockTimer } from '../../timing/clock.js';

/** How long dispatch reuses its list of accounts (it re-reads at once for a channel it does not know). */
const ACCOUNTS_REREAD_MS = 1000;

export interface DispatcherDeps {
  ctx: ExecutorContext;
  runs: RunningJobs;
  journal: StoreLossBackup;
  terminal: TerminalEffects;
  /** The store lost its data: recover before claiming again. */
  onStoreLost(): void;
  random?: () => number;
}

type Tried = 'started' | 'missed' | 'nothing-queued' | 'store-lost';

export class Dispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private sweepPending = true;
  private readonly freedFirst = new Set<string>();
  private readonly accounts: AccountSnapshot;
  private readonly random: () => number;
  private readonly memo: DispatchMemo;
  private readonly stopReconnect: () => void;
  /** Wakes dispatch when an account's known wait ends (pacing, cooldown), instead of at the next safety tick. */
  private retryTimer: ClockTimer | null = null;
  private retryAt = Infinity;

  constructor(private readonly deps: DispatcherDeps) {
    this.random = deps.random ?? Math.random;
    this.accounts = new AccountSnapshot(deps.ctx.coordinator, deps.ctx.now, ACCOUNTS_REREAD_MS);
    this.memo = new DispatchMemo(deps.ctx.now, Math.floor(deps.ctx.config.jobs.leaseTtlMs / 3));
    // Events may have been lost while the event connection was down: nothing remembered holds.
    this.stopReconnect = deps.ctx.coordinator.onReconnect(() => {
      this.memo.forgetAll();
      this.poke();
    });
  }

  /**
   * Runs a pass now (or one more after the current one); resolves when no pass is pending. With a
   * channel: that channel was freed (tried first). Without: a sweep, which also tries the channels
   * last seen with nothing to run or out of rotation.
   */
  wake(freedChannel?: string): Promise<void> {
    if (freedChannel) {
      this.freedFirst.add(freedChannel);
      this.memo.freed(freedChannel);
    } else {
      this.sweepPending = true;
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch((error: unknown) =>
          this.deps.ctx.logger.warn({ err: error }, 'dispatch failed; retrying on the next wake-up'),
        );
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** `wake` for callers that do not wait (it never rejects: a failed pass is logged). */
  poke(freedChannel?: string): void {
    this.wake(freedChannel).catch(() => undefined);
  }

  /** An account changed: the next pass reads the list again. */
  accountsChanged(): void {
    this.accounts.invalidate();
  }

  stop(): void {
    this.stopped = true;
    this.stopReconnect();
    this.deps.ctx.clock.clearTimeout(this.retryTimer);
  }

  private scheduleRetry(): void {
    const at = this.memo.nextRetryAt();
    if (at === null || this.stopped || at >= this.retryAt) return;
    this.deps.ctx.clock.clearTimeout(this.retryTimer);
    this.retryAt = at;
    const retry = () => {
      this.retryTimer = null;
      this.retryAt = Infinity;
      this.poke();
    };
    this.retryTimer = this.deps.ctx.clock.setTimeout(retry, Math.max(0, at - this.deps.ctx.now())).unref();
  }

  private async pass(): Promise<void> {
    const preferred = [...this.freedFirst];
    this.freedFirst.clear();
    const sweep = this.sweepPending;
    this.sweepPending = false;
    if (this.stopped) return;
    // The claim script re-checks every account atomically: a list a moment old only orders the tries.
    let accounts = await this.accounts.get();
    if (preferred.some((c) => !accounts.some((a) => a.channel === c))) accounts = await this.accounts.get(true);
    this.deps.journal.sawAccounts(accounts);
    const order = this.shuffle(accounts.filter((a) => this.memo.mayClaim(a.channel, sweep))).sort(
      (a, b) => Number(preferred.includes(b.channel)) - Number(preferred.includes(a.channel)),
    );
    try {
      for (const account of order) {
        if (this.stopped) return;
        const tried = await this.claimOn(account);
        if (tried === 'store-lost' || tried === 'nothing-queued') return;
      }
    } finally {
      this.scheduleRetry();
    }
  }

  private async claimOn(account: AccountRecord): Promise<Tried> {
    const { ctx } = this.deps;
    const token = randomBytes(12).toString('hex');
    const now = ctx.now();
    const sent = this.memo.sending();
    const result = await ctx.coordinator.claim({
      channel: account.channel,
      instance: ctx.instanceId,
      token,
      ttlMs: ctx.config.jobs.leaseTtlMs,
      nowMs: now,
      day: utcDay(now),
      gate: gateOf(pacingOf(account, ctx.config.accounts.pacing), now),
      creditCost: ctx.config.jobs.creditCost,
      creditsPerDay: ctx.config.jobs.creditsPerDay,
      // Any queued job, whichever instance accepted it: its inputs are in the blob store.
      recordsCommands: true,
      start: { server: account.server, discord: maskToken(account.discord), startedAt: new Date(now).toISOString() },
      lost: { patch: lostPatch(now), retentionSec: ctx.retentionSec, jobTimeoutMs: ctx.config.jobs.timeoutMs },
    });
    if (result === STORE_LOST) {
      this.deps.onStoreLost();
      return 'store-lost';
    }
    this.applyReaped(result.reaped);
    if (!isClaimed(result)) {
      this.memo.missed(account.channel, sent, result);
      return result.missed === 'empty' && result.queued === 0 ? 'nothing-queued' : 'missed';
    }
    this.memo.claimed(account.channel);
    this.deps.runs.start(result, token, account);
    return 'started';
  }

  private applyReaped(reaped: Job[]): void {
    const { ctx } = this.deps;
    for (const job of reaped) {
      ctx.logger.warn(
        { job: job.id, channel: job.channel },
        'finished a job whose holder vanished and whose command is too old to follow (EXECUTOR_LOST)',
      );
      this.deps.terminal.apply(job).catch((error: unknown) => ctx.logger.warn({ err: error, job: job.id }, 'terminal effects failed'));
    }
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
