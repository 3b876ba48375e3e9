/**
 * The shared state behind the executor: jobs, the fair queue (./fair-queue.ts), channel leases,
 * accounts, callback tasks and events. Every method is atomic. The port is split by concern
 * (JobStore, ClaimStore, AccountStore, CreditStore, StoreEvents, StoreLife); Coordinator is all of
 * them. Two implementations keep the same contract (see test/executor/coordinator-contract.test.ts):
 * Redis (./redis: Lua scripts in ./redis/lua; any number of instances) and the embedded one
 * (./embedded: in-process, journaled under DATA_DIR; a single instance).
 */
import type { DiscordAccount } from '../../discord/types.js';
import type { AccountHealth, AccountManager } from '../../jobs/account.js';
import type { CreditReservation, Job, JobStatus, PendingCopy } from '../../jobs/model.js';
import type { ClaimGate } from './eligibility.js';

/** A command in the account's channel that this server did not send (a person using the account). */
export interface ForeignCommand {
  interactionId: string;
  /** The channel counts as busy until the bot answered it, at most until this (epoch ms). */
  until: number;
}

export interface AccountRecord extends DiscordAccount {
  managed: AccountManager;
  health: AccountHealth;
  /** Pacing: the account's next command may not start before this (epoch ms; 0 = at once). */
  readyAt: number;
  foreign: ForeignCommand | null;
}

/** What setAccountHealth did: the health before, the record after, and whether it was replaced. */
export interface HealthSwap {
  applied: boolean;
  previous: AccountHealth;
  record: AccountRecord;
}

export type JobPatch = Partial<Omit<Job, 'id' | 'version' | 'owner'>>;

/** The command a holder sent to Discord for a job (the job's `command` field; see src/jobs/model.ts). */
export type { SentCommand } from '../../jobs/model.js';
import type { SentCommand } from '../../jobs/model.js';

/** The terms of admitJob (TOKEN_DAILY_CREDITS; the rule: ./credit-reservations.ts). */
export interface AdmissionTerms {
  /** TOKEN_DAILY_CREDITS. */
  share: number;
  /** The accounts the job may run on (in rotation, with credits), by channel. */
  channels: readonly string[];
  /** The UTC day of the credits. */
  day: string;
  creditsPerDay: number;
  /** The cost of a job without its own creditCost. */
  configuredCost: number;
}

export type AdmitResult =
  | { admitted: true; reservation: CreditReservation | null }
  | { admitted: false; refusal: 'token-share'; share: number; spent: number; reserved: number; cost: number }
  | { admitted: false; refusal: 'credits'; room: number; cost: number };

/**
 * What `peekNext` needs: the channel, which jobs may run there, and its credits (as in ClaimRequest);
 * `passOver`: queued jobs to leave aside as if taken (staged for channels that free earlier: ../staging.ts).
 */
export type PeekRequest = Pick<ClaimRequest, 'channel' | 'acceptedBy' | 'day' | 'creditCost' | 'creditsPerDay'> & {
  passOver?: readonly string[];
};

/** What a job whose holder vanished becomes when it cannot be requeued or adopted (EXECUTOR_LOST). */
export interface LostRule {
  patch: JobPatch;
  retentionSec: number;
  /** A sent command older than this (from its `sentAt` to the request's `nowMs`) is given up. */
  jobTimeoutMs: number;
}

export interface ClaimRequest {
  channel: string;
  /** The claiming instance: recorded as the holder. */
  instance: string;
  /**
   * Only a job accepted by this instance (its inputs are local to it). Omitted: the earliest queued
   * job that may run on the channel, whichever instance accepted it.
   */
  acceptedBy?: string;
  token: string;
  ttlMs: number;
  /** The caller's clock: the account's eligibility and the age of a sent command. Lease expiry is the store's clock. */
  nowMs: number;
  /** UTC day of the credits. */
  day: string;
  /** The account's pacing window and daily cap at `nowMs` (src/executor/store/eligibility.ts); unset: none, counted on `day`. */
  gate?: ClaimGate;
  /** The cost of a job without its own `creditCost`; the claim checks and charges the claimed job's. */
  creditCost: number;
  creditsPerDay: number;
  /**
   * The holder calls markCommandSent before it sends anything: the job starts with `command: null`,
   * and if the holder dies before recording a command the job goes back to its place in its queue.
   * Without it, a dead holder may have sent a command the store does not know: the job is lost.
   */
  recordsCommands?: boolean;
  /** Fields written on the job when it starts (not on an adopted job: it keeps its own). */
  start: Pick<Job, 'server' | 'discord' | 'startedAt'>;
  /** Applied to the channel's previous job when its holder vanished and it can be neither requeued nor adopted. */
  lost: LostRule;
}

