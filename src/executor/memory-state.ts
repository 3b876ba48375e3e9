/**
 * The embedded coordinator's data: job records (with their expiry), the queues in place order (the
 * fair queue, ./fair-queue.ts), the listing indexes, leases, holders, accounts, the day counters and
 * the credits queued jobs reserved. Plain structures; the rules live in ./memory-coordinator.ts,
 * ./memory-claims.ts and ./fair-queue.ts, persistence in ./journal.ts.
 */
import type { Job } from '../jobs/model.js';
import type { AccountRecord, Lease } from './coordinator.js';
import { reservedByField, reservedOnField } from './credit-reservations.js';
import { placeKey, placeOfKey, roundField, roundOfNewJob, type Place, type QueueEntry } from './fair-queue.js';
import { indexNameOf, indexNames } from './keys.js';
import { indexEntryOf } from './service/paging.js';
import { SortedList } from './sorted-list.js';

export interface StoredJob {
  job: Job;
  /** Epoch ms, for terminal jobs (retention). */
  expiresAt: number | null;
}

/** The key of an account's command count for a day, kept with the credit counters (`credits`). */
export const commandsKey = (channel: string, day: string) => `commands:${channel}:${day}`;
/** The key of the credits an API token's jobs were charged on a UTC day (TOKEN_DAILY_CREDITS). */
export const tokenCreditsKey = (owner: string, day: string) => `token:${owner}:${day}`;
/** The key of a current round (./fair-queue.ts): `*` (any channel) or `ch:<channel>`. */
export const roundKey = (field: string) => `round:${field}`;

const queueNameOf = (channel: string | null) => (channel === null ? 'any' : `ch:${channel}`);
const channelOfQueue = (name: string) => (name === 'any' ? null : name.slice('ch:'.length));

export class MemoryState {
  readonly jobs = new Map<string, StoredJob>();
  /** Each job's round (its place, ./fair-queue.ts), kept while it runs so that a requeue goes back to its place; journaled as `seq`. */
  readonly seqOf = new Map<string, number>();
  /** Queue name ('any', 'ch:<channel>') → the place keys of its jobs. */
  private readonly queues = new Map<string, SortedList<string>>();
  private readonly indexes = new Map<string, SortedList<string>>();
  /** Credits queued jobs reserved (./credit-reservations.ts): per channel and per owner; follows the queues. */
  private readonly reserved = new Map<string, number>();
  readonly leases = new Map<string, Lease & { expiresAt: number }>();
  /** The STARTED job on each channel; outlives its lease so the next claim settles it. */
  readonly holders = new Map<string, string>();
  /** STARTED job ids → lease deadline (ms). */
  readonly running = new Map<string, number>();
  readonly accounts = new Map<string, AccountRecord>();
  /**
   * Counters, journaled: credits charged (`<channel>:<UTC day>`), commands started (commandsKey),
   * a token's credits (tokenCreditsKey) and the queue's current rounds (roundKey).
   */
  readonly credits = new Map<string, number>();
  readonly alive = new Map<string, number>();
  /** Called whenever a job enters or leaves a queue (the coordinator publishes EVENT_QUEUE). */
  onQueueChange: () => void = () => undefined;

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

  /**
   * Puts the job in its queue: at its own place if it has one (a requeue, a replayed journal), else
   * at the place the fair queue gives a new job. Its reservation, if any, is counted.
   */
  enqueue(job: Job): void {
    let round = this.seqOf.get(job.id);
    if (round === undefined) {
      round = roundOfNewJob(this.currentRound(job.requestedChannel), this.ownerNewestRound(job));
      this.seqOf.set(job.id, round);
    }
    const name = queueNameOf(job.requestedChannel);
    let queue = this.queues.get(name);
    if (!queue) this.queues.set(name, (queue = new SortedList<string>()));
    queue.add(placeKey({ round, id: job.id }));
    if (job.reservation) this.countReservation(job, 1);
    this.onQueueChange();
  }

