import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError, GraphQLSchema, ValidationContext } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { GraphQLContext } from '../schema/context.js';
import type { Authenticator, Viewer } from './auth.js';
import { createMaskError, httpStatusOf, toGraphQLError, useInputErrorCodes } from './errors.js';
import type { MultipartOperations } from './multipart.js';

/** What the Node server hands to Yoga with each request. */
export interface ServerContext {
  /** Set when src/http/multipart.ts already parsed a multipart upload request. */
  multipartOperations?: MultipartOperations;
  /** Set on the websocket path, where graphql-ws authenticated the connection. */
  viewer?: Viewer;
}

export type YogaApp = YogaServerInstance<ServerContext, GraphQLContext>;

export interface YogaDeps {
  schema: GraphQLSchema;
  config: Config;
  logger: Logger;
  authenticator: Authenticator;
  context: Omit<GraphQLContext, 'viewer'>;
}

/** Hands operations parsed by graphql-upload-ts to Yoga instead of letting Yoga read the body. */
const useParsedMultipart = (): Plugin<ServerContext> => ({
  onRequestParse({ serverContext, setRequestParser }) {
    const operations = (serverContext as ServerContext | undefined)?.multipartOperations;
    if (operations) setRequestParser(() => toYogaParams(operations));
  },
});

const toYogaParams = (operations: MultipartOperations) => {
  const one = (o: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }) => ({
    query: o.query,
    ...(o.operationName ? { operationName: o.operationName } : {}),
    ...(o.variables ? { variables: o.variables } : {}),
  });
  return Array.isArray(operations) ? operations.map(one) : one(operations);
};

/**
 * graphql-armor's validation rules throw by default: a thrown error escapes graphql's validate(),
 * so over HTTP it came back as 200 BAD_USER_INPUT and on graphql-ws it closed the socket with 4500.
 * Reported on the validation context, a rejection is an ordinary validation error (400
 * GRAPHQL_VALIDATION_FAILED; an error message on the socket).
 */
const reportAsValidationError = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

export function createYogaApp({ schema, config, logger, authenticator, context }: YogaDeps): YogaApp {
  const development = config.env === 'development';
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Multipart bodies were already bounded file by file by graphql-upload-ts; Yoga's own 25 MB
    // default would refuse two legitimate 20 MB images.
    maxRequestBodySize: config.uploads.maxFiles * config.uploads.maxFileBytes + 2 * config.uploads.maxFieldBytes + 1024 * 1024,
    landingPage: false,
    logging: logger.child({ component: 'yoga' }),
    graphiql: { title: 'picsi-graphql', subscriptionsProtocol: 'WS' },
    maskedErrors: { maskError: createMaskError(logger) },
    context: ({ request, viewer }: ServerContext & { request?: Request }) => {
      try {
        return { ...context, viewer: viewer ?? authenticator.authenticate(request?.headers.get('authorization') ?? undefined) };
      } catch (error) {
        if (error instanceof AppError) throw toGraphQLError(error, httpStatusOf(error));
        throw error;
      }
    },
    plugins: [
      useParsedMultipart(),
      useInputErrorCodes(),
      EnvelopArmorPlugin({
        maxDepth: { n: 8, ...reportAsValidationError },
        maxAliases: { n: 15, ...reportAsValidationError },
        costLimit: { maxCost: 5000, ...reportAsValidationError },
        maxTokens: { n: 1000 },
        maxDirectives: { n: 20, ...reportAsValidationError },
        blockFieldSuggestion: { enabled: !development },
      }),
    ],
  });
}
