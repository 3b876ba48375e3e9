/**
 * The callback body: the job under the hosted API's JSON field names (src/jobs/model.ts maps them), so receivers
 * written for the hosted service keep working. Absent values are sent as null, never omitted, and
 * only the hosted API's fields are sent (no owner, instance, version or callback bookkeeping).
 */
import type { Job, JobAttachment } from '../jobs/model.js';

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
  /** The job status in the hosted API's lower case: 'queued' | 'started' | 'completed' | 'failed' | 'cancelled'. */
  status: string;
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
  code: string | null;
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

/** Job → the hosted API's JSON shape, keys in its order. */
export function toHostedJson(job: Job): HostedJob {
  return {
    jobid: job.id,
    verb: job.verb,
    status: job.status.toLowerCase(),
    options: job.options,
    source_image: job.sourceImage && { size: job.sourceImage.size, type: job.sourceImage.type },
    target_image_gif_or_video: job.targetImage && { size: job.targetImage.size, type: job.targetImage.type },
    created: job.created,
    updated: job.updated,
    discord: job.discord,
    server: job.server,
    channel: job.channel,
    replyUrl: job.replyUrl,
    replyRef: job.replyRef,
    messageId: job.messageId,
    content: job.content,
    attachments: job.attachments.map(toHostedAttachment),
    timestamp: job.timestamp,
    error: job.error,
    errorDetails: job.errorDetails,
    code: job.code,
  };
}
