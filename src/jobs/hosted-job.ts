/**
 * The job in the hosted API's JSON (its Model: field names, lower-case statuses, a numeric `code`),
 * the one serializer of both the REST answers (src/http/rest) and the callback bodies
 * (src/callbacks/payload.ts), so a client written for the hosted service reads either. Absent
 * values are null, never omitted. Beyond the hosted fields: `errorCode` (our machine code, from
 * src/errors.ts) always, and what a REST reader may also want (queue position, our stored copy of
 * each result, the identity commands' fields) when a view is given. Never bookkeeping (owner,
 * instance, version, callback state, file names).
 */
import { COMPLETED_CODE, HOSTED_CODES } from './hosted-codes.js';
import type { Job, JobAttachment, JobStatus } from './model.js';
import type { DownloadLink } from './job-service.js';

/** The hosted API's status names; it calls a job waiting for its channel `created`. */
export const HOSTED_STATUSES = {
  QUEUED: 'created',
  STARTED: 'started',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const satisfies Record<JobStatus, string>;

export type HostedStatus = (typeof HOSTED_STATUSES)[JobStatus];

export interface HostedFileInfo {
  size: number;
  type: string;
}

export interface HostedAttachment {
  id: string;
  content_type: string | null;
  filename: string;
  url: string;
  proxy_url: string | null;
  size: number;
  width: number | null;
  height: number | null;
}

export interface HostedJob {
  jobid: string;
  verb: string;
  status: HostedStatus;
  options: string | null;
  /** null for a command without that image (listid, setid…). */
  source_image: HostedFileInfo | null;
  target_image_gif_or_video: HostedFileInfo | null;
  created: string;
  updated: string;
  discord: string | null;
  server: string | null;
  channel: string | null;
  replyUrl: string | null;
  replyRef: string | null;
  messageId: string | null;
  content: string | null;
  attachments: HostedAttachment[];
  timestamp: string | null;
  error: string | null;
  errorDetails: string | null;
  /** The HTTP status of the job's outcome: 200 once completed, a failure's status from src/jobs/hosted-codes.ts, null while it runs. */
  code: number | null;
  /** Ours: why the job failed or was cancelled (a job code of src/errors.ts), null otherwise. */
  errorCode: string | null;
}

/** What a REST reader gets besides the job: where it waits, and links to our copies of its results. */
export interface HostedViewExtras {
  queuePosition: number | null;
  /** Our stored copy of each attachment, in the job's order; null where there is none. */
  downloads: readonly (DownloadLink | null)[];
}

export interface HostedJobView extends HostedJob {
  attachments: (HostedAttachment & { download: DownloadLink | null })[];
  /** 1-based position in the queue while `created`. */
  queuePosition: number | null;
  creditCost: number | null;
  /** The identity commands' idname, as sent to the bot. */
  idname: string | null;
  /** listid: the saved names the bot listed, and its default. */
  identities: string[] | null;
  defaultIdentity: string | null;
}

const toHostedAttachment = (a: JobAttachment): HostedAttachment => ({
  id: a.id,
  content_type: a.contentType,
  filename: a.filename,
  url: a.url,
  proxy_url: a.proxyUrl,
  size: a.size,
  width: a.width,
  height: a.height,
});

/** The numeric `code` of a job: its outcome's HTTP status. */
export function hostedCodeOf(job: Pick<Job, 'status' | 'code'>): number | null {
  if (job.status === 'COMPLETED') return COMPLETED_CODE;
  if (job.status !== 'FAILED' && job.status !== 'CANCELLED') return null;
  const entry = job.code === null ? undefined : (HOSTED_CODES as Record<string, { status: number }>)[job.code];
  return entry?.status ?? HOSTED_CODES.INTERNAL_SERVER_ERROR.status;
}

/** Job → the hosted API's JSON, keys in its order (the extras after them). */
export function toHostedJson(job: Job): HostedJob;
export function toHostedJson(job: Job, view: HostedViewExtras): HostedJobView;
export function toHostedJson(job: Job, view?: HostedViewExtras): HostedJob | HostedJobView {
  const hosted: HostedJob = {
    jobid: job.id,
    verb: job.verb,
    status: HOSTED_STATUSES[job.status],
    options: job.options,
    source_image: job.sourceImage && { size: job.sourceImage.size, type: job.sourceImage.type },
    target_image_gif_or_video: job.targetImage && { size: job.targetImage.size, type: job.targetImage.type },
    created: job.created,
    updated: job.updated,
    discord: job.discord,
    server: job.server,
    channel: job.channel ?? job.requestedChannel,
    replyUrl: job.replyUrl,
    replyRef: job.replyRef,
    messageId: job.messageId,
    content: job.content,
    attachments: job.attachments.map(toHostedAttachment),
    timestamp: job.timestamp,
    error: job.error,
    errorDetails: job.errorDetails,
    code: hostedCodeOf(job),
    errorCode: job.code,
  };
  if (!view) return hosted;
  return {
    ...hosted,
    attachments: hosted.attachments.map((a, i) => ({ ...a, download: view.downloads[i] ?? null })),
    queuePosition: view.queuePosition,
    creditCost: job.creditCost ?? null,
    idname: job.idname ?? null,
    identities: job.identities ?? null,
    defaultIdentity: job.defaultIdentity ?? null,
  };
}
