/**
 * The Job type: one run of a bot command, a Node (./global-ids.ts) that node(id:) refetches with the
 * same visibility as job(id:) (src/jobs/visibility.ts).
 */
import { commandOf } from '../jobs/commands.js';
import type { CallbackState } from '../jobs/model.js';
import type { JobView } from '../jobs/job-service.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { CallbackStatusEnum, isJobErrorCode, JobCommandEnum, JobErrorCodeEnum, JobStatusEnum, WaitModeEnum } from './job-enums.js';
import { AttachmentRef, FileInfoRef } from './job-files.js';
import { findVisibleJob } from './job-visibility.js';

const CallbackRef = builder.objectRef<CallbackState>('CallbackDelivery').implement({
  description: 'Delivery of the job to its replyUrl once it is terminal.',
  fields: (t) => ({
    status: t.field({ type: CallbackStatusEnum, description: 'Where the delivery stands.', resolve: (c) => c.status }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last failed attempt failed.' }),
    deliveredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the replyUrl accepted it.',
      resolve: (c) => c.deliveredAt,
    }),
  }),
});

const loadJobs = (ids: string[], ctx: GraphQLContext) => ids.map((id) => findVisibleJob(ctx, id));

export const JobRef = builder.node(builder.objectRef<JobView>('Job'), {
  description:
    'One run of a bot command: /picsi or an identity command (`command` says which). Field names follow the hosted API (jobid → id, source_image → sourceImage…).',
  id: {
    description:
      "The job id: the hosted API's jobid, the same string REST answers and callbacks carry. Also its global id (node(id:)); opaque, never parse it.",
    resolve: (j) => j.id,
  },
  loadMany: loadJobs,
  fields: (t) => ({
    command: t.field({ type: JobCommandEnum, description: 'The bot command the job runs.', resolve: (j) => commandOf(j.verb) }),
    verb: t.exposeString('verb', {
      description:
        "The hosted API's name of the command, `faceswap-<command>`: faceswap-picsi, faceswap-saveid, faceswap-swapid, faceswap-setid, faceswap-listid, faceswap-delid, faceswap-delall (`command` is its typed form).",
    }),
    status: t.field({ type: JobStatusEnum, description: 'Where the job stands.', resolve: (j) => j.status }),
    version: t.exposeInt('version', { description: 'Increases with every change; events carry it.' }),
    queuePosition: t.exposeInt('queuePosition', {
      nullable: true,
      description:
        '1-based position while QUEUED: 1 + the queued jobs the claims take before this one (round-robin between API tokens, in order within one; docs/api.md, "The queue"). Pushed on jobUpdated whenever it changes; a newer job of another token can come ahead by one.',
    }),
    mode: t.field({ type: WaitModeEnum, description: 'How the request waited for a channel.', resolve: (j) => j.mode }),
    channel: t.string({
      nullable: true,
      description: 'The channel that ran the job, or the requested one while queued.',
      resolve: (j) => j.channel ?? j.requestedChannel,
    }),
    server: t.exposeString('server', { nullable: true, description: 'The guild of the channel that ran the job.' }),
    discord: t.exposeString('discord', { nullable: true, description: 'The account token, masked (first 3 + … + last 3).' }),
    options: t.exposeString('options', { nullable: true, description: 'The /picsi options, as sent to the bot.' }),
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
  }),
});

// The rest of Job's fields, in schema order: the reply, times, the bot's answer and the failure.
builder.objectFields(JobRef, (t) => ({
  replyUrl: t.exposeString('replyUrl', { nullable: true, description: 'Where the job is POSTed once terminal.' }),
  replyRef: t.exposeString('replyRef', { nullable: true, description: 'Your reference, as given.' }),
  created: t.field({ type: 'DateTime', description: 'When the job was accepted.', resolve: (j) => j.created }),
  updated: t.field({ type: 'DateTime', description: 'When it last changed.', resolve: (j) => j.updated }),
  startedAt: t.field({ type: 'DateTime', nullable: true, description: 'When a channel took it.', resolve: (j) => j.startedAt }),
  finishedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it became terminal.', resolve: (j) => j.finishedAt }),
  messageId: t.exposeString('messageId', { nullable: true, description: "The bot's reply message." }),
  content: t.exposeString('content', { nullable: true, description: "The bot's message text." }),
  attachments: t.field({
    type: [AttachmentRef],
    description: "The files of the bot's reply (the result).",
    resolve: (j) => j.attachments,
  }),
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
  error: t.exposeString('error', { nullable: true, description: "The failure, in words (the hosted API's texts)." }),
  errorDetails: t.exposeString('errorDetails', {
    nullable: true,
    description: 'JSON text: the bot text, Discord error body (retry_after)…',
  }),
  attempt: t.exposeInt('attempt', {
    description: 'Run attempts: a job put back in the queue before anything reached Discord is attempted again.',
  }),
  callback: t.field({
    type: CallbackRef,
    nullable: true,
    description: 'The delivery to replyUrl (or CALLBACK_DEFAULT_URL); null when there is none.',
    resolve: (j) => j.callback,
  }),
}));