export interface Claimed {
  job: Job;
  /**
   * The job was STARTED by a holder that died after sending its command: the new holder follows
   * that command (`job.command`) to its real outcome and sends nothing new. No credits are charged.
   */
  adopted: boolean;
  /** Jobs the claim finished as EXECUTOR_LOST (their command was sent too long ago to follow). */
  reaped: Job[];
}

/**
 * Why a claim took nothing, so that dispatch tries a channel again only when a claim can succeed:
 * - `held`: a live lease, for `leftMs` more at most (its end publishes EVENT_CHANNEL_FREED);
 * - `ineligible`: the account's eligibility rules (src/executor/store/eligibility.ts), out of credits for the
 *   queued job, or the store's hold after a data loss; `retryInMs` when the end is known, else null;
 * - `empty`: nothing queued that may run on the channel; `queued` counts the jobs queued anywhere.
 * `reaped`: jobs the claim finished as EXECUTOR_LOST on the way (as in Claimed).
 */
export type ClaimMiss =
  | { missed: 'held'; leftMs: number; reaped: Job[] }
  | { missed: 'ineligible'; retryInMs: number | null; reaped: Job[] }
  | { missed: 'empty'; queued: number; reaped: Job[] };

export type ClaimResult = Claimed | ClaimMiss | typeof STORE_LOST;

export const isClaimed = (result: ClaimResult): result is Claimed => typeof result === 'object' && 'job' in result;

/** The cost a claim charges for `job`: its own, else the configured one. */
export const creditCostOf = (job: Pick<Job, 'creditCost'>, configured: number): number => job.creditCost ?? configured;

/**
 * What `claim` answers when the store has no epoch: Redis came back without its data (restarted
 * without persistence, flushed). The instance must recover before claiming (see checkStore).
 */
export const STORE_LOST = 'store-lost';

export interface Lease {
  token: string;
  jobId: string;
}

export interface ReapRequest {
  nowMs: number;
  lost: LostRule;
  /** At most this many expired holders per call (the reaper calls again while `more`). */
  limit: number;
  /**
   * Take over result copies whose holder vanished (their copy lease lapsed): each gets a copy lease
   * with this token (ReapResult.copies). Without it they are left for a reaper that does.
   */
  copies?: { token: string; ttlMs: number };
}

export interface ReapResult {
  /** STARTED jobs whose command was sent longer than jobTimeoutMs ago and no holder follows: now FAILED. */
  failed: Job[];
  /** STARTED jobs whose holder died before sending anything: back at the head of their queue (QUEUED). */
  requeued: Job[];
  /** Result copies taken over with ReapRequest.copies' token: still STARTED, `copying`, to be finished by the caller. */
  copies: Job[];
  /** More expired holders are waiting than `limit`. */
  more: boolean;
}

/** The lease a result copy holds instead of its channel's (../result-copies/): a lease of its own, by job. */
export const copyLeaseName = (jobId: string): string => `copy:${jobId}`;

/** releaseForCopy: the holder's fence, the bot's answer, and the copy's own lease. */
export interface CopyRelease {
  channel: string;
  /** The channel holder's token. */
  token: string;
  /** The bot's answer, kept in `copying` (not shown) until COMPLETED. */
  copy: PendingCopy;
  /** The token of the copy's lease (copyLeaseName). */
  copyToken: string;
  ttlMs: number;
  /** Pacing, as in JobWrite: written with the release. */
  pace?: { readyAt: number };
}

export interface ListQuery {
  owner?: string;
  status?: JobStatus;
  /** The channel that ran the job, or the one it asked for while it has not started. */
  channel?: string;
  first: number;
  /** A cursor from an earlier page's edge; a string that is not one is BAD_USER_INPUT. */
  after?: string | null;
}

export interface JobEdge {
  job: Job;
  cursor: string;
}

