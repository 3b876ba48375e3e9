/**
 * What every job-starting request shares, over GraphQL (src/schema) and REST (src/http/rest): the
 * delivery fields (channel, replyUrl/replyRef, wait mode), their checks, spooling the uploads into
 * the blob store, submitting, and the hosted API's blocking wait. One set of rules, two skins.
 */
import { AppError } from '../errors.js';
import type { Viewer } from '../auth/viewer.js';
import { isTerminal, type WaitMode } from './model.js';
import type { JobService, JobView, SubmitInput } from './job-service.js';
import type { StagedFile, UploadSpooler } from './staged-file.js';

export const MAX_REPLY_FIELD_LENGTH = 1024;

/** What submitting needs from a request (the GraphQL context has all of it). */
export interface SubmissionContext {
  viewer: Pick<Viewer, 'owner'>;
  jobs: JobService;
  spooler: UploadSpooler;
  /** Refuses replyUrls the callback dispatcher would never deliver to (SSRF guard); BAD_USER_INPUT. */
  checkReplyUrl(url: string): Promise<void>;
  config: { jobs: { waitTimeoutMs: number } };
}

export interface DeliveryInput {
  channel?: string | null;
  replyUrl?: string | null;
  replyRef?: string | null;
  mode?: WaitMode | null;
  wait?: boolean | null;
}

/** The delivery fields once checked. */
export interface Delivery {
  requestedChannel: string | null;
  replyUrl: string | null;
  replyRef: string | null;
  mode: WaitMode;
}

/** An upload argument and the name it has in error messages. */
export interface UploadArg {
  upload: unknown;
  field: string;
}

/** A command's images once in the blob store. */
export interface StagedInputs {
  source?: StagedFile;
  target?: StagedFile;
}

export type JobArguments = Omit<SubmitInput, 'owner' | 'requestedChannel' | 'replyUrl' | 'replyRef' | 'mode' | 'source' | 'target'>;

/**
 * Checks the delivery fields, spools the uploads, submits the job `build` describes, and waits if
 * asked. Checks that throw before the spool leave nothing behind; after it, submit() owns the blobs.
 */
export async function startJob(
  ctx: SubmissionContext,
  input: DeliveryInput,
  uploads: { source?: UploadArg; target?: UploadArg },
  build: JobArguments,
): Promise<JobView> {
  const delivery = await checkDelivery(ctx, input);
  const roles = (['source', 'target'] as const).filter((r) => uploads[r] !== undefined);
  let staged: StagedFile[] = [];
  try {
    staged = await spoolAll(
      ctx.spooler,
      roles.map((r) => uploads[r]!),
    );
    const files = Object.fromEntries(roles.map((r, i) => [r, staged[i]])) as StagedInputs;
    const job = await ctx.jobs.submit({ ...build, ...files, ...delivery, owner: ctx.viewer.owner });
    return input.wait ? await waitForTerminal(ctx, job) : job;
  } catch (error) {
    // submit() owns the blobs from the call on (and deletes them on refusal): discarding an
    // already-deleted key is a no-op, so this is only the cleanup when submit was never reached.
    if (!(error instanceof AppError) || error.code === 'BAD_USER_INPUT') await ctx.spooler.discard(...staged).catch(() => undefined);
    throw error;
  }
}

/**
 * Submits a job whose images are already staged (a REST multipart body spools them while it is
 * read). The service owns them from the call on; a failure before that discards them.
 */
export async function submitStaged(
  ctx: SubmissionContext,
  input: DeliveryInput,
  staged: StagedInputs,
  build: JobArguments,
): Promise<JobView> {
  let delivery: Delivery;
  try {
    delivery = await checkDelivery(ctx, input);
  } catch (error) {
    await ctx.spooler.discard(staged.source, staged.target).catch(() => undefined);
    throw error;
  }
  return ctx.jobs.submit({ ...build, ...staged, ...delivery, owner: ctx.viewer.owner });
}

/** The delivery fields' rules: replyUrl (form, length, SSRF) and replyRef (length). */
export async function checkDelivery(ctx: Pick<SubmissionContext, 'checkReplyUrl'>, input: DeliveryInput): Promise<Delivery> {
  const replyUrl = checkReplyUrl(input.replyUrl ?? null);
  if (replyUrl) await ctx.checkReplyUrl(replyUrl);
  if ((input.replyRef?.length ?? 0) > MAX_REPLY_FIELD_LENGTH) {
    throw new AppError('BAD_USER_INPUT', 'Optional param replyUrl or replyRef is too long', {
      field: 'replyRef',
      max: MAX_REPLY_FIELD_LENGTH,
    });
  }
  return { requestedChannel: input.channel ?? null, replyUrl, replyRef: input.replyRef ?? null, mode: input.mode ?? 'QUEUE' };
}

/** Spools every upload; if one fails the others are deleted, so no temp file outlives the request. */
export async function spoolAll(spooler: UploadSpooler, uploads: UploadArg[]): Promise<StagedFile[]> {
  const results = await Promise.allSettled(uploads.map((u) => spooler.spool(u.upload, u.field)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const spooled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (!failed) return spooled;
  await spooler.discard(...spooled);
  throw failed.reason;
}

function checkReplyUrl(url: string | null): string | null {
  if (url === null || url === '') return null;
  if (url.length > MAX_REPLY_FIELD_LENGTH) {
    throw new AppError('BAD_USER_INPUT', 'Optional param replyUrl or replyRef is too long', {
      field: 'replyUrl',
      max: MAX_REPLY_FIELD_LENGTH,
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('BAD_USER_INPUT', 'replyUrl must be an absolute http(s) URL', { field: 'replyUrl' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AppError('BAD_USER_INPUT', 'replyUrl must be an absolute http(s) URL', { field: 'replyUrl' });
  }
  if (parsed.username || parsed.password)
    throw new AppError('BAD_USER_INPUT', 'replyUrl must not carry credentials', { field: 'replyUrl' });
  return url;
}

/**
 * The hosted API's blocking call: follow the job until terminal or WAIT_TIMEOUT_MS (or until
 * `signal` aborts: the client went away), and answer it as it stands then.
 */
export async function waitForTerminal(
  ctx: Pick<SubmissionContext, 'jobs' | 'config'>,
  job: JobView,
  signal?: AbortSignal,
): Promise<JobView> {
  if (isTerminal(job.status)) return job;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.config.jobs.waitTimeoutMs);
  const stop = () => controller.abort();
  signal?.addEventListener('abort', stop, { once: true });
  let latest = job;
  try {
    for await (const update of ctx.jobs.watch(job.id, controller.signal)) {
      latest = update;
      if (isTerminal(update.status)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
    controller.abort();
  }
  return latest;
}
