/** The jobs this instance is running right now: started from a claim, aborted on cancel or shutdown. */
import { inRotation } from '../../jobs/account.js';
import { pacingOf } from '../../jobs/account-pacing.js';
import type { Job } from '../../jobs/model.js';
import type { AccountRecord, Claimed } from '../store/port.js';
import { discordAccountOf, type ExecutorContext } from '../context.js';
import { inputsOf } from './inputs.js';
import type { StoreLossBackup } from '../store-loss-backup.js';
import type { CopyRemote } from './results.js';
import { ResultCopies } from './result-copies/index.js';
import { Staging } from './staging.js';
import type { TerminalEffects } from './terminal-effects.js';
import { runJob, type AbortReason, type RunningJob } from './worker.js';

export interface RunsDeps {
  ctx: ExecutorContext;
  journal: StoreLossBackup;
  terminal: TerminalEffects;
  copyResult: CopyRemote;
  /** Restores the outcome of a run whose record the store lost (recovery.ts). */
  restoreLostRun(id: string, attempted: ReturnType<RunningJob['attemptedOutcome']>): Promise<Job | null>;
  /** Called when a run ended and its channel is free. */
  onChannelFreed(channel: string): void;
}

export class RunningJobs {
  private readonly runs = new Map<string, RunningJob>();
  /** Result copies of runs that ended (here, or taken over from an instance that died). */
  readonly copies: ResultCopies;
  /** The next job's uploads on each channel this instance runs (./staging.ts). */
  readonly staging: Staging;

  constructor(private readonly deps: RunsDeps) {
    this.copies = new ResultCopies(deps.ctx, deps.copyResult, deps.terminal, (id, attempted) => deps.restoreLostRun(id, attempted));
    this.staging = new Staging(deps.ctx);
  }

  get size(): number {
    return this.runs.size;
  }

  has(id: string): boolean {
    return this.runs.has(id);
  }

  start(claimed: Claimed, token: string, account: AccountRecord): void {
    const { ctx } = this.deps;
    const job = claimed.job;
    const workerDeps = {
      coordinator: ctx.coordinator,
      driver: ctx.driver,
      logger: ctx.logger,
      clock: ctx.clock,
      leaseTtlMs: ctx.config.jobs.leaseTtlMs,
      retentionSec: ctx.retentionSec,
      copies: this.copies,
      onSending: () => this.staging.stageAfter(account),
      pacing: pacingOf(account, ctx.config.accounts.pacing),
      random: ctx.random,
      faults: {
        coordinator: ctx.coordinator,
        health: ctx.health,
        anotherAccountInRotation: async (channel: string) =>
          (await ctx.coordinator.listAccounts()).some((a) => a.channel !== channel && inRotation(a, ctx.now())),
      },
    };
    const staged = claimed.adopted ? null : this.staging.take(account.channel, job.id);
    const run = runJob(workerDeps, claimed, token, discordAccountOf(account), inputsOf(job, ctx.blobs), staged);
    this.runs.set(job.id, run);
    this.deps.journal.record(job);
    run.done
      .then(async (finished) => {
        this.runs.delete(job.id);
        this.staging.runEnded(job.channel!);
        const outcome = finished ?? (await this.deps.restoreLostRun(job.id, run.attemptedOutcome()).catch(() => null));
        this.deps.onChannelFreed(job.channel!);
        if (!outcome) this.deps.journal.forget(job.id);
        await this.deps.terminal.apply(outcome);
      })
      .catch((error: unknown) => ctx.logger.error({ err: error, job: job.id }, 'could not finish a run'));
  }

  abort(id: string, reason: AbortReason): void {
    this.runs.get(id)?.abort(reason);
  }

  abortAll(reason: AbortReason): void {
    for (const run of this.runs.values()) run.abort(reason);
    if (reason === 'shutdown') {
      this.copies.abortAll();
      this.staging.discardAll();
    }
  }

  /** Resolves when every run and result copy here has ended (a run that ends may start a copy). */
  async drained(): Promise<void> {
    while (this.runs.size > 0 || this.copies.size > 0) {
      await Promise.all([...this.runs.values()].map((r) => r.done));
      await this.copies.drained();
    }
  }
}
