/**
 * One Node HTTP server: the web page at / (src/web), /healthz, /readyz, GraphQL over HTTP at
 * /graphql (Yoga, with uploads parsed first by graphql-upload-ts), graphql-ws on the same path
 * and port (websocket.ts), and the hosted API's REST contract under /v1/ (src/http/rest). Every
 * request passes the edge's checks first (./edge: the path's one spelling, open mode's origin
 * rule, CSRF, the rate limit), then each route matches its one path; anything else is a JSON 404.
 * Every answer carries the same CORS headers (cors.ts).
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError, ERROR_CODES } from '../errors.js';
import type { WebAssets } from '../web/assets.js';
import type { Authenticator } from './auth.js';
import type { MetricsRoute } from './metrics-route.js';
import { isMultipart, maxRequestBytes, parseMultipart } from './multipart.js';
import { refuse, REFUSED_BODY_LIMITS, type DrainLimits } from './refusal.js';
import { errorBody, sendAsset, sendJson } from './respond.js';
import type { YogaApp } from './yoga.js';
import { FILES_PATH_PREFIX, type FilesRequestHandler } from './files-route.js';
import { withTimeout } from '../timing/timeout.js';
import { isRestPath, type RestHandler } from './rest/index.js';
import { GRAPHQL_PATH, type EdgeCheck } from './edge/index.js';
import { requestPath } from './edge/canonical-path.js';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

export interface HttpServerDeps {
  yoga: YogaApp;
  authenticator: Authenticator;
  config: Config;
  logger: Logger;
  readiness: ReadinessCheck[];
  web: WebAssets;
  metrics?: MetricsRoute;
  files?: FilesRequestHandler | null;
  /** The hosted API's REST contract under /v1/ (src/http/rest). */
  rest?: RestHandler;
  /** The checks before any route (./edge): path spelling, open mode's origin rule, CSRF, rate limit. */
  edge: EdgeCheck;
}

/**
 * The server, counting the requests being served right now (graceful shutdown waits for them),
 * not event streams (SSE subscriptions), which stop() ends with endStreams().
 */
export type HttpServer = Server & {
  /** Resolves once no request is being served; rejects when `signal` aborts first. */
  untilIdle(signal: AbortSignal): Promise<void>;
  endStreams(): void;
};

export function createHttpServer({
  yoga,
  authenticator,
  config,
  logger,
  readiness,
  web,
  metrics,
  files,
  rest,
  edge,
}: HttpServerDeps): HttpServer {
  let inflight = 0;
  const streams = new Set<ServerResponse>();
  const idle = new EventEmitter();
  const drainLimits: DrainLimits = { maxBytes: maxRequestBytes(config.uploads), ...REFUSED_BODY_LIMITS };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = requestPath(req.url);
    const refused = await edge(req, path);
    if (refused) return refuse(req, res, refused, drainLimits, logger);
    if (req.method === 'GET' && path === '/healthz') return sendJson(req, res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') return sendReadiness(req, res, readiness);
    if (files && path.startsWith(FILES_PATH_PREFIX)) return files(req, res);
    if (req.method === 'GET' && path === '/metrics' && metrics) return metrics(req, res);
    if (rest && isRestPath(path)) return rest(req, res);
    const asset = req.method === 'GET' || req.method === 'HEAD' ? web.find(path) : undefined;
    if (asset) return sendAsset(req, res, asset);

    if (path !== GRAPHQL_PATH) return refuse(req, res, NOT_FOUND, drainLimits, logger);
    if (req.method === 'POST' && isMultipart(req)) {
      // Refused from its headers: nothing of an unauthenticated upload is stored (its body is discarded).
      const refused = unauthenticated(authenticator, req);
      if (refused) {
        const unauthorized = {
          status: ERROR_CODES.UNAUTHENTICATED.httpStatus,
          code: refused.code,
          message: refused.message,
          headers: { 'www-authenticate': 'Bearer' },
          extensions: refused.extensions,
        };
        return refuse(req, res, unauthorized, drainLimits, logger);
      }
      const parsed = await parseMultipart(req, res, config.uploads);
      if (!parsed.ok) return refuse(req, res, parsed, drainLimits, logger);
      // The body is graphql-upload-ts's now (files still streaming to disk). A parsed `body` is what
      // Yoga reads (the fetch adapter does not wrap the raw stream, which would buffer every file).
      Object.assign(req, { body: parsed.operations });
      return yoga(req, res, {});
    }
    return yoga(req, res, {});
  };

  const server = createServer((req, res) => {
    const stream = (req.headers.accept ?? '').includes('text/event-stream');
    if (stream) {
      streams.add(res);
      res.once('close', () => streams.delete(res));
    } else {
      inflight++;
      res.once('close', () => {
        if (--inflight === 0) idle.emit('idle');
      });
    }
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'unhandled error while serving a request');
      if (!res.headersSent)
        sendJson(req, res, ERROR_CODES.INTERNAL_SERVER_ERROR.httpStatus, errorBody('INTERNAL_SERVER_ERROR', 'Unexpected error.'));
      else res.destroy();
    });
  });
  return Object.assign(server, {
    untilIdle: async (signal: AbortSignal) => {
      if (inflight > 0) await once(idle, 'idle', { signal });
    },
    endStreams: () => {
      for (const res of streams) res.end();
    },
  });
}

const NOT_FOUND = {
  status: 404,
  code: 'NOT_FOUND',
  message: 'Not found: this server serves /, /graphql, /v1/…, /files/…, /healthz, /readyz and /metrics',
} as const;

function unauthenticated(authenticator: Authenticator, req: IncomingMessage): AppError | null {
  try {
    authenticator.authenticate(req.headers.authorization);
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

async function sendReadiness(req: IncomingMessage, res: ServerResponse, checks: ReadinessCheck[]) {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => [name, await passesWithin(check, READINESS_TIMEOUT_MS)] as const),
  );
  const ready = results.every(([, ok]) => ok);
  sendJson(req, res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
}

const READINESS_TIMEOUT_MS = 2000;

/** A check that throws, or has not answered within `ms`, fails. */
function passesWithin(check: ReadinessCheck['check'], ms: number): Promise<boolean> {
  return withTimeout(
    ms,
    () => check().catch(() => false),
    () => false,
  );
}
