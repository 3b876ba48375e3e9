/**
 * The checks every HTTP request passes before a route serves it, in order: the path's one
 * spelling (canonical-path.ts), open mode's loopback-only rule for browsers (browser-origin.ts),
 * the CSRF rule of POST /graphql (csrf.ts) and the per-token rate limit of the API paths
 * (rate-limit.ts). The REST contract under /v1 gets the same checks but the CSRF header: its
 * clients (curl, requests, server-side fetch) send plain multipart forms, and a cross-site form
 * cannot carry the bearer token it needs (in open mode the origin rule keeps pages out).
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { AppError, ERROR_CODES, type ErrorCode } from '../../errors.js';
import type { Authentication } from '../plugins/use-authentication.js';
import type { Refusal } from '../refusal.js';
import { errorReply, routingReply } from '../rest/errors.js';
import { isRestPath } from '../rest/index.js';
import { openModeBrowserRefusal, OPEN_MODE_HINT } from './browser-origin.js';
import { isCanonicalPath } from './canonical-path.js';
import { CSRF_MESSAGE, needsPreflightHeader } from './csrf.js';
import { createRequestRateLimiter, type RequestRateLimiter } from './rate-limit.js';
import { createSocketLimits, type SocketLimits } from './socket-limits.js';

export const GRAPHQL_PATH = '/graphql';

export interface EdgeDeps {
  open: boolean;
  limiter: RequestRateLimiter | null;
}

export type EdgeCheck = (req: IncomingMessage, path: string, authentication: Authentication) => Promise<Refusal | null>;

/** The rate limit's key: the token's owner id, or the address for a request without a valid token. */
export function rateKeyOf(authentication: Authentication, address: string | undefined): string {
  return authentication.ok ? `token:${authentication.viewer.owner}` : `address:${address ?? 'unknown'}`;
}

export function createEdgeCheck({ open, limiter }: EdgeDeps): EdgeCheck {
  return async (req, path, authentication) => {
    const api = path === GRAPHQL_PATH ? 'graphql' : isRestPath(path) ? 'rest' : null;
    if (!isCanonicalPath(path)) return refusal(api, 'NOT_FOUND', 404, `Not found: ${path.slice(0, 100)}`);
    if (open) {
      const reason = openModeBrowserRefusal(req.headers);
      if (reason) return { ...refusal(api, 'ORIGIN_FORBIDDEN', 403, `Forbidden: ${reason} (${OPEN_MODE_HINT})`), cors: false };
    }
    if (api === 'graphql' && req.method === 'POST' && needsPreflightHeader(req.headers)) {
      return refusal(api, 'CSRF_PREFLIGHT_REQUIRED', ERROR_CODES.CSRF_PREFLIGHT_REQUIRED.httpStatus, CSRF_MESSAGE);
    }
    // A CORS preflight is not a request of its own: the request it precedes is counted.
    if (api && limiter && req.method !== 'OPTIONS') {
      const wait = await limiter.consume(rateKeyOf(authentication, req.socket.remoteAddress));
      if (wait !== null)
        return refusal(api, 'RATE_LIMITED', 429, `Too many requests for this token: retry in ${wait} s`, { retryAfter: wait });
    }
    return null;
  };
}

/** A refusal in the body of the API the path belongs to: the REST contract's `{ error, code }` under /v1, else GraphQL's. */
function refusal(
  api: 'graphql' | 'rest' | null,
  code: ErrorCode,
  status: number,
  message: string,
  extensions: Record<string, unknown> = {},
): Refusal {
  if (api !== 'rest')
    return {
      status,
      code,
      message,
      extensions,
      ...(typeof extensions['retryAfter'] === 'number' ? { headers: { 'retry-after': String(extensions['retryAfter']) } } : {}),
    };
  const reply = code === 'NOT_FOUND' ? routingReply(404, message) : errorReply(new AppError(code, message, extensions));
  return { status: reply.status, code, message, body: reply.body, ...(reply.headers ? { headers: reply.headers } : {}) };
}

/** Everything the edge needs for one server: the HTTP check, and the websocket's counts and limiter. */
export interface Edge {
  check: EdgeCheck;
  open: boolean;
  /** null in open mode (it serves this machine only: no token to count by). */
  limiter: RequestRateLimiter | null;
  socketLimits: SocketLimits | null;
  close(): Promise<void>;
}

export function createEdge(config: Config, logger: Logger): Edge {
  const open = config.auth.open;
  const limiter = open ? null : createRequestRateLimiter(config, logger.child({ component: 'ratelimit' }));
  return {
    check: createEdgeCheck({ open, limiter }),
    open,
    limiter,
    socketLimits: open ? null : createSocketLimits(config.limits.websocket),
    close: async () => limiter?.close(),
  };
}
