import type { Route } from '../http/router.js';
import { notFound } from '../http/responses.js';
import { MEDIA_PREFIX } from '../state/cdn.js';

/** Result files, like cdn.discordapp.com (url) and media.discordapp.net (proxy_url). */
function cdnHandler(prefix: string): Route['handler'] {
  return (ctx, sim) => {
    const path = `${prefix}/attachments/${ctx.params.channelId ?? ''}/${ctx.params.attachmentId ?? ''}/${encodeURIComponent(ctx.params.filename ?? '')}`;
    const found = sim.cdn.get(path, ctx.query);
    if (found.ok) {
      return {
        status: 200,
        body: found.file.bytes,
        headers: { 'content-type': found.file.contentType, 'cache-control': 'private, max-age=0' },
      };
    }
    if (found.reason === 'unknown') return notFound();
    return { status: 403, body: Buffer.from('This content is no longer available.'), headers: { 'content-type': 'text/plain' } };
  };
}

export const cdnRoutes: Route[] = [
  { method: 'GET', pattern: '/attachments/:channelId/:attachmentId/:filename', handler: cdnHandler('') },
  { method: 'GET', pattern: `${MEDIA_PREFIX}/attachments/:channelId/:attachmentId/:filename`, handler: cdnHandler(MEDIA_PREFIX) },
];
