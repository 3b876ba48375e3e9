/** This server's public origin, for links it serves itself: PUBLIC_URL, else the request's own origin. */
import type { IncomingMessage } from 'node:http';
import type { GraphQLContext } from './context.js';

/** Yoga puts the server context (the HTTP request, or the websocket's upgrade request) on every context. */
type WithRequest = GraphQLContext & { request?: Request; req?: IncomingMessage };

export function publicOrigin(ctx: GraphQLContext): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl;
  const { request, req } = ctx as WithRequest;
  if (request?.url) return new URL(request.url).origin;
  const host = req?.headers.host;
  return host ? `http://${host}` : `http://localhost:${ctx.config.port}`;
}
