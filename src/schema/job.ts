import { ERROR_CODES, JOB_ERROR_CODES, type JobErrorCode } from '../errors.js';
import { JOB_STATUSES, type CallbackState, type FileInfo, type JobAttachment } from '../jobs/model.js';
import type { DownloadLink, JobView } from '../jobs/service.js';
import { builder } from './builder.js';
import { publicOrigin } from './origin.js';

export const JobStatusEnum = builder.enumType('JobStatus', {
  description: 'QUEUED → STARTED → COMPLETED | FAILED | CANCELLED. A job always ends in one of the last three.',
  values: Object.fromEntries(JOB_STATUSES.map((s) => [s, { value: s }])) as Record<
    (typeof JOB_STATUSES)[number],
    { value: (typeof JOB_STATUSES)[number] }
  >,
});

export const WaitModeEnum = builder.enumType('WaitMode', {
  description: 'How a picsi request waits when every eligible channel is busy.',
  values: {
    QUEUE: { value: 'QUEUE', description: 'Wait in a FIFO queue (default); refused with CHANNEL_BUSY only when the queue is full.' },
    FAIL_FAST: { value: 'FAIL_FAST', description: 'The hosted API behaviour: try LOCK_ATTEMPTS times, then refuse with CHANNEL_BUSY.' },
  } as const,
});

/** Generated from src/errors.ts: the codes whose `appearsOn` is 'job' or 'both'. */
export const JobErrorCodeEnum = builder.enumType('JobErrorCode', {
  description: 'Why a job failed or was cancelled (the README errors section, src/errors.ts).',
  values: Object.fromEntries(JOB_ERROR_CODES.map((code) => [code, { value: code, description: ERROR_CODES[code].description }])) as Record<
    JobErrorCode,
    { value: JobErrorCode; description: string }
  >,
});

const isJobErrorCode = (code: string): code is JobErrorCode => (JOB_ERROR_CODES as readonly string[]).includes(code);

const FileInfoRef = builder.objectRef<FileInfo>('FileInfo').implement({
  description: 'An uploaded image as received (the hosted API: source_image / target_image_gif_or_video).',
  fields: (t) => ({
    size: t.exposeInt('size', { description: 'Bytes.' }),
    type: t.exposeString('type', { description: 'Content type detected from the bytes.' }),
    filename: t.exposeString('filename'),
  }),
});

const ResultCopyStateEnum = builder.enumType('ResultCopyState', {
  description: "Our copy of a result file, made off Discord's CDN before the job is COMPLETED.",
  values: {
    STORED: {
      value: 'STORED',
      description: 'Stored: `download` serves it for JOB_RETENTION_DAYS, whatever happens to the Discord URL, the account or Discord.',
    },
    FAILED: { value: 'FAILED', description: "The copy failed: only Discord's URLs remain (refreshed when read after they expired)." },
  } as const,
});

const DownloadRef = builder.objectRef<DownloadLink>('Download').implement({
  description: 'A time-limited link to our copy of a result file; ask again for a fresh one.',
  fields: (t) => ({
    url: t.exposeString('url'),
    expiresAt: t.field({ type: 'DateTime', resolve: (d) => d.expiresAt }),
  }),
});

const AttachmentRef = builder.objectRef<JobAttachment>('Attachment').implement({
  description: "A file of the bot's reply (the result image). Discord CDN URLs expire after hours to days; `download` is our own copy.",
  fields: (t) => ({
    id: t.exposeID('id'),
    contentType: t.exposeString('contentType', { nullable: true }),
    filename: t.exposeString('filename'),
    url: t.exposeString('url'),
    proxyUrl: t.exposeString('proxyUrl', { nullable: true }),
    size: t.exposeInt('size'),
    width: t.exposeInt('width', { nullable: true }),
    height: t.exposeInt('height', { nullable: true }),
    copyState: t.field({
      type: ResultCopyStateEnum,
      nullable: true,
      description: 'Null for jobs completed before results were copied.',
      resolve: (a) => a.copy?.state ?? null,
    }),
    download: t.field({
      type: DownloadRef,
      nullable: true,
      description: 'Our stored copy (null unless copyState is STORED).',
      resolve: (a, _args, ctx) =>
        a.copy?.state === 'STORED' && a.copy.key ? ctx.jobs.downloadLink(a.copy.key, a.filename, publicOrigin(ctx)) : null,
    }),
  }),
});

