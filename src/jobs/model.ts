/**
 * The job model: every field of the hosted API's job (protocol.md §1) in camelCase, plus our own
 * bookkeeping. This is the one shape stored in Redis, published on events, served by GraphQL and
 * POSTed to callbacks (through `toSeedJson` in src/callbacks/payload.ts).
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

/** How a request waits for a channel: queue (FIFO, default) or the hosted API's fail-fast lock attempts. */
export type WaitMode = 'QUEUE' | 'FAIL_FAST';

export const PICSI_VERB = 'faceswap-picsi';

export interface FileInfo {
  size: number;
  type: string;
  filename: string;
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
  verb: typeof PICSI_VERB;
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
  sourceImage: FileInfo;
  targetImage: FileInfo;
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
  timestamp: string | null;
  /** Failure: a stable machine code (see errors.ts), a human message, and details (JSON text). */
  code: string | null;
  error: string | null;
  errorDetails: string | null;
  /** Run attempts (a job put back in the queue before anything reached Discord is attempted again). */
  attempt: number;
  /** The server instance that accepted the job and holds its files. */
  instance: string;
  callback: CallbackState | null;
}

/** Masks a Discord token the way the hosted API does: first 3 + '…' + last 3 characters. */
export function maskToken(token: string): string {
  if (token.length <= 6) return '…';
  return `${token.slice(0, 3)}…${token.slice(-3)}`;
}
