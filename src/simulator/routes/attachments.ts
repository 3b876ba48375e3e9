import { z } from 'zod';
import type { RefreshedUrlsBody, UploadSlotsBody } from '../wire.js';
import type { Route } from '../http/router.js';
import { forVisibleChannel } from '../http/access.js';
import { caller, validJsonBody } from '../http/request.js';
import type { HttpResponse } from '../http/responses.js';
import { json, unauthorized } from '../http/responses.js';

/**
 * Per-file limit of upload slots. Generous on purpose (the server's own default is 25 MiB): real
 * accounts without Nitro are limited to about 10 MB (inferred, docs/discord-protocol.md).
 */
const MAX_FILE_BYTES = 25 * 1024 * 1024;

const slotsSchema = z.object({
  files: z
    .array(
      z.object({
        id: z.union([z.string(), z.number().int()]).transform(String),
        filename: z.string().min(1).max(1024),
        file_size: z.number().int().min(0).max(MAX_FILE_BYTES),
        is_clip: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(10),
});

const refreshSchema = z.object({ attachment_urls: z.array(z.string().max(4096)).min(1).max(50) });

/** Upload slots (REST, authenticated) and the unauthenticated PUT target they point to. */
export const attachmentApiRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/channels/:channelId/attachments',
    handler: forVisibleChannel((ctx, sim, channel, who) => {
      const parsed = validJsonBody(ctx, slotsSchema);
      if (!parsed.ok) return parsed.response;
      const owner = who.kind === 'user' ? who.user.token : sim.botToken;
      const response: UploadSlotsBody = {
        attachments: parsed.value.files.map((file) => {
          const slot = sim.uploads.create(owner, channel.channelId, file.filename, file.file_size);
          const [uuid] = slot.uploadFilename.split('/');
          const uploadUrl = `${sim.origin()}/upload/${uuid ?? ''}/${encodeURIComponent(file.filename)}?upload_id=${slot.uploadId}`;
          return { id: file.id, upload_url: uploadUrl, upload_filename: slot.uploadFilename };
        }),
      };
      return json(200, response);
    }),
  },
  {
    method: 'POST',
    pattern: '/attachments/refresh-urls',
    handler: (ctx, sim) => {
      if (!caller(ctx, sim)) return unauthorized();
      const parsed = validJsonBody(ctx, refreshSchema);
      if (!parsed.ok) return parsed.response;
      const response: RefreshedUrlsBody = {
        refreshed_urls: parsed.value.attachment_urls.map((original) => ({ original, refreshed: sim.cdn.refresh(original) ?? original })),
      };
      return json(200, response);
    },
  },
];

/** Google-storage-like answers of the upload target (plain text, no Discord error codes). */
const storageError = (status: number, text: string): HttpResponse => ({
  status,
  body: Buffer.from(text),
  headers: { 'content-type': 'text/plain' },
});

export const uploadRoutes: Route[] = [
  {
    method: 'PUT',
    pattern: '/upload/:uuid/:filename',
    handler: (ctx, sim) => {
      // The signed URL is the credential; a client that also sends its Discord token leaks it.
      if (ctx.headers.authorization) return storageError(400, 'Unexpected Authorization header on a signed upload URL.');
      const uploadFilename = `${ctx.params.uuid ?? ''}/${ctx.params.filename ?? ''}`;
      const result = sim.uploads.put(uploadFilename, ctx.query.get('upload_id'), ctx.body);
      if (result.channelId) ctx.channelId = result.channelId;
      if (result.ok) return { status: 200 };
      if (result.reason === 'unknown') return storageError(404, 'No such upload.');
      return storageError(400, 'Uploaded size does not match the declared file_size.');
    },
  },
];
