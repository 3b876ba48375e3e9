/**
 * graphql-ws on the HTTP server's /graphql path. Every operation runs through Yoga's envelop
 * (same schema, masking, armor limits and context) via getEnveloped. Authentication happens once,
 * in onConnect, from connectionParams.authorization: a connection without a token closes with
 * 4401, one with a malformed or unknown token with 4403, each with the reason as its close reason.
 *
 * Bounds (src/http/edge): a frame over MAX_FRAME_BYTES closes the socket with 1009 before it is
 * buffered; in open mode a browser page not on loopback is refused at the upgrade (403); with
 * auth on, sockets not yet authenticated are counted per address and sockets per token (over
 * either: closed 1013 Try Again Later), operations per token, and each operation counts against
 * the token's request rate limit (over it: a RATE_LIMITED error, the socket stays open).
 */
import type { Server } from 'node:http';
import {
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type parse as parseDocument,
  type validate as validateDocument,
} from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type VerifyClientCallbackAsync, type WebSocket } from 'ws';
import type { Viewer } from '../auth/viewer.js';
import type { AuthFailure, Authenticator } from './auth.js';
import { openModeBrowserRefusal, OPEN_MODE_HINT } from './edge/browser-origin.js';
import { GRAPHQL_PATH } from './edge/index.js';
import type { RequestRateLimiter } from './edge/rate-limit.js';
import type { SocketLimits } from './edge/socket-limits.js';
import { logClientError } from './error-log.js';
import { authenticate } from './plugins/use-authentication.js';
import type { YogaApp } from './yoga.js';

/** Operations one socket may run at once: a subscription flood from one client is refused. */
export const MAX_OPERATIONS_PER_SOCKET = 100;

/** The largest websocket message: a GraphQL operation is a few kB; graphql-ws's default (ws's 100 MiB) let one frame take 100 MB. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** "Try Again Later" (RFC 6455 registry): too many sockets. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

export interface WebSocketDeps {
  yoga: YogaApp;
  authenticator: Authenticator;
  logger: Logger;
  open: boolean;
  /** Per-address and per-token counts; null in open mode. */
  limits: SocketLimits | null;
  limiter: RequestRateLimiter | null;
}

type SocketExtra = Extra & {
  viewer?: Viewer;
};

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** How long a client that sent an oversize frame has to read the 1009 close before its connection is cut. */
const OVERSIZE_CLOSE_GRACE_MS = 1000;

/**
 * A frame over MAX_FRAME_BYTES: ws has sent the 1009 close, then reads and discards the rest of
 * the frame as it arrives (up to 100 MB of garbage chunks per frame before a GC). Reading stops
 * instead: the client gets the close frame, and the connection is cut after a short grace.
 */
function stopOversizeFrame(socket: WebSocket, raw: Duplex, error: Error): void {
  if ((error as { code?: string }).code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return;
  // After ws's own resume (queued with process.nextTick).
  setImmediate(() => raw.pause());
  setTimeout(() => socket.terminate(), OVERSIZE_CLOSE_GRACE_MS).unref();
}

const rateLimited = (message: string, retryAfter?: number) =>
  new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', ...(retryAfter ? { retryAfter } : {}) } });

type SocketContext = Context<Record<string, unknown> | undefined, SocketExtra & Record<PropertyKey, unknown>>;

/** Open mode: a browser page not on loopback is refused at the upgrade (src/http/edge/browser-origin.ts). */
const verifyClientFor =
  (deps: WebSocketDeps): VerifyClientCallbackAsync =>
  ({ req }, done) => {
    const reason = deps.open ? openModeBrowserRefusal(req.headers) : null;
    if (!reason) return done(true);
    logClientError(deps.logger, { code: 'ORIGIN_FORBIDDEN', message: `websocket refused: ${reason}`, status: 403 });
    done(false, 403, `Forbidden: ${reason} (${OPEN_MODE_HINT})`);
  };

/** Counts each socket from its address until it authenticates (registered before graphql-ws: a refused socket is never served). */
function trackSockets(wss: WebSocketServer, limits: SocketLimits): void {
  wss.on('connection', (socket, req) => {
    socket.once('close', () => limits.closed(socket));
    const refused = limits.opened(socket, req.socket.remoteAddress ?? 'unknown');
    if (refused) socket.close(CLOSE_TRY_AGAIN_LATER, refused);
  });
}

/** onConnect: the token from connectionParams (the same `authenticate` as every HTTP request), then the token's socket count. */
function authenticateSocket(deps: WebSocketDeps, ctx: SocketContext): boolean {
  const params = ctx.connectionParams ?? {};
  const authentication = authenticate(deps.authenticator, params['authorization'] ?? params['Authorization']);
  if (!authentication.ok) {
    const reason = authentication.error.extensions['reason'] as AuthFailure | undefined;
    // Closed here with the reason; graphql-ws's own close (4403 "Forbidden") then finds it closing.
    const close = { code: reason === 'missing token' ? 4401 : 4403, reason: reason ?? 'unknown token' };
    logClientError(deps.logger, { code: 'UNAUTHENTICATED', message: `websocket refused: ${close.reason}`, close: close.code });
    ctx.extra.socket.close(close.code, close.reason);
    return false;
  }
  const viewer = authentication.viewer;
  ctx.extra.viewer = viewer;
  const refused = deps.limits?.authenticated(ctx.extra.socket, viewer.owner, () => Object.keys(ctx.subscriptions).length);
  if (!refused) return true;
  logClientError(deps.logger, { code: 'RATE_LIMITED', message: `websocket refused: ${refused}`, close: CLOSE_TRY_AGAIN_LATER });
  ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, refused);
  return false;
}

