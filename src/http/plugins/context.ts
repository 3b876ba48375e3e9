/**
 * What every plugin of the HTTP edge reads from Yoga's server context: the Node request and
 * response (@whatwg-node/server's Node adapter puts them there), and the request's authentication
 * (use-authentication.ts). A plugin that answers on the Node response itself (a streamed file, a
 * refusal that first drains the body) ends Yoga's handling with ANSWERED: the adapter sends
 * nothing on a response that has already ended.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Viewer } from '../../auth/viewer.js';
import { ERROR_CODES, type AppError } from '../../errors.js';
import { requestPath } from '../edge/canonical-path.js';
import { errorBody, sendJson } from '../respond.js';

/** A request's authentication (./use-authentication.ts): its viewer, or why it has none. */
export type Authentication = { ok: true; viewer: Viewer } | { ok: false; error: AppError };

export interface EdgeServerContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Set by useAuthentication before any other plugin runs (HTTP requests only). */
  authentication?: Authentication;
  /** Set on the websocket path, where graphql-ws authenticated the connection once. */
  viewer?: Viewer;
}

export type EdgePlugin = Plugin<Record<string, unknown>, EdgeServerContext>;

/** A Node handler's context: the request's path as sent, and its authentication. */
export interface NodeRequest {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  authentication: Authentication;
}

export type NodeHandler = (request: NodeRequest) => Promise<void> | void;

/**
 * Ends Yoga's handling once a handler answered on the Node response. It is only ever sent if the
 * handler returned without answering, which is a bug: a 500 then says so.
 */
export const answered = () => new Response(null, { status: 500 });

/**
 * A plugin whose Node handler may answer: it resolves true when it did (Yoga's handling ends
 * there), false to let the next plugin see the request. A handler that throws gets the same 500
 * as any unexpected error (its stack logged; a response already started is cut).
 */
export function nodeStep(step: (request: NodeRequest) => Promise<boolean>, logger: Logger): EdgePlugin {
  return {
    async onRequest(payload) {
      const request = nodeRequestOf(payload.serverContext);
      if (await answeredSafely(request, step, logger)) payload.endResponse(answered());
    },
  };
}

/** A plugin that serves the requests `matches` picks with a Node handler. */
export function nodeRoute(matches: (request: NodeRequest) => boolean, handle: NodeHandler, logger: Logger): EdgePlugin {
  return nodeStep(async (request) => {
    if (!matches(request)) return false;
    await handle(request);
    return true;
  }, logger);
}

export function nodeRequestOf({ req, res, authentication }: EdgeServerContext): NodeRequest {
  if (!authentication) throw new Error('useAuthentication must run before the edge plugins');
  return { req, res, path: requestPath(req.url), authentication };
}

async function answeredSafely(request: NodeRequest, step: (request: NodeRequest) => Promise<boolean>, logger: Logger): Promise<boolean> {
  const { req, res } = request;
  try {
    return await step(request);
  } catch (error) {
    logger.error({ err: error }, 'unhandled error while serving a request');
    if (!res.headersSent)
      sendJson(req, res, ERROR_CODES.INTERNAL_SERVER_ERROR.httpStatus, errorBody('INTERNAL_SERVER_ERROR', 'Unexpected error.'));
    else res.destroy();
    return true;
  }
}
