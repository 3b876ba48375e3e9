/** The files of a job: the images it was given (FileInfo) and the bot's result files (Attachment). */
import type { FileInfo, JobAttachment } from '../jobs/model.js';
import type { DownloadLink } from '../jobs/job-service.js';
import { builder } from './builder.js';
import { publicOrigin } from './origin.js';

export const FileInfoRef = builder.objectRef<FileInfo>('FileInfo').implement({
  description: 'An uploaded image as received (the hosted API: source_image / target_image_gif_or_video).',
  fields: (t) => ({
    size: t.exposeInt('size', { description: 'Bytes.' }),
    type: t.exposeString('type', { description: 'Content type detected from the bytes.' }),
    filename: t.exposeString('filename', { description: 'The file name the upload carried.' }),
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
    url: t.exposeString('url', { description: 'A signed link to the file, served by this server or the S3 store.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the link stops working.', resolve: (d) => d.expiresAt }),
  }),
});

export const AttachmentRef = builder.objectRef<JobAttachment>('Attachment').implement({
  description: "A file of the bot's reply (the result image). Discord CDN URLs expire after hours to days; `download` is our own copy.",
  fields: (t) => ({
    id: t.exposeID('id', { description: "Discord's attachment id." }),
    contentType: t.exposeString('contentType', { nullable: true, description: 'Its content type, as Discord gives it.' }),
    filename: t.exposeString('filename', { description: 'Its file name.' }),
    url: t.exposeString('url', {
      description: "Discord's CDN URL (signed; refreshed when read after it expired, unless copyState is STORED).",
    }),
    proxyUrl: t.exposeString('proxyUrl', { nullable: true, description: "Discord's media proxy URL." }),
    size: t.exposeInt('size', { description: 'Bytes.' }),
    width: t.exposeInt('width', { nullable: true, description: 'Pixels, for an image.' }),
    height: t.exposeInt('height', { nullable: true, description: 'Pixels, for an image.' }),
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
