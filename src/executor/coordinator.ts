/**
 * The shared state behind the executor: jobs, the FIFO queue, channel leases, accounts and events.
 * Every method is atomic. Two implementations keep the same contract: Redis (Lua scripts; any
 * number of instances) and in-process memory (a single instance, no REDIS_URL).
 */
import type { DiscordAccount } from '../discord/types.js';
import type { Job, JobStatus } from '../jobs/model.js';

export interface AccountRecord extends DiscordAccount {
  enabled: boolean;
  disabledReason: string | null;
  /** Epoch ms until which the channel is skipped (Discord 429 retry_after). */
  cooldownUntil: number;
  /** UTC day (YYYY-MM-DD) on which the bot said the credits ran out. */
  exhaustedDay: string | null;
}

export interface ClaimRequest {
  channel: string;
  instance: string;
  token: string;
  ttlMs: number;
  nowMs: number;
  day: string;
  creditCost: number;
  creditsPerDay: number;
  /** Fields written on the job when it starts. */
  start: Pick<Job, 'server' | 'discord' | 'startedAt'>;
  /**
   * Written on a job still STARTED on this channel whose lease is gone (its holder died): the claim
   * finishes it in the same step, so a channel never shows a new job while the old one looks alive.
   */
  lost: { patch: JobPatch; retentionSec: number };
}

export interface Claimed {
  job: Job;
  fence: number;
  /** Jobs the claim finished as EXECUTOR_LOST (see ClaimRequest.lost). */
  reaped: Job[];
  /** The job was STARTED by a holder that died after sending its command: follow it, do not send. */
  adopted?: boolean;
}

/**
 * What `claim` answers when the store has no epoch: Redis came back without its data (restarted
 * without persistence, flushed). The instance must recover before claiming (see checkStore).
 */
export const STORE_LOST = 'store-lost';

export interface Lease {
  token: string;
  jobId: string;
}

export type JobPatch = Partial<Omit<Job, 'id' | 'version' | 'owner'>>;

export interface ListQuery {
  owner?: string;
  status?: JobStatus;
  channel?: string;
  first: number;
  /** Opaque cursor: `${createdMs}:${id}` of the last job of the previous page. */
  after?: string | null;
}

export const EVENT_ALL_JOBS = 'jobs';
export const EVENT_CHANNEL_FREED = 'freed';
export const EVENT_CONTROL = 'control';
export const jobEventName = (id: string) => `job:${id}`;

export interface Coordinator {
  createJob(job: Job, enqueue: boolean): Promise<void>;
  getJob(id: string): Promise<Job | null>;
  /** The records that exist among `ids` (missing ones are skipped). */
  getJobs(ids: string[]): Promise<Job[]>;
  /** 1-based position in the global FIFO queue, null when not queued. */
  queuePosition(id: string): Promise<number | null>;
  queueSize(owner: string): Promise<{ total: number; owner: number }>;
  queuedJobs(): Promise<Job[]>;
  listJobs(query: ListQuery): Promise<{ jobs: Job[]; endCursor: string | null; hasNextPage: boolean }>;

  /**
   * If the channel is free and eligible (enabled, not cooling down, credits left), gives its lease
   * to the earliest queued job that may run on it — only if that job was accepted by
   * `request.instance` (its files live there). Charges the credits; the job becomes STARTED.
   */
  claim(request: ClaimRequest): Promise<Claimed | null | typeof STORE_LOST>;
  renew(channel: string, token: string, ttlMs: number): Promise<boolean>;
  lease(channel: string): Promise<Lease | null>;
  /**
   * Writes a change of a job. With `token`, only while that token holds `channel`'s lease (a stale
   * holder's writes are rejected). Only from `from` statuses. A terminal status releases the lease,
   * sets the record's retention TTL and wakes the queue. Bumps the version and publishes.
   */
  updateJob(id: string, change: { from: readonly JobStatus[]; patch: JobPatch; token?: string; channel?: string; retentionSec: number }): Promise<Job | null>;
  /** A STARTED job whose lease is gone or held by another job → the patch (EXECUTOR_LOST). */
  failIfLost(id: string, patch: JobPatch, retentionSec: number): Promise<Job | null>;
  /**
   * Compares the store's epoch with the one this instance knows. 'lost' once after the store came
   * back empty: the caller re-creates what only it knows (its queued jobs, its accounts). A new
   * epoch holds every channel until no holder from before the loss can still be acting (lease TTL
   * after the store started), so two instances never act on one channel across a data loss.
   */
  checkStore(): Promise<'same' | 'lost'>;
  /** Writes a job record only if it does not exist (recovery after a store loss); QUEUED re-enters the queue. */
  restoreJob(job: Job, retentionSec: number): Promise<boolean>;
  /** Deletes a QUEUED job outright (a fail-fast request refused before it was accepted). */
  discardQueued(id: string): Promise<boolean>;
  runningJobIds(): Promise<string[]>;

  heartbeat(instance: string, ttlMs: number): Promise<void>;
  isAlive(instance: string): Promise<boolean>;

  upsertAccount(account: DiscordAccount, options?: { keepState?: boolean }): Promise<AccountRecord>;
  getAccount(channel: string): Promise<AccountRecord | null>;
  listAccounts(): Promise<AccountRecord[]>;
  deleteAccount(channel: string): Promise<boolean>;
  setAccountState(channel: string, state: Partial<Pick<AccountRecord, 'enabled' | 'disabledReason' | 'cooldownUntil' | 'exhaustedDay'>>): Promise<void>;
  creditsUsed(channel: string, day: string): Promise<number>;

  publish(event: string, payload: string): Promise<void>;
  /** Resolves once the subscription is acknowledged. */
  subscribe(event: string, listener: (payload: string) => void): Promise<() => Promise<void>>;
  /** Called after the event connection reconnected (messages may have been lost meanwhile). */
  onReconnect(listener: () => void): () => void;

  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
