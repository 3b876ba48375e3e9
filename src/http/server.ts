/**
 * One Node HTTP server: /healthz, /readyz, GraphQL over HTTP at /graphql (Yoga, with uploads
 * parsed first by graphql-upload-ts), and graphql-ws on the same path and port (websocket.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { isMultipart, parseMultipart } from './multipart.js';
import type { YogaApp } from './yoga.js';
import type { Authenticator } from './auth.js';
import { AppError } from '../errors.js';
import type { MetricsRoute } from './metrics-route.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export interface HttpServerDeps {
  yoga: YogaApp;
  authenticator: Authenticator;
  config: Config;
  logger: Logger;
  readiness: ReadinessCheck[];
  metrics?: MetricsRoute;
}

/** The server, and how many requests are being served right now (graceful shutdown waits for them). */
export type HttpServer = Server & { inflight(): number };

export function createHttpServer({ yoga, authenticator, config, logger, readiness, metrics }: HttpServerDeps): HttpServer {
  let inflight = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') return sendReadiness(res, readiness);
    if (req.method === 'GET' && path === '/metrics' && metrics) return metrics(req, res);

    if (path === '/graphql' && req.method === 'POST' && isMultipart(req)) {
      // Refused before a byte of the body is read: an unauthenticated client cannot make us store files.
      const refused = unauthenticated(authenticator, req);
      if (refused) {
        return sendJson(res, 401, { errors: [{ message: refused.message, extensions: { code: refused.code } }] }, { 'www-authenticate': 'Bearer', connection: 'close' });
      }
      const parsed = await parseMultipart(req, res, config.uploads);
      if (!parsed.ok) {
        return sendJson(res, parsed.status, { errors: [{ message: parsed.message, extensions: { code: parsed.code } }] }, { connection: 'close' });
      }
      // The body is graphql-upload-ts's now (files still streaming to disk). A parsed `body` tells
      // the fetch adapter not to wrap the raw stream, which would buffer every file in memory too.
      Object.assign(req, { body: parsed.operations });
      return yoga(req, res, { multipartOperations: parsed.operations });
    }
    return yoga(req, res, {});
  };

  const server = createServer((req, res) => {
    inflight++;
    res.once('close', () => inflight--);
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'unhandled error while serving a request');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });
  return Object.assign(server, { inflight: () => inflight });
}

function unauthenticated(authenticator: Authenticator, req: IncomingMessage): AppError | null {
  try {
    authenticator.authenticate(req.headers.authorization);
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

async function sendReadiness(res: ServerResponse, checks: ReadinessCheck[]) {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => [name, await withTimeout(check(), 2000).catch(() => false)] as const),
  );
  const ready = results.every(([, ok]) => ok);
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
