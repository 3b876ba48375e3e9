/**
 * Copies a job's result files off Discord's CDN into the blob store, so they outlive the CDN URLs
 * (which expire), the account and Discord itself. Runs after the bot's answer released the channel,
 * as durable work under a lease of its own (./result-copies/): the job is COMPLETED with the copy
 * state once it ends, and a holder that dies mid-copy leaves it to the reaper of another instance.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { JobAttachment } from '../../jobs/model.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { copyRemoteToStore } from '../../storage/copy-remote.js';

/** Streams `url` into the blob store under `key`, bounded in size and time, retried (see resultCopier). */
export type CopyRemote = (
  url: string,
  key: string,
  options: { contentType: string; signal: AbortSignal; dispatcher?: Dispatcher | undefined },
) => Promise<unknown>;

export const RESULT_KEY_PREFIX = 'results/';
/**
 * `results/<UTC day>/<job>/<attachment>`: the day first, so a retention rule (an S3 lifecycle rule
 * on the prefix, a sweep of old day folders) can drop whole days after JOB_RETENTION_DAYS.
 */
export const resultKey = (day: string, jobId: string, attachmentId: string) =>
  `${RESULT_KEY_PREFIX}${day}/${jobId}/${attachmentId.replace(/[^\w.=-]/g, '_')}`;

/** `through`: the account's own connections (its proxy), so the download leaves from its address too. */
export async function copyResults(
  jobId: string,
  day: string,
  attachments: JobAttachment[],
  copy: CopyRemote,
  signal: AbortSignal,
  logger: Logger,
  through?: Dispatcher,
): Promise<JobAttachment[]> {
  return Promise.all(
    attachments.map(async (a): Promise<JobAttachment> => {
      const key = resultKey(day, jobId, a.id);
      try {
        await copy(a.url, key, { contentType: a.contentType ?? 'application/octet-stream', signal, dispatcher: through });
        return { ...a, copy: { state: 'STORED', key, error: null } };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ job: jobId, attachment: a.id, err: message }, 'could not copy a result file into the blob store; Discord URLs only');
        return { ...a, copy: { state: 'FAILED', key: null, error: message.slice(0, 300) } };
      }
    }),
  );
}

/** Result files larger than this are not copied (the bot's output is at most 2048 px; GIFs stay far below). */
export const RESULT_COPY_MAX_BYTES = 50 * 1024 * 1024;
/** The whole copy of one file, retries included (the job stays STARTED meanwhile; the channel is free). */
const RESULT_COPY_TIMEOUT_MS = 20_000;

/** The copy into `blobs`: streamed, bounded and retried by storage's copy-remote. */
export function resultCopier(blobs: BlobStore): CopyRemote {
  return (url, key, { contentType, signal, dispatcher }) =>
    copyRemoteToStore({
      url,
      store: blobs,
      key,
      maxBytes: RESULT_COPY_MAX_BYTES,
      timeoutMs: RESULT_COPY_TIMEOUT_MS,
      signal,
      contentType,
      ...(dispatcher ? { dispatcher } : {}),
    });
}
