/**
 * The hosted InsightFaceSwap REST API's contract under /v1/ (paths, fields and error texts of the
 * service this project replaces), served beside GraphQL from the same job service. Every request
 * whose path is /v1 or under it reaches this handler (../plugins/use-routes.ts), after the edge's checks.
 * Also served here: the OpenAPI document (/v1/openapi.json) and its reference page (/v1/docs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Clock } from '../../timing/clock.js';
import type { JobService } from '../../jobs/job-service.js';
import type { UploadSpooler } from '../../jobs/staged-file.js';
import type { Authentication } from '../plugins/use-authentication.js';
import { corsHeadersOf } from '../cors.js';
import { sendAsset, sendJson } from '../respond.js';
import { routingReply } from './errors.js';
import { OPENAPI_PATH, openApiDocument, type OpenApiDocument } from './openapi.js';
import { createReferencePage } from './reference.js';
import { createRouter } from './router.js';
import { restRoutes } from './routes.js';
import { createRouteServer, sendReply } from './serve.js';

export interface RestDeps {
  jobs: JobService;
  spooler: UploadSpooler;
  config: Config;
  logger: Logger;
  checkReplyUrl: (url: string) => Promise<void>;
  /** Times the drain of refused bodies. Default: the system clock. */
  clock?: Clock;
}

/** Serves one request under /v1, given its authentication (../plugins/use-authentication.ts). */
export type RestHandler = (req: IncomingMessage, res: ServerResponse, authentication: Authentication) => Promise<void>;

export const REST_PATH_PREFIX = '/v1';

export function isRestPath(path: string): boolean {
  return path === REST_PATH_PREFIX || path.startsWith(`${REST_PATH_PREFIX}/`);
}

export function createRestHandler(deps: RestDeps): RestHandler {
  const logger = deps.logger.child({ component: 'rest' });
  const routes = restRoutes({ ...deps, logger });
  const match = createRouter(routes);
  const serveRoute = createRouteServer({ ...deps, logger });
  const reference = createReferencePage();
  let document: OpenApiDocument | undefined;

  return async (req, res, authentication) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://rest.invalid').pathname;
    // A browser's CORS preflight (fetch with an Authorization header): the shared CORS headers.
    if (method === 'OPTIONS') return sendReply(req, res, { status: 204, headers: corsHeadersOf(req) });
    const read = method === 'GET' || method === 'HEAD';
    if (read && path === OPENAPI_PATH) return sendJson(req, res, 200, (document ??= openApiDocument(routes)));
    const asset = read ? reference.find(path) : undefined;
    if (asset) return sendAsset(req, res, asset);
    const found = match(method, path);
    if (found.kind === 'route') return serveRoute(req, res, found.route, found.params, authentication);
    if (found.kind === 'wrong-method') {
      const allow = found.allowed.join(', ');
      return sendReply(req, res, routingReply(405, `Method ${method} is not allowed on ${path}; allowed: ${allow}`, { allow }));
    }
    return sendReply(req, res, routingReply(404, `Not found: ${method} ${path} (the routes are listed at ${OPENAPI_PATH})`));
  };
}
