/** Answers the Node server writes itself (outside Yoga), with the same CORS headers as Yoga's. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PageAsset } from '../web/assets.js';
import { corsHeadersOf } from './cors.js';

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  { cors = true }: { cors?: boolean } = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...(cors ? corsHeadersOf(req) : {}),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A file of the web page, re-validated on each load (no-cache) and never sniffed as another type. */
export function sendAsset(req: IncomingMessage, res: ServerResponse, asset: PageAsset) {
  res.writeHead(200, {
    ...corsHeadersOf(req),
    'content-type': asset.contentType,
    'content-length': asset.body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

/** A GraphQL-over-HTTP error body: one error with its code. */
export const errorBody = (code: string, message: string, extensions: Record<string, unknown> = {}) => ({
  errors: [{ message, extensions: { code, ...extensions } }],
});
