/** Answers the Node server writes itself (outside Yoga), with the same CORS headers as Yoga's. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { corsHeadersOf } from './cors.js';

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...corsHeadersOf(req),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A GraphQL-over-HTTP error body: one error with its code. */
export const errorBody = (code: string, message: string, extensions: Record<string, unknown> = {}) => ({
  errors: [{ message, extensions: { code, ...extensions } }],
});
