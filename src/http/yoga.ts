/**
 * Yoga for this server: the HTTP edge's plugins (./plugins: authentication, the edge's checks, every
 * route, CORS, GraphiQL, uploads), then the GraphQL context, error masking and graphql-armor limits.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError, GraphQLSchema, ValidationContext } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GraphQLContext } from '../schema/context.js';
import type { EdgePlugin, EdgeServerContext } from './plugins/index.js';
import { yogaLogger } from './error-log.js';
import { createMaskError, httpStatusOf, toGraphQLError, useInputErrorCodes } from './errors.js';
import { maxRequestBytes } from './multipart.js';
import { pageSizeErrorIn } from './page-size.js';
import { useGetParamsCheck } from './get-params.js';

export type YogaApp = YogaServerInstance<EdgeServerContext, GraphQLContext>;

export interface YogaDeps {
  schema: GraphQLSchema;
  config: Config;
  logger: Logger;
  context: Omit<GraphQLContext, 'viewer'>;
  /** The HTTP edge (./plugins), before Yoga's own handling of /graphql. */
  edge: EdgePlugin[];
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

export function createYogaApp({ schema, config, logger, context, edge }: YogaDeps): YogaApp {
  const development = config.env === 'development';
  return createYoga<EdgeServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Multipart bodies were already bounded file by file by graphql-upload-ts; Yoga's own 25 MB
    // default would refuse two legitimate 20 MB images.
    maxRequestBodySize: maxRequestBytes(config.uploads),
    landingPage: false,
    // Yoga's built-in CORS, GraphiQL and health check run before every user plugin, so before the
    // edge's checks: the edge serves all three itself (./plugins). The health check cannot be
    // switched off, only moved: no request URL ends with a space.
    cors: false,
    graphiql: false,
    healthCheckEndpoint: ' ',
    logging: yogaLogger(logger.child({ component: 'graphql' })),
    maskedErrors: { maskError: createMaskError() },
    context: ({ authentication, viewer }: EdgeServerContext) => {
      if (viewer) return { ...context, viewer };
      if (!authentication) throw new Error('a request reached GraphQL without useAuthentication');
      if (!authentication.ok) throw toGraphQLError(authentication.error, httpStatusOf(authentication.error));
      return { ...context, viewer: authentication.viewer };
    },
    plugins: [
      ...edge,
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
