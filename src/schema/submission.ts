/**
 * What every job-starting mutation shares (picsi and the identity commands): the delivery fields
 * (channel, replyUrl/replyRef, wait mode, wait), their checks, spooling the uploads into the blob
 * store, and the hosted API's blocking wait.
 */
import { AppError } from '../errors.js';
import { isTerminal } from '../jobs/model.js';
import type { JobView, SubmitInput } from '../jobs/service.js';
import type { StagedFile } from '../jobs/staged-file.js';
import { type builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { WaitModeEnum } from './job.js';

export const MAX_REPLY_FIELD_LENGTH = 1024;

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
type InputFields = PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>;

/** The delivery fields of an input type; `channel` is described by the caller (the rule differs). */
export function deliveryFields(t: InputFields, channelDescription: string) {
  return {
    channel: t.string({ required: false, description: channelDescription }),
    replyUrl: t.string({
      required: false,
      description: `http(s) URL that receives the job once terminal (≤ ${MAX_REPLY_FIELD_LENGTH} characters).`,
    }),
    replyRef: t.string({ required: false, description: `Your reference, returned with the job (≤ ${MAX_REPLY_FIELD_LENGTH} characters).` }),
    mode: t.field({ type: WaitModeEnum, required: false, defaultValue: 'QUEUE' }),
    wait: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Block until the job is terminal (bounded by WAIT_TIMEOUT_MS; then the job is returned as it stands).',
    }),
  };
}

export interface DeliveryInput {
  channel?: string | null;
  replyUrl?: string | null;
  replyRef?: string | null;
  mode?: 'QUEUE' | 'FAIL_FAST' | null;
  wait?: boolean | null;
}

/** An upload argument and the name it has in error messages. */
export interface UploadArg {
  upload: unknown;
  field: string;
}

/**
 * Checks the delivery fields, spools the uploads, submits the job `build` describes, and waits if
 * asked. Checks that throw before the spool leave nothing behind; after it, submit() owns the blobs.
 */
export async function startJob(
  ctx: GraphQLContext,
  input: DeliveryInput,
  uploads: { source?: UploadArg; target?: UploadArg },
  build: Omit<SubmitInput, 'owner' | 'requestedChannel' | 'replyUrl' | 'replyRef' | 'mode' | 'source' | 'target'>,
): Promise<JobView> {
  const replyUrl = checkReplyUrl(input.replyUrl ?? null);
  if (replyUrl) await ctx.checkReplyUrl(replyUrl);
  if ((input.replyRef?.length ?? 0) > MAX_REPLY_FIELD_LENGTH) {
    throw new AppError('BAD_USER_INPUT', 'Optional param replyUrl or replyRef is too long', {
      field: 'replyRef',
      max: MAX_REPLY_FIELD_LENGTH,
    });
  }
  const roles = (['source', 'target'] as const).filter((r) => uploads[r] !== undefined);
  let staged: StagedFile[] = [];
  try {
    staged = await spoolAll(
      ctx,
      roles.map((r) => uploads[r]!),
    );
    const files = Object.fromEntries(roles.map((r, i) => [r, staged[i]])) as { source?: StagedFile; target?: StagedFile };
    const job = await ctx.jobs.submit({
      ...build,
      ...files,
      owner: ctx.viewer.owner,
      requestedChannel: input.channel ?? null,
      replyUrl,
      replyRef: input.replyRef ?? null,
      mode: input.mode ?? 'QUEUE',
    });
    return input.wait ? await waitForTerminal(ctx, job) : job;
  } catch (error) {
    // submit() owns the blobs from the call on (and deletes them on refusal): discarding an
    // already-deleted key is a no-op, so this is only the cleanup when submit was never reached.
    if (!(error instanceof AppError) || error.code === 'BAD_USER_INPUT') await ctx.spooler.discard(...staged).catch(() => undefined);
    throw error;
  }
}

/** Spools every upload; if one fails the others are deleted, so no temp file outlives the request. */
async function spoolAll(ctx: GraphQLContext, uploads: UploadArg[]): Promise<StagedFile[]> {
  const results = await Promise.allSettled(uploads.map((u) => ctx.spooler.spool(u.upload, u.field)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const spooled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (!failed) return spooled;
  await ctx.spooler.discard(...spooled);
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

/** The hosted API's blocking call: follow the job until terminal or WAIT_TIMEOUT_MS. */
async function waitForTerminal(ctx: GraphQLContext, job: JobView): Promise<JobView> {
  if (isTerminal(job.status)) return job;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.config.jobs.waitTimeoutMs);
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
    controller.abort();
  }
  return latest;
}