  /** Takes the job out of its queue (if it is there), releasing its reservation. */
  dequeue(job: Job): void {
    const round = this.seqOf.get(job.id);
    if (round === undefined || !this.queues.get(queueNameOf(job.requestedChannel))?.delete(placeKey({ round, id: job.id }))) return;
    if (job.reservation) this.countReservation(job, -1);
    this.onQueueChange();
  }

  private countReservation(job: Job, sign: 1 | -1): void {
    const { channel, cost } = job.reservation!;
    for (const field of [reservedOnField(channel), reservedByField(job.owner)])
      this.reserved.set(field, this.reservedIn(field) + sign * cost);
  }

  /** Credits reserved in a counter field (reservedOnField, reservedByField). */
  reservedIn(field: string): number {
    return this.reserved.get(field) ?? 0;
  }

  /** The current round where a job for `channel` (null: any) waits (./fair-queue.ts, Rounds). */
  private currentRound(channel: string | null): number {
    const known = this.credits.get(roundKey(roundField(channel))) ?? (channel === null ? undefined : this.credits.get(roundKey('*')));
    if (known !== undefined) return known;
    const heads = [...new Set(['any', queueNameOf(channel)])].map((name) => this.head(name)?.round ?? Infinity);
    const earliest = Math.min(...heads);
    return earliest === Infinity ? 0 : earliest;
  }

  /** A claim took a job of this round on `channel`: its current round and the global one reach it. */
  raiseRounds(channel: string, round: number): string[] {
    const raised = [roundKey('*'), roundKey(roundField(channel))].filter((key) => (this.credits.get(key) ?? -1) < round);
    for (const key of raised) this.credits.set(key, round);
    return raised;
  }

  /** The round of the owner's newest queued job (by creation), other than `job`; null when none. */
  private ownerNewestRound(job: Job): number | null {
    const newest = this.index(indexNameOf({ owner: job.owner, status: 'QUEUED' }))?.descendingBelow(undefined, 2) ?? [];
    for (const entry of newest) {
      const id = entry.slice(entry.indexOf('|') + 1);
      if (id === job.id) continue;
      return this.seqOf.get(id) ?? null;
    }
    return null;
  }

  /** The head of a queue ('any', 'ch:<channel>'): its place. */
  /** The first place of a queue, passing over the jobs in `passed`. */
  head(name: string, passed?: ReadonlySet<string>): Place | null {
    const queue = this.queues.get(name);
    if (!passed?.size) {
      const key = queue?.first();
      return key === undefined ? null : placeOfKey(key);
    }
    for (const key of queue?.values() ?? []) {
      const place = placeOfKey(key);
      if (!passed.has(place.id)) return place;
    }
    return null;
  }

  /** 1-based position (./fair-queue.ts, Position), null when not queued. */
  position(id: string): number | null {
    const round = this.seqOf.get(id);
    const job = this.read(id);
    if (round === undefined || !job) return null;
    const key = placeKey({ round, id });
    const own = queueNameOf(job.requestedChannel);
    if (!this.queues.get(own)?.has(key)) return null;
    const names = job.requestedChannel === null ? [...this.queues.keys()] : ['any', own];
    let ahead = 0;
    for (const name of names) ahead += this.queues.get(name)?.countBelow(key) ?? 0;
    return ahead + 1;
  }

  /** Every queued job's place and channel (for positionsOf). */
  queueEntries(): QueueEntry[] {
    return [...this.queues].flatMap(([name, queue]) =>
      queue.values().map((key) => ({ ...placeOfKey(key), channel: channelOfQueue(name) })),
    );
  }

  /** Jobs queued anywhere (the QUEUED listing index, as the claim script counts them). */
  queuedCount(): number {
    return this.index(indexNameOf({ status: 'QUEUED' }))?.size ?? 0;
  }

  /** Every queued job id, in place order. */
  queuedIds(): string[] {
    return [...this.queues.values()]
      .flatMap((q) => q.values())
      .sort()
      .map((key) => placeOfKey(key).id);
  }

  liveLease(channel: string): (Lease & { expiresAt: number }) | null {
    const lease = this.leases.get(channel);
    if (lease && lease.expiresAt > this.now()) return lease;
    this.leases.delete(channel);
    return null;
  }
}
