/**
 * What this instance knows that the job store could lose (Redis restarted without persistence):
 * the jobs it accepted that are not finished, the jobs that ended here recently, and the accounts
 * it saw. Nothing else reads it; recovery writes it back after a store loss (see recovery.ts).
 */
import { LRUCache } from 'lru-cache';
import type { DiscordAccount } from '../discord/types.js';
import { isTerminal, type Job } from '../jobs/model.js';

/** Finished jobs kept to restore (a few MB at most). */
const RECENTLY_FINISHED_MAX = 2000;
/** Unfinished jobs accepted here (bounded by the queue caps; the cap only guards memory). */
const UNFINISHED_MAX = 50_000;

export class StoreLossBackup {
  private readonly unfinished = new LRUCache<string, Job>({ max: UNFINISHED_MAX });
  private readonly recentlyFinished = new LRUCache<string, Job>({ max: RECENTLY_FINISHED_MAX });
  private readonly accountsSeen = new Map<string, DiscordAccount>();

  /** The last record written or read for a job (accepted, started, changed here). */
  record(job: Job): void {
    if (isTerminal(job.status)) this.finished(job);
    else this.unfinished.set(job.id, job);
  }

  finished(job: Job): void {
    this.unfinished.delete(job.id);
    this.recentlyFinished.set(job.id, job);
  }

  forget(id: string): void {
    this.unfinished.delete(id);
  }

  get(id: string): Job | undefined {
    return this.unfinished.get(id) ?? this.recentlyFinished.get(id);
  }

  sawAccounts(accounts: readonly DiscordAccount[]): void {
    for (const a of accounts) this.accountsSeen.set(a.channel, a);
  }

  accounts(): DiscordAccount[] {
    return [...this.accountsSeen.values()];
  }

  /** Jobs accepted here and still queued as far as this instance knows, oldest first. */
  queued(): Job[] {
    return [...this.unfinished.values()].filter((j) => j.status === 'QUEUED').sort((a, b) => a.id.localeCompare(b.id));
  }

  unfinishedIds(): string[] {
    return [...this.unfinished.keys()];
  }

  finishedJobs(): Job[] {
    return [...this.recentlyFinished.values()];
  }
}
