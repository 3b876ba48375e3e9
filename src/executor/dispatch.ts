/**
 * Dispatch: claims the queue head for every free channel, from any instance (a job's inputs are in
 * the blob store), and starts its run here. Passes are serialised per instance; a wake-up during a
 * pass schedules one more. Wake-ups: a channel freed anywhere (event), a job accepted here, and a
 * slow safety tick for whatever pub/sub lost.
 */
import { randomBytes } from 'node:crypto';
import { maskToken } from '../jobs/model.js';
import { STORE_LOST, utcDay, type AccountRecord } from './coordinator.js';
import { lostPatch, type ExecutorContext } from './context.js';
import type { StoreLossJournal } from './store-loss-journal.js';
import type { RunningJobs } from './runs.js';
import type { TerminalEffects } from './terminal-effects.js';

/** How long dispatch reuses its list of accounts (it re-reads at once for a channel it does not know). */
const ACCOUNTS_REREAD_MS = 1000;

export interface DispatcherDeps {
  ctx: ExecutorContext;
  runs: RunningJobs;
  journal: StoreLossJournal;
  terminal: TerminalEffects;
  /** The store lost its data: recover before claiming again. */
  onStoreLost(): void;
  random?: () => number;
}

export class Dispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly freedFirst = new Set<string>();
  private accounts: AccountRecord[] = [];
  private accountsReadAt = -Infinity;
  private readonly random: () => number;

  constructor(private readonly deps: DispatcherDeps) {
    this.random = deps.random ?? Math.random;
  }

  /** Runs a pass now (or one more after the current one); resolves when no pass is pending. */
  wake(freedChannel?: string): Promise<void> {
    if (freedChannel) this.freedFirst.add(freedChannel);
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

  stop(): void {
    this.stopped = true;
  }

  private async pass(): Promise<void> {
    const { ctx } = this.deps;
    const preferred = [...this.freedFirst];
    this.freedFirst.clear();
    if (this.stopped) return;
    // The claim script re-checks every account atomically: a list a moment old only orders the tries.
    if (ctx.now() - this.accountsReadAt > ACCOUNTS_REREAD_MS || preferred.some((c) => !this.accounts.some((a) => a.channel === c))) {
      this.accounts = await ctx.coordinator.listAccounts();
      this.accountsReadAt = ctx.now();
      this.deps.journal.sawAccounts(this.accounts);
    }
    const order = this.shuffle([...this.accounts]).sort(
      (a, b) => Number(preferred.includes(b.channel)) - Number(preferred.includes(a.channel)),
    );
    for (const account of order) {
      if (this.stopped || (await this.claimOn(account)) === 'store-lost') return;
    }
  }

  private async claimOn(account: AccountRecord): Promise<'started' | 'nothing' | 'store-lost'> {
    const { ctx } = this.deps;
    const token = randomBytes(12).toString('hex');
    const now = ctx.now();
    const claimed = await ctx.coordinator.claim({
      channel: account.channel,
      instance: ctx.instanceId,
      token,
      ttlMs: ctx.config.jobs.leaseTtlMs,
      nowMs: now,
      day: utcDay(now),
      creditCost: ctx.config.jobs.creditCost,
      creditsPerDay: ctx.config.jobs.creditsPerDay,
      // Any queued job, whichever instance accepted it: its inputs are in the blob store.
      recordsCommands: true,
      start: { server: account.server, discord: maskToken(account.discord), startedAt: new Date(now).toISOString() },
      lost: { patch: lostPatch(now), retentionSec: ctx.retentionSec, jobTimeoutMs: ctx.config.jobs.timeoutMs },
    });
    if (!claimed) return 'nothing';
    if (claimed === STORE_LOST) {
      this.deps.onStoreLost();
      return 'store-lost';
    }
    for (const job of claimed.reaped) {
      ctx.logger.warn(
        { job: job.id, channel: job.channel },
        'finished a job whose holder vanished and whose command is too old to follow (EXECUTOR_LOST)',
      );
      this.deps.terminal.apply(job).catch((error: unknown) => ctx.logger.warn({ err: error, job: job.id }, 'terminal effects failed'));
    }
    this.deps.runs.start(claimed, token, account);
    return 'started';
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