/** Why an operation may not start: too many on the socket or for the token, or the token's request rate. */
async function operationRefusal(deps: WebSocketDeps, ctx: SocketContext): Promise<GraphQLError | null> {
  if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_SOCKET) {
    return new GraphQLError(`At most ${MAX_OPERATIONS_PER_SOCKET} operations may run on one socket`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const owner = ctx.extra.viewer?.owner ?? 'anonymous';
  if (deps.limits && !deps.limits.mayStartOperation(owner)) return rateLimited('Too many operations running for this token');
  const wait = deps.limiter ? await deps.limiter.consume(`token:${owner}`) : null;
  return wait === null ? null : rateLimited(`Too many requests for this token: retry in ${wait} s`, wait);
}

/** The operation through Yoga's envelop: parsed, validated, with its context; or its errors. */
async function envelopedArgs(
  deps: WebSocketDeps,
  ctx: SocketContext,
  payload: SubscribePayload,
): Promise<ExecutionArgs | readonly GraphQLError[]> {
  const enveloped = deps.yoga.getEnveloped({
    ...ctx,
    viewer: ctx.extra.viewer,
    req: ctx.extra.request,
    socket: ctx.extra.socket,
    params: payload,
  });
  const { execute, subscribe, contextFactory } = enveloped;
  // envelop's typings reach graphql-js's types as `any` here: these are Yoga's own (wrapped) parse, validate and schema.
  const schema = enveloped.schema as GraphQLSchema;
  const parse = enveloped.parse as typeof parseDocument;
  const validate = enveloped.validate as typeof validateDocument;
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    // Same code as over HTTP (Yoga adds it there; graphql-js's syntax errors carry none).
    if (!(error instanceof GraphQLError)) return [new GraphQLError('Syntax error', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    return [
      new GraphQLError(error.message, {
        source: error.source,
        positions: error.positions,
        extensions: { code: 'GRAPHQL_PARSE_FAILED', ...error.extensions },
      }),
    ];
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return errors;
  return {
    schema,
    document,
    operationName: payload.operationName ?? null,
    variableValues: payload.variables ?? null,
    contextValue: await contextFactory(),
    rootValue: { execute, subscribe } satisfies EnvelopedRoot,
  };
}

export function attachWebSocketServer(server: Server, deps: WebSocketDeps) {
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload: MAX_FRAME_BYTES, verifyClient: verifyClientFor(deps) });
  wss.on('connection', (socket, req) => socket.on('error', (error) => stopOversizeFrame(socket, req.socket, error)));
  if (deps.limits) trackSockets(wss, deps.limits);
  const disposable = useServer<Record<string, unknown> | undefined, SocketExtra & Record<PropertyKey, unknown>>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onConnect: (ctx) => authenticateSocket(deps, ctx),
      onSubscribe: async (ctx, _id, payload) => {
        const refused = await operationRefusal(deps, ctx);
        return refused ? [refused] : envelopedArgs(deps, ctx, payload);
      },
      onError: (_ctx, _id, _payload, errors) => {
        deps.logger.debug({ errors: errors.map((e) => e.message) }, 'graphql-ws operation errors');
      },
    },
    wss,
  );

  return {
    wss,
    /** Closes every socket (1001 Going Away) and the websocket server. */
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
    },
  };
}