const CallbackStatusEnum = builder.enumType('CallbackStatus', { values: ['PENDING', 'DELIVERED', 'FAILED'] as const });

const CallbackRef = builder.objectRef<CallbackState>('CallbackDelivery').implement({
  description: 'Delivery of the job to its replyUrl once it is terminal.',
  fields: (t) => ({
    status: t.field({ type: CallbackStatusEnum, resolve: (c) => c.status }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.deliveredAt }),
  }),
});

export const JobRef = builder.objectRef<JobView>('Job').implement({
  description:
    'One run of a bot command: /picsi or an identity command (`verb` says which). Field names follow the hosted API (jobid → id, source_image → sourceImage…).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The job id (the hosted API: jobid).' }),
    verb: t.exposeString('verb', {
      description:
        '`faceswap-<command>`: faceswap-picsi, faceswap-saveid, faceswap-swapid, faceswap-setid, faceswap-listid, faceswap-delid, faceswap-delall.',
    }),
    status: t.field({ type: JobStatusEnum, resolve: (j) => j.status }),
    version: t.exposeInt('version', { description: 'Increases with every change; events carry it.' }),
    queuePosition: t.exposeInt('queuePosition', { nullable: true, description: '1-based position while QUEUED.' }),
    mode: t.field({ type: WaitModeEnum, resolve: (j) => j.mode }),
    channel: t.string({
      nullable: true,
      description: 'The channel that ran the job, or the requested one while queued.',
      resolve: (j) => j.channel ?? j.requestedChannel,
    }),
    server: t.exposeString('server', { nullable: true }),
    discord: t.exposeString('discord', { nullable: true, description: 'The account token, masked (first 3 + … + last 3).' }),
    options: t.exposeString('options', { nullable: true }),
    idname: t.string({
      nullable: true,
      description: 'The idname argument of an identity command, as sent (swapId: names joined by commas; setId: with its flag).',
      resolve: (j) => j.idname ?? null,
    }),
    sourceImage: t.field({
      type: FileInfoRef,
      nullable: true,
      description: 'The face image (picsi, saveId); null for commands without one.',
      resolve: (j) => j.sourceImage,
    }),
    targetImage: t.field({
      type: FileInfoRef,
      nullable: true,
      description: 'The target image (picsi, swapId); null for commands without one.',
      resolve: (j) => j.targetImage,
    }),
    creditCost: t.int({
      nullable: true,
      description: 'Credits the job costs its account, decided when accepted (a GIF target costs the GIF price); null on older jobs.',
      resolve: (j) => j.creditCost ?? null,
    }),
    replyUrl: t.exposeString('replyUrl', { nullable: true }),
    replyRef: t.exposeString('replyRef', { nullable: true }),
    created: t.field({ type: 'DateTime', resolve: (j) => j.created }),
    updated: t.field({ type: 'DateTime', resolve: (j) => j.updated }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.finishedAt }),
    messageId: t.exposeString('messageId', { nullable: true, description: "The bot's reply message." }),
    content: t.exposeString('content', { nullable: true, description: "The bot's message text." }),
    attachments: t.field({ type: [AttachmentRef], resolve: (j) => j.attachments }),
    identities: t.stringList({
      nullable: true,
      description:
        "listIds: the saved names the bot listed, in its order; null for other commands, or when the bot's text could not be read (see content).",
      resolve: (j) => j.identities ?? null,
    }),
    defaultIdentity: t.string({
      nullable: true,
      description: 'listIds: the default identity, when the bot showed one.',
      resolve: (j) => j.defaultIdentity ?? null,
    }),
    timestamp: t.field({ type: 'DateTime', nullable: true, description: "The bot message's timestamp.", resolve: (j) => j.timestamp }),
    code: t.field({
      type: JobErrorCodeEnum,
      nullable: true,
      description: 'Why the job failed or was cancelled.',
      // A stored code outside the table (none is written today) would fail the whole field.
      resolve: (j) => (j.code === null ? null : isJobErrorCode(j.code) ? j.code : 'INTERNAL_SERVER_ERROR'),
    }),
    error: t.exposeString('error', { nullable: true }),
    errorDetails: t.exposeString('errorDetails', {
      nullable: true,
      description: 'JSON text: the bot text, Discord error body (retry_after)…',
    }),
    attempt: t.exposeInt('attempt'),
    callback: t.field({ type: CallbackRef, nullable: true, resolve: (j) => j.callback }),
  }),
});
