import { verbOf, type BotCommand, type JobVerb } from './commands.js';

/**
 * The job model: every field of the hosted API's job (docs/discord-protocol.md, the hosted API) in camelCase, plus our own
 * bookkeeping. This is the one shape stored in Redis, published on events, served by GraphQL and
 * POSTed to callbacks and answered over REST (through `toHostedJson` in src/jobs/hosted-job.ts).
 */

export const JOB_STATUSES = ['QUEUED', 'STARTED', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.has(status);

/**
 * The one transition rule: the statuses a job may move to from each status. The stores enforce it
 * (the Redis scripts receive it as data): claim starts a queued job, a job whose holder died before
 * sending anything goes back to the queue, and every write of an outcome is a terminal status.
 */
export const NEXT_STATUSES: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  QUEUED: ['STARTED', 'FAILED', 'CANCELLED'],
  STARTED: ['QUEUED', 'COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};
export const mayMove = (from: JobStatus, to: JobStatus): boolean => NEXT_STATUSES[from].includes(to);

/** How a request waits for a channel: queue (fair between API tokens, FIFO within one; default) or the hosted API's fail-fast lock attempts. */
export type WaitMode = 'QUEUE' | 'FAIL_FAST';

export const PICSI_VERB = verbOf('picsi');

export interface FileInfo {
  size: number;
  type: string;
  filename: string;
}

/**
 * Our copy of a result file in the blob store (copied off Discord's CDN when the job completed).
 * STORED: `key` holds the bytes. FAILED: the copy did not succeed; Discord's URLs (refreshed when
 * they lapse) are all there is.
 */
export type ResultCopyState = 'STORED' | 'FAILED';

export interface ResultCopy {
  state: ResultCopyState;
  key: string | null;
  error: string | null;
}

export interface JobAttachment {
  id: string;
  contentType: string | null;
  filename: string;
  url: string;
  proxyUrl: string | null;
  size: number;
  width: number | null;
  height: number | null;
  /** Our copy of the file; null on jobs completed before results were copied. */
  copy?: ResultCopy | null;
}

/**
 * Blob-store keys of a job's uploaded images, those its command takes (src/jobs/commands.ts); null
 * once the job is terminal (they are deleted).
 */
export interface JobInputs {
  source?: string;
  target?: string;
}

/** Every blob key of a job's inputs. */
export const inputKeys = (inputs: JobInputs | null | undefined): string[] =>
  [inputs?.source, inputs?.target].filter((k): k is string => k !== undefined);

/**
 * The /picsi command a holder sent for the job, written (fenced) right before POST /interactions:
 * whoever holds the channel next follows this interaction to its outcome instead of sending again.
 */
export interface SentCommand {
  nonce: string;
  /** Learnt from the gateway (INTERACTION_CREATE) after the send; null until then. */
  interactionId: string | null;
  /** ISO 8601 UTC ms. */
  sentAt: string;
}

/** The bot's answer to a job whose result files are being copied (Job.copying). */
export interface PendingCopy {
  /** Made visible with COMPLETED, the attachments with their copy state. */
  answer: Pick<Job, 'messageId' | 'content' | 'attachments' | 'timestamp'> & Partial<Pick<Job, 'identities' | 'defaultIdentity'>>;
  /** When the bot's answer was seen: the job's finishedAt (the copy after it is not the bot's work). */
  answeredAt: string;
}

/** Credits set aside for a queued job on one channel's account (its cost). */
export interface CreditReservation {
  channel: string;
  cost: number;
}

export type CallbackStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface CallbackState {
  status: CallbackStatus;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface Job {
  id: string;
  /** `faceswap-<command>`: which bot command the job runs (commandOf in src/jobs/commands.ts). */
  verb: JobVerb;
  status: JobStatus;
  /** Bumped by every stored change; subscribers forward only newer versions. */
  version: number;
  /** Opaque id of the API token that created the job (never the token itself). */
  owner: string;
  mode: WaitMode;
  /** The channel the request asked for; null = any eligible channel. */
  requestedChannel: string | null;
  /** The channel that ran (or is running) the job; null while queued for any channel. */
  channel: string | null;
  server: string | null;
  /** The Discord user token, masked: first 3 + '…' + last 3 characters. */
  discord: string | null;
  options: string | null;
  /** The identity commands' idname argument, as validated (absent on records older than them). */
  idname?: string | null;
  /** The face image (/picsi, /saveid); null for commands without one. */
  sourceImage: FileInfo | null;
  /** The target image (/picsi, /swapid); null for commands without one. */
  targetImage: FileInfo | null;
  /**
   * Credits the claim charges for this job, decided at admission from src/jobs/command-costs.ts
   * (a GIF target costs the plan's GIF price); absent on older records (the configured cost).
   */
  creditCost?: number;
  replyUrl: string | null;
  replyRef: string | null;
  /** ISO 8601 UTC with milliseconds. */
  created: string;
  updated: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The bot's reply. */
  messageId: string | null;
  content: string | null;
  attachments: JobAttachment[];
  /** /listid: the saved names the bot listed, in its order, and its default when shown. */
  identities?: string[] | null;
  defaultIdentity?: string | null;
  timestamp: string | null;
  /** Failure: a stable machine code (see errors.ts), a human message, and details (JSON text). */
  code: string | null;
  error: string | null;
  errorDetails: string | null;
  /** Run attempts (a job put back in the queue before anything reached Discord is attempted again). */
  attempt: number;
  /** The server instance that accepted the job (informational: any instance may run it). */
  instance: string;
  /** Where the uploaded images wait for the run (blob store keys). */
  inputs?: JobInputs | null;
  /** Set once a holder is about to send the command (see SentCommand). */
  command?: SentCommand | null;
  /**
   * Set while the bot's answer is in and its result files are copied into the blob store after the
   * channel was released (src/executor/run/result-copies/): the job stays STARTED and shows nothing of
   * the answer yet, and the copy's own lease, not the channel's, fences its writes. COMPLETED (the
   * answer with each file's copy state) ends it.
   */
  copying?: PendingCopy | null;
  /**
   * While QUEUED, with TOKEN_DAILY_CREDITS: the credits admission set aside for the job on one
   * account (src/executor/store/credit-reservations.ts); the claim turns them into a charge.
   */
  reservation?: CreditReservation | null;
  callback: CallbackState | null;
}

/** Masks a Discord token the way the hosted API does: first 3 + '…' + last 3 characters. */
export function maskToken(token: string): string {
  if (token.length <= 6) return '…';
  return `${token.slice(0, 3)}…${token.slice(-3)}`;
}

/** What a request decides about a new job; everything else starts empty. */
export type NewJobFields = Pick<
  Job,
  | 'id'
  | 'owner'
  | 'mode'
  | 'requestedChannel'
  | 'options'
  | 'idname'
  | 'creditCost'
  | 'sourceImage'
  | 'targetImage'
  | 'replyUrl'
  | 'replyRef'
  | 'created'
  | 'instance'
  | 'inputs'
>;

/** A job as accepted: QUEUED, version 1, nothing run, nothing answered yet. `command` defaults to /picsi. */
export function newQueuedJob(fields: NewJobFields, command: BotCommand = 'picsi'): Job {
  return {
    ...fields,
    verb: verbOf(command),
    status: 'QUEUED',
    version: 1,
    channel: null,
    server: null,
    discord: null,
    updated: fields.created,
    startedAt: null,
    finishedAt: null,
    messageId: null,
    content: null,
    attachments: [],
    identities: null,
    defaultIdentity: null,
    timestamp: null,
    code: null,
    error: null,
    errorDetails: null,
    attempt: 0,
    callback: null,
    command: null,
  };
}
