/**
 * graphql-ws on the HTTP server's /graphql path. Every operation runs through Yoga's envelop
 * (same schema, masking, armor limits and context) via getEnveloped. Authentication happens once,
 * in onConnect, from connectionParams.authorization: a connection without a token closes with
 * 4401, one with a malformed or unknown token with 4403, each with the reason as its close reason.
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
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { AppError } from '../errors.js';
import type { Viewer } from '../auth/viewer.js';
import type { AuthFailure, Authenticator } from './auth.js';
import { logClientError } from './error-log.js';
import type { YogaApp } from './yoga.js';

/** Operations one socket may run at once: a subscription flood from one client is refused. */
export const MAX_OPERATIONS_PER_SOCKET = 100;

type SocketExtra = Extra & {
  viewer?: Viewer;
};

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

export function attachWebSocketServer(server: Server, deps: { yoga: YogaApp; authenticator: Authenticator; logger: Logger }) {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer<Record<string, unknown> | undefined, SocketExtra & Record<PropertyKey, unknown>>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onConnect: (ctx) => {
        const params = ctx.connectionParams ?? {};
        try {
          ctx.extra.viewer = deps.authenticator.authenticate(params['authorization'] ?? params['Authorization']);
          return true;
        } catch (error) {
          const reason = (error instanceof AppError ? error.extensions['reason'] : undefined) as AuthFailure | undefined;
          // Closed here with the reason; graphql-ws's own close (4403 "Forbidden") then finds it closing.
          const close = { code: reason === 'missing token' ? 4401 : 4403, reason: reason ?? 'unknown token' };
          logClientError(deps.logger, { code: 'UNAUTHENTICATED', message: `websocket refused: ${close.reason}`, close: close.code });
          ctx.extra.socket.close(close.code, close.reason);
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_SOCKET) {
          return [
            new GraphQLError(`At most ${MAX_OPERATIONS_PER_SOCKET} operations may run on one socket`, {
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          ];
        }
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
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        return args;
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
