/**
 * The embedded coordinator's data: job records (with their expiry), the queues by sequence number,
 * the listing indexes, leases, holders, accounts and credits. Plain structures; the rules live in
 * ./memory-coordinator.ts, persistence in ./journal.ts.
 */
import type { Job } from '../jobs/model.js';
import type { AccountRecord, Lease } from './coordinator.js';
import { indexNameOf, indexNames } from './keys.js';
import { indexEntryOf } from './paging.js';
import { SortedList } from './sorted-list.js';

export interface StoredJob {
  job: Job;
  /** Epoch ms, for terminal jobs (retention). */
  expiresAt: number | null;
}

/** The key of an account's command count for a day, kept with the credit counters (`credits`). */
export const commandsKey = (channel: string, day: string) => `commands:${channel}:${day}`;

const queueNameOf = (job: Pick<Job, 'requestedChannel'>) => (job.requestedChannel === null ? 'any' : `ch:${job.requestedChannel}`);

export class MemoryState {
  readonly jobs = new Map<string, StoredJob>();
  readonly seqOf = new Map<string, number>();
  private readonly queues = new Map<string, SortedList<number>>();
  private readonly idBySeq = new Map<number, string>();
  private lastSeq = 0;
  private readonly indexes = new Map<string, SortedList<string>>();
  readonly leases = new Map<string, Lease & { expiresAt: number }>();
  /** The STARTED job on each channel; outlives its lease so the next claim settles it. */
  readonly holders = new Map<string, string>();
  /** STARTED job ids → lease deadline (ms). */
  readonly running = new Map<string, number>();
  readonly accounts = new Map<string, AccountRecord>();
  /** Day counters: credits charged (`<channel>:<UTC day>`) and commands started (commandsKey). */
  readonly credits = new Map<string, number>();
  readonly alive = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  read(id: string): Job | null {
    const stored = this.jobs.get(id);
    if (!stored) return null;
    if (stored.expiresAt !== null && stored.expiresAt <= this.now()) {
      this.jobs.delete(id);
      return null;
    }
    return stored.job;
  }

  /** Stores a record and moves its index entries from `old`'s indexes to its own. */
  put(job: Job, old: Job | null, expiresAt: number | null): void {
    this.jobs.set(job.id, { job, expiresAt });
    this.moveIndexes(old, job);
  }

  remove(job: Job): void {
    this.jobs.delete(job.id);
    this.dequeue(job);
    this.seqOf.delete(job.id);
    this.moveIndexes(job, null);
  }

  private moveIndexes(old: Job | null, next: Job | null): void {
    const entry = indexEntryOf((next ?? old)!);
    const wanted = new Set(next ? indexNames(next) : []);
    const had = new Set(old ? indexNames(old) : []);
    for (const name of had) if (!wanted.has(name)) this.indexes.get(name)?.delete(entry);
    for (const name of wanted) {
      if (had.has(name)) continue;
      let index = this.indexes.get(name);
      if (!index) this.indexes.set(name, (index = new SortedList<string>()));
      index.add(entry);
    }
  }

  index(name: string): SortedList<string> | undefined {
    return this.indexes.get(name);
  }

  /** Puts the job in its queue: at its own sequence number if it has one (a requeue), else at the tail. */
  enqueue(job: Job, seq?: number): void {
    const at = seq ?? this.seqOf.get(job.id) ?? ++this.lastSeq;
    this.lastSeq = Math.max(this.lastSeq, at);
    this.seqOf.set(job.id, at);
    this.idBySeq.set(at, job.id);
    const name = queueNameOf(job);
    let queue = this.queues.get(name);
    if (!queue) this.queues.set(name, (queue = new SortedList<number>()));
    queue.add(at);
  }

  dequeue(job: Job): void {
    const seq = this.seqOf.get(job.id);
    if (seq === undefined) return;
    this.queues.get(queueNameOf(job))?.delete(seq);
    this.idBySeq.delete(seq);
  }

  /** The head of a queue: its sequence number and job id. */
  head(name: string): { seq: number; id: string } | null {
    const seq = this.queues.get(name)?.first();
    return seq === undefined ? null : { seq, id: this.idBySeq.get(seq)! };
  }

  /** 1-based position across every queue, null when not queued. */
  position(id: string): number | null {
    const seq = this.seqOf.get(id);
    if (seq === undefined || !this.idBySeq.has(seq)) return null;
    let ahead = 0;
    for (const queue of this.queues.values()) ahead += queue.countBelow(seq);
    return ahead + 1;
  }

  /** Jobs queued anywhere (the QUEUED listing index, as the claim script counts them). */
  queuedCount(): number {
    return this.index(indexNameOf({ status: 'QUEUED' }))?.size ?? 0;
  }

  queuedIds(): string[] {
    return [...this.queues.values()]
      .flatMap((q) => q.values().map((seq) => ({ seq, id: this.idBySeq.get(seq)! })))
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.id);
  }

  liveLease(channel: string): (Lease & { expiresAt: number }) | null {
    const lease = this.leases.get(channel);
    if (lease && lease.expiresAt > this.now()) return lease;
    this.leases.delete(channel);
    return null;
  }
}
