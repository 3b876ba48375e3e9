/**
 * One REST request through its route: the token (from the headers, before any of the body is read),
 * the body (uploads streamed into the blob store), the handler, and the answer. A refusal is the
 * hosted API's error JSON, logged by the same policy as GraphQL's (src/http/error-log.ts: a client's
 * mistake is one info/warn line with its code, a fault of the server an error with its stack); the
 * rest of a refused body is read and dropped first, so a client still sending gets the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Viewer } from '../../auth/viewer.js';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { UploadSpooler } from '../../jobs/staged-file.js';
import { viewerOf, type Authentication } from '../plugins/use-authentication.js';
import { corsHeadersOf } from '../cors.js';
import { drainLimitsOf, refuse } from '../refusal.js';
import type { Clock } from '../../timing/clock.js';
import { sendJson } from '../respond.js';
import { readBody } from './body.js';
import { appErrorOf, errorReply, INTERNAL_ERROR_REPLY } from './errors.js';
import type { RestReply, RestRequest, RouteSpec } from './route.js';

export interface RouteServerDeps {
  spooler: UploadSpooler;
  config: Config;
  logger: Logger;
  /** Times the drain of a refused body. */
  clock?: Clock;
}

export function sendReply(req: IncomingMessage, res: ServerResponse, reply: RestReply): void {
  if (res.writableEnded || res.destroyed) return;
  if (reply.body !== undefined) return sendJson(req, res, reply.status, reply.body, reply.headers);
  res.writeHead(reply.status, { ...corsHeadersOf(req), ...reply.headers });
  res.end();
}

function authorize(authentication: Authentication, route: RouteSpec): Viewer {
  const viewer = viewerOf(authentication);
  if (route.access === 'admin' && viewer.role !== 'admin')
    throw new AppError('FORBIDDEN', 'Forbidden: account endpoints need an admin token (ADMIN_TOKENS)');
  return viewer;
}

const originOf = (config: Config, req: IncomingMessage) => config.publicUrl ?? `http://${req.headers.host ?? `localhost:${config.port}`}`;

export function createRouteServer({ spooler, config, logger, clock }: RouteServerDeps) {
  const drainLimits = drainLimitsOf(config.uploads, clock);

  async function fail(req: IncomingMessage, res: ServerResponse, error: unknown, log: Logger): Promise<void> {
    const typed = appErrorOf(error);
    if (!typed) {
      log.error({ err: error }, 'unexpected error while serving a REST request');
      return sendReply(req, res, { ...INTERNAL_ERROR_REPLY, headers: req.readableEnded ? {} : { connection: 'close' } });
    }
    const reply = errorReply(typed);
    const refusal = { status: reply.status, code: typed.code, message: typed.message, body: reply.body };
    await refuse(req, res, { ...refusal, ...(reply.headers ? { headers: reply.headers } : {}) }, drainLimits, log);
  }

  return async (
    req: IncomingMessage,
    res: ServerResponse,
    route: RouteSpec,
    params: Record<string, string>,
    authentication: Authentication,
  ): Promise<void> => {
    const log = logger.child({ method: route.method, route: route.path });
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    try {
      const viewer = authorize(authentication, route);
      const body = await readBody(req, {
        fileFields: route.body?.files?.map((f) => f.name) ?? [],
        spooler,
        limits: config.uploads,
      });
      const query = new URL(req.url ?? '/', 'http://rest.invalid').searchParams;
      const request: RestRequest = {
        viewer,
        params,
        field: (name) => body.fields.get(name) ?? query.get(name) ?? undefined,
        bodyFields: body.fields,
        files: body.files,
        origin: originOf(config, req),
        signal: gone.signal,
      };
      sendReply(req, res, await route.handle(request));
    } catch (error) {
      await fail(req, res, error, log);
    }
  };
}
