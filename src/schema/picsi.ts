import { AppError } from '../errors.js';
import { isTerminal } from '../jobs/model.js';
import { parsePicsiOptions } from '../jobs/options.js';
import type { JobView } from '../jobs/service.js';
import type { StagedFile } from '../jobs/staged-file.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { JobRef, WaitModeEnum } from './job.js';

export const MAX_REPLY_FIELD_LENGTH = 1024;

const PicsiInput = builder.inputType('PicsiInput', {
  fields: (t) => ({
    sourceImage: t.field({ type: 'Upload', required: true, description: 'The face to use (PNG, JPEG, GIF or WebP).' }),
    targetImage: t.field({ type: 'Upload', required: true, description: 'The image whose face is replaced (video is not supported).' }),
    channel: t.string({ required: false, description: 'A configured channel id; omitted: any eligible channel.' }),
    options: t.string({ required: false, description: 'Bot options, e.g. "-m --shut -o 500" (see the README option table).' }),
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
  }),
});

builder.mutationField('picsi', (t) =>
  t.field({
    type: JobRef,
    description: 'Face-swaps sourceImage onto targetImage through the InsightFaceSwap /picsi command.',
    args: { input: t.arg({ type: PicsiInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const options = parsePicsiOptions(input.options);
      if (!options.ok) throw new AppError('BAD_USER_INPUT', `Invalid options: ${options.message}`, { field: 'options' });
      const replyUrl = checkReplyUrl(input.replyUrl ?? null);
      if (replyUrl) await ctx.checkReplyUrl(replyUrl);
      if ((input.replyRef?.length ?? 0) > MAX_REPLY_FIELD_LENGTH) {
        throw new AppError('BAD_USER_INPUT', 'Optional param replyUrl or replyRef is too long', {
          field: 'replyRef',
          max: MAX_REPLY_FIELD_LENGTH,
        });
      }

      let source: StagedFile | undefined;
      let target: StagedFile | undefined;
      try {
        [source, target] = await spoolBoth(ctx, input.sourceImage, input.targetImage);
        const job = await ctx.jobs.submit({
          owner: ctx.viewer.owner,
          requestedChannel: input.channel ?? null,
          options: options.normalized,
          source,
          target,
          replyUrl,
          replyRef: input.replyRef ?? null,
          mode: input.mode ?? 'QUEUE',
        });
        return input.wait ? await waitForTerminal(ctx, job) : job;
      } catch (error) {
        // submit() owns the blobs from the call on (and deletes them on refusal): discarding an
        // already-deleted key is a no-op, so this is only the cleanup when submit was never reached.
        if (!(error instanceof AppError) || error.code === 'BAD_USER_INPUT')
          await ctx.spooler.discard(source, target).catch(() => undefined);
        throw error;
      }
    },
  }),
);

/** Spools both uploads; if one fails the other is deleted, so no temp file outlives the request. */
async function spoolBoth(ctx: GraphQLContext, source: unknown, target: unknown): Promise<[StagedFile, StagedFile]> {
  const results = await Promise.allSettled([
    ctx.spooler.spool(source, 'source_image'),
    ctx.spooler.spool(target, 'target_image_gif_or_video'),
  ]);
  const [s, t] = results;
  if (s.status === 'fulfilled' && t.status === 'fulfilled') return [s.value, t.value];
  await ctx.spooler.discard(s.status === 'fulfilled' ? s.value : null, t.status === 'fulfilled' ? t.value : null);
  throw s.status === 'rejected' ? s.reason : (t as PromiseRejectedResult).reason;
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
