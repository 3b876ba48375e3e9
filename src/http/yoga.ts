/**
 * Yoga for this server: the schema, auth context, error masking, graphql-armor limits, the offline
 * GraphiQL (its assets come from @graphql-yoga/render-graphiql, not a CDN) and the shared CORS policy.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLError, GraphQLSchema, ValidationContext } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { GraphQLContext } from '../schema/context.js';
import type { Viewer } from '../auth/viewer.js';
import type { Authenticator } from './auth.js';
import { CORS_OPTIONS } from './cors.js';
import { yogaLogger } from './error-log.js';
import { createMaskError, httpStatusOf, toGraphQLError, useInputErrorCodes } from './errors.js';
import { maxRequestBytes } from './multipart.js';
import { pageSizeErrorIn } from './page-size.js';
import { useGetParamsCheck } from './get-params.js';

/** What the Node server hands to Yoga with each request. */
export interface ServerContext {
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

const costLimitRejection = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => context?.reportError(pageSizeErrorIn(context.getDocument()) ?? error),
  ],
};

const GRAPHIQL_DEFAULT_QUERY = `# picsi-graphql. With API_TOKENS set, open the Headers tab below and enter
#   { "Authorization": "Bearer <your API token>" }
# Queries and subscriptions (sent over SSE) both use it.
query RecentJobs {
  jobs(first: 10) { edges { node { id status created attachments { url } } } }
}
`;

/** The page is 9 MB (GraphiQL with its workers inlined): rendered once. */
const offlineGraphiQL = () => {
  let page: string | undefined;
  return (options: Parameters<typeof renderGraphiQL>[0]) => (page ??= renderGraphiQL(options));
};

export function createYogaApp({ schema, config, logger, authenticator, context }: YogaDeps): YogaApp {
  const development = config.env === 'development';
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Multipart bodies were already bounded file by file by graphql-upload-ts; Yoga's own 25 MB
    // default would refuse two legitimate 20 MB images.
    maxRequestBodySize: maxRequestBytes(config.uploads),
    landingPage: false,
    cors: CORS_OPTIONS,
    logging: yogaLogger(logger.child({ component: 'graphql' })),
    // Subscriptions over SSE (a POST with Accept: text/event-stream) carry the Headers tab's
    // Authorization like queries do; GraphiQL's graphql-ws transport sent no token in connection_init.
    graphiql: { title: 'picsi-graphql', subscriptionsProtocol: 'SSE', defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    renderGraphiQL: offlineGraphiQL(),
    maskedErrors: { maskError: createMaskError() },
    context: ({ request, viewer }: ServerContext & { request?: Request }) => {
      try {
        return { ...context, viewer: viewer ?? authenticator.authenticate(request?.headers.get('authorization') ?? undefined) };
      } catch (error) {
        if (error instanceof AppError) throw toGraphQLError(error, httpStatusOf(error));
        throw error;
      }
    },
    plugins: [
      useGetParamsCheck(),
      useInputErrorCodes(),
      EnvelopArmorPlugin({
        maxDepth: { n: 8, ...reportAsValidationError },
        maxAliases: { n: 15, ...reportAsValidationError },
        costLimit: { maxCost: 5000, ...costLimitRejection },
        maxTokens: { n: 1000 },
        maxDirectives: { n: 20, ...reportAsValidationError },
        blockFieldSuggestion: { enabled: !development },
      }),
    ],
  });
}
