/**
 * Recovery: the reaper (every instance, about once a second: a running job whose holder vanished
 * is handed back by the store — requeued if its command was not sent, left for adoption by the
 * channel's next holder if it was, EXECUTOR_LOST otherwise; a result copy whose holder vanished is
 * taken over and finished here: ../run/result-copies/) and the restore after a store loss
 * (Redis restarted empty: accounts, queued and recently finished jobs written back from the journal).
 */
import { randomBytes } from 'node:crypto';
import type { DiscordAccount } from '../../discord/types.js';
import type { Job } from '../../jobs/model.js';
import type { JobPatch } from '../store/port.js';
import { discordAccountOf, lostPatch, type ExecutorContext } from '../context.js';
import type { StoreLossBackup } from '../store-loss-backup.js';
import type { TerminalEffects } from '../run/terminal-effects.js';

export interface RecoveryDeps {
  ctx: ExecutorContext;
  journal: StoreLossBackup;
  terminal: TerminalEffects;
  /** Accounts from configuration: registered again if the store loses its data. */
  configuredAccounts: DiscordAccount[];
  isRunningHere(id: string): boolean;
  /** How many runs are active here (for the recovery log line). */
  runningHere(): number;
  /** Jobs are back in the queue (recovery done, or requeued by the reaper): dispatch. */
  onRecovered(): void;
  /** A result copy this reaper took over (its holder vanished), with the token of its new copy lease. */
  resumeCopy(job: Job, token: string): Promise<void>;
}

/** Expired holders settled per reap call. */
const REAP_BATCH = 100;

export class Recovery {
  private recovering: Promise<void> | null = null;

  constructor(private readonly deps: RecoveryDeps) {}

  async checkStore(): Promise<void> {
    if ((await this.deps.ctx.coordinator.checkStore()) === 'lost') await this.recover();
  }

  /** One reaper pass. */
  async reap(): Promise<void> {
    const { coordinator, retentionSec, now, logger, config } = this.deps.ctx;
    await this.checkStore();
    for (let more = true; more;) {
      const copyToken = randomBytes(12).toString('hex');
      const reaped = await coordinator.reap({
        nowMs: now(),
        limit: REAP_BATCH,
        lost: { patch: lostPatch(now()), retentionSec, jobTimeoutMs: config.jobs.timeoutMs },
        copies: { token: copyToken, ttlMs: config.jobs.leaseTtlMs },
      });
      for (const job of reaped.copies) await this.deps.resumeCopy(job, copyToken);
      for (const job of reaped.requeued)
        logger.warn(
          { job: job.id, channel: job.channel },
          "a job whose holder vanished before sending anything is back at the head of its token's line",
        );
      for (const job of reaped.failed) {
        logger.warn(
          { job: job.id, channel: job.channel },
          'reaped a job whose holder vanished and whose command is too old to follow (EXECUTOR_LOST)',
        );
        await this.deps.terminal.apply(job);
      }
      if (reaped.requeued.length > 0) this.deps.onRecovered();
      more = reaped.more;
    }
    await this.refreshJournal();
  }

  /** Jobs accepted here may run and end anywhere: keep the journal's copies current. */
  private async refreshJournal(): Promise<void> {
    const ids = this.deps.journal.unfinishedIds().filter((id) => !this.deps.isRunningHere(id));
    if (ids.length === 0) return;
    for (const job of await this.deps.ctx.coordinator.getJobs(ids)) this.deps.journal.record(job);
  }

  /** `recover` for callers that do not wait (it never rejects: a failure is logged and retried). */
  startRecovery(): void {
    this.recover().catch(() => undefined);
  }

  /**
   * After the store lost its data: register the accounts again and put the queued jobs this
   * instance accepted back in the queue, in their order. Jobs that were running lose their lease,
   * stop, and are restored with their outcome (restoreLostRun).
   */
  recover(): Promise<void> {
    const { coordinator, retentionSec, now, logger } = this.deps.ctx;
    const { journal } = this.deps;
    this.recovering ??= (async () => {
      const accounts = new Map<string, DiscordAccount>();
      for (const a of [...journal.accounts(), ...this.deps.configuredAccounts]) accounts.set(a.channel, discordAccountOf(a));
      const configured = new Set(this.deps.configuredAccounts.map((a) => a.channel));
      for (const account of accounts.values())
        await coordinator.upsertAccount(account, { managed: configured.has(account.channel) ? 'CONFIG' : 'API', keepState: true });
      let restoredFinished = 0;
      for (const job of journal.finishedJobs()) if (await coordinator.restoreJob(job, retentionSec)) restoredFinished++;
      let requeued = 0;
      for (const job of journal.queued()) {
        if (this.deps.isRunningHere(job.id)) continue;
        const restored: Job = { ...job, version: job.version + 1, updated: new Date(now()).toISOString() };
        if (await coordinator.restoreJob(restored, retentionSec)) requeued++;
        journal.record(restored);
      }
      logger.warn(
        { accounts: accounts.size, requeued, restoredFinished, running: this.deps.runningHere() },
        'recovered from a job store data loss: accounts, queued and recently finished jobs restored',
      );
    })()
      .catch((error: unknown) => logger.warn({ err: error }, 'recovery after a store loss failed; retrying on the next pass'))
      .finally(() => {
        this.recovering = null;
        this.deps.onRecovered();
      });
    return this.recovering;
  }

  /**
   * A run whose outcome the store refused: if the record itself is gone (store loss), restore it
   * with the outcome the run reached. That outcome is sound: a new epoch held the channel for a
   * lease TTL, so no other instance acted on it meanwhile.
   */
  async restoreLostRun(id: string, attempted: JobPatch | null): Promise<Job | null> {
    const { coordinator, retentionSec, now } = this.deps.ctx;
    const known = this.deps.journal.get(id);
    if (!known || (await coordinator.getJob(id))) return null;
    const at = new Date(now()).toISOString();
    const outcome: JobPatch = attempted ?? {
      status: 'FAILED',
      code: 'EXECUTOR_LOST',
      error: 'The job store (Redis) lost its data while this job ran; it was stopped',
      errorDetails: null,
      finishedAt: at,
    };
    const restored: Job = { ...known, ...outcome, version: known.version + 1, updated: at };
    return (await coordinator.restoreJob(restored, retentionSec)) ? restored : null;
  }
}