export interface JobListPage {
  edges: JobEdge[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface JobWrite {
  patch: JobPatch;
  /**
   * Only while this token holds `channel`'s lease on this job (required to write a STARTED job; for
   * a job being copied, the copy lease: `channel` is copyLeaseName(id)).
   */
  token?: string;
  channel?: string;
  /** An extra precondition of the caller: only from these statuses. The transition rule itself is the store's (NEXT_STATUSES in src/jobs/model.ts). */
  from?: readonly JobStatus[];
  retentionSec: number;
  /**
   * Pacing: with an accepted terminal write that releases the channel, the channel's account takes
   * no command before `readyAt` (written in the same step, so no claim can come in between).
   */
  pace?: { readyAt: number };
}

/** Who manages the account, and how upsertAccount treats an existing account's health. */
export interface UpsertOptions {
  /** Default API. */
  managed?: AccountManager;
  /** Keep the health, pacing clock and foreign command of an existing account (a restart); else it starts ACTIVE. */
  keepState?: boolean;
}

export const EVENT_ALL_JOBS = 'jobs';
export const EVENT_CHANNEL_FREED = 'freed';
export const EVENT_CONTROL = 'control';
/** A job entered or left a queue: every queued job's position may have moved (../queue-feed.ts). */
export const EVENT_QUEUE = 'queue';
/** An account changed (its channel as payload): accountUpdated subscribers re-read it. */
export const EVENT_ACCOUNTS = 'accounts';
export const jobEventName = (id: string) => `job:${id}`;

/** Jobs: stored, read, listed, written, their queue places read. */
export interface JobStore {
  /**
   * Stores a new job; `enqueue` puts it in its queue (its channel's, or the any-channel one) at the
   * place the fair queue gives it (./fair-queue.ts).
   */
  createJob(job: Job, enqueue: boolean): Promise<void>;
  /**
   * createJob with enqueue, in one step with the token's share and a credit reservation
   * (./credit-reservations.ts): refused (nothing stored) when the share or the credits left do not cover it.
   */
  admitJob(job: Job, terms: AdmissionTerms): Promise<AdmitResult>;
  getJob(id: string): Promise<Job | null>;
  /** The records that exist among `ids` (missing ones are skipped). */
  getJobs(ids: string[]): Promise<Job[]>;
  /** 1-based position (./fair-queue.ts, Position), null when not queued. O(queues × log n). */
  queuePosition(id: string): Promise<number | null>;
  /** Every queued job's position, in one pass over the queues (for pushing positions: ../queue-feed.ts). */
  queuePositions(): Promise<Map<string, number>>;
  queueSize(owner: string): Promise<{ total: number; owner: number }>;
  /** Every queued job, in place order (walks every queue: not for hot paths). */
  queuedJobs(): Promise<Job[]>;
  /** Newest first (created, then id), from sorted indexes: O(log n + page), no scan cap. */
  listJobs(query: ListQuery): Promise<JobListPage>;
  /**
   * Writes a change of a job: a terminal status, or fields without a status change. A STARTED job
   * only with its holder's `token` (a stale holder's writes are refused). A terminal status releases
   * the lease, sets the record's retention TTL, creates the callback task (replyUrl or the default
   * callback URL) in the same atomic step, and wakes the queue. Bumps the version and publishes.
   * null when refused.
   */
  updateJob(id: string, write: JobWrite): Promise<Job | null>;
  /** Writes a job record only if it does not exist (recovery after a store loss); QUEUED re-enters the queue. */
  restoreJob(job: Job, retentionSec: number): Promise<boolean>;
  /** Deletes a QUEUED job outright (a fail-fast request refused before it was accepted). */
  discardQueued(id: string): Promise<boolean>;
}

/** Channel leases and what a holder does under one: claim, renew, copy, hand back; the reaper. */
export interface ClaimStore {
  /**
   * The job the next claim on the channel would take, by the claim's own rule (./fair-queue.ts),
   * leaving aside the lease, the account's eligibility and a vanished holder's job (which that claim
   * settles first); null when none. Reads only.
   */
  peekNext(request: PeekRequest): Promise<Job | null>;
  /**
   * If the channel is free and eligible (enabled, not cooling down): first settles the channel's
   * previous job if its holder vanished (a sent command → adopted by this claim; nothing sent → back
   * to its place in its queue; sent too long ago → `lost`). Otherwise gives the lease to the job the
   * fair queue puts next on the channel (./fair-queue.ts: heads of the channel's queue and of the
   * any-channel queue, the earlier place first, the first whose cost fits the credits left today and
   * the reservations), charges its cost to the channel and to its token; the job becomes STARTED. A
   * miss says why (ClaimMiss).
   */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  renew(channel: string, token: string, ttlMs: number): Promise<boolean>;
  lease(channel: string): Promise<Lease | null>;
  /**
   * The bot answered a STARTED job whose result files must still be copied: writes the answer in
   * `copying` (nothing a client sees changes), releases the channel (with its pacing, and EVENT_CHANNEL_FREED) and gives the
   * job a copy lease (copyLeaseName) in one step; the job stays STARTED, in the running set under the
   * copy lease's deadline. From then on updateJob of the job is fenced by the copy lease (its token,
   * channel copyLeaseName(id)), and renew(copyLeaseName(id), …) keeps it. Token-checked like
   * updateJob; null when refused.
   */
  releaseForCopy(id: string, release: CopyRelease): Promise<Job | null>;
  /** Records the command sent for a STARTED job (token-checked like updateJob). null when refused. */
  markCommandSent(id: string, channel: string, token: string, command: SentCommand): Promise<Job | null>;
  /**
   * The holder gives a STARTED job whose command never ran back to its queue at its own place (the
   * head of its owner's line, ./fair-queue.ts) and releases the channel, in one step; token-checked
   * like updateJob. null when refused.
   */
  handBack(id: string, channel: string, token: string): Promise<Job | null>;
  /**
   * Settles up to `limit` STARTED jobs whose lease expired (running set ordered by lease deadline;
   * only expired entries are read): nothing sent → requeued at its place; a sent command younger
   * than jobTimeoutMs → left for the channel's next claim to adopt; older → failed with `lost`; a
   * result copy whose copy lease lapsed → taken over with `copies` (left alone without it).
   */
  reap(request: ReapRequest): Promise<ReapResult>;
}

/** The store itself: its epoch (a data loss), the instances alive on it, its connection. */
export interface StoreLife {
  /**
   * Compares the store's epoch with the one this instance knows. 'lost' once after the store came
   * back empty: the caller re-creates what only it knows (its queued jobs, its accounts). A new
   * epoch holds every channel until no holder from before the loss can still be acting (lease TTL
   * after the store started), so two instances never act on one channel across a data loss.
   */
  checkStore(): Promise<'same' | 'lost'>;
  heartbeat(instance: string, ttlMs: number): Promise<void>;
  isAlive(instance: string): Promise<boolean>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Accounts: identity, health, a foreign command. */
export interface AccountStore {
  /**
   * Creates or changes an account's identity (server, token, label, plan, proxy, pacing) and manager
   * atomically. New accounts, and existing ones without `keepState`, start ACTIVE; publishes EVENT_ACCOUNTS.
   */
  upsertAccount(account: DiscordAccount, options?: UpsertOptions): Promise<AccountRecord>;
  getAccount(channel: string): Promise<AccountRecord | null>;
  listAccounts(): Promise<AccountRecord[]>;
  deleteAccount(channel: string): Promise<boolean>;
  /**
   * Replaces the account's health atomically and answers what it was (so that exactly one caller sees
   * a state entered); null for an unknown channel. `unless`: keep the record as it is when its state
   * is one of these (a signal never overrides an operator's pause). Publishes EVENT_ACCOUNTS, and
   * EVENT_CHANNEL_FREED when the account may take jobs again.
   */
  setAccountHealth(channel: string, health: AccountHealth, unless?: readonly AccountHealth['state'][]): Promise<HealthSwap | null>;
  /**
   * Marks a command this server did not send as running in the channel, or (null) clears the one
   * with `interactionId` once the bot answered it; publishes EVENT_ACCOUNTS, and EVENT_CHANNEL_FREED on a clear.
   */
  setForeignCommand(channel: string, foreign: ForeignCommand | null, interactionId: string): Promise<void>;
}

/** Credits charged per channel, per token and per day, and the reservations of queued jobs. */
export interface CreditStore {
  creditsUsed(channel: string, day: string): Promise<number>;
  /** Credits an API token's jobs were charged on a UTC day (TOKEN_DAILY_CREDITS counts them). */
  tokenCreditsUsed(owner: string, day: string): Promise<number>;
  /**
   * Recounts the credits queued jobs reserved from the queued jobs themselves (Redis: a step that
   * released a reservation may not have run after its job left the queue). Embedded: always exact.
   */
  recountReservations(): Promise<void>;
  /** `creditsUsed` for several channels in one round trip, in their order. */
  creditsUsedOn(channels: readonly string[], day: string): Promise<number[]>;
  /** Commands each account started on its day (the daily cap's count; ClaimGate.commandDay), in one round trip. */
  commandsStartedOn(accounts: readonly { channel: string; day: string }[]): Promise<number[]>;
}

/** Events between instances (EVENT_* and jobEventName). */
export interface StoreEvents {
  publish(event: string, payload: string): Promise<void>;
  /** Resolves once the subscription is acknowledged. */
  subscribe(event: string, listener: (payload: string) => void): Promise<() => Promise<void>>;
  /** Called after the event connection reconnected (messages may have been lost meanwhile). */
  onReconnect(listener: () => void): () => void;
}

/** The whole store port; callers depend on the parts they use (JobStore, ClaimStore…). */
export type Coordinator = JobStore & ClaimStore & AccountStore & CreditStore & StoreEvents & StoreLife;

/** What the terminal write needs to create a callback task in the same step. */
export interface CallbackTaskRule {
  /** CALLBACK_DEFAULT_URL: used for a job without a replyUrl; null → no task for such jobs. */
  defaultUrl: string | null;
  /** How long a finished task is kept (so a job is never delivered twice). */
  doneTtlMs: number;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The claim's gate: the caller's, or none (no window, no cap) counted on the claim's UTC day. */
export const gateOf = (request: Pick<ClaimRequest, 'gate' | 'day'>): ClaimGate =>
  request.gate ?? { commandDay: request.day, dailyCommands: null, dayEndsInMs: 0, closedForMs: 0 };
