/**
 * The HTTP edge as Yoga plugins, in the order a request meets them: authentication (once, for
 * everything after it), the edge's checks, the routes the server answers itself, a JSON 404 for
 * any other path, then what concerns /graphql alone (CORS preflights, GraphiQL, uploads) before
 * Yoga runs the operation. Each plugin is one concern; none authenticates on its own.
 */
import { useCORS } from '@whatwg-node/server';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { WebAssets } from '../../web/assets.js';
import type { Authenticator } from '../auth.js';
import { CORS_OPTIONS } from '../cors.js';
import type { EdgeCheck } from '../edge/index.js';
import type { FilesRequestHandler } from '../files-route.js';
import type { MetricsRoute } from '../metrics-route.js';
import { drainLimitsOf } from '../refusal.js';
import type { RestHandler } from '../rest/index.js';
import type { Clock } from '../../timing/clock.js';
import type { EdgePlugin } from './context.js';
import { useAuthentication } from './use-authentication.js';
import { useEdge, useNotFound } from './use-edge.js';
import { useGraphiQL } from './use-graphiql.js';
import { useHealth, useReadiness, type ReadinessCheck } from './use-health.js';
import { useFiles, useMetrics, usePage, useRest } from './use-routes.js';
import { useUploads } from './use-uploads.js';

export type { EdgePlugin, EdgeServerContext } from './context.js';
export type { ReadinessCheck } from './use-health.js';

export interface EdgePluginDeps {
  config: Config;
  logger: Logger;
  authenticator: Authenticator;
  check: EdgeCheck;
  readiness: ReadinessCheck[];
  web: WebAssets;
  metrics?: MetricsRoute | undefined;
  files?: FilesRequestHandler | null | undefined;
  rest: RestHandler;
  /** Times the drain of refused bodies. Default: the system clock. */
  clock?: Clock | undefined;
}

export function edgePlugins({
  config,
  logger,
  authenticator,
  check,
  readiness,
  web,
  metrics,
  files,
  rest,
  clock,
}: EdgePluginDeps): EdgePlugin[] {
  const limits = drainLimitsOf(config.uploads, clock);
  return [
    useAuthentication(authenticator),
    useEdge(check, limits, logger),
    useHealth(),
    useReadiness(readiness),
    ...(files ? [useFiles(files, logger)] : []),
    ...(metrics ? [useMetrics(metrics, logger)] : []),
    useRest(rest, logger),
    usePage(web, logger),
    useNotFound(limits, logger),
    useCORS(CORS_OPTIONS),
    useGraphiQL(),
    useUploads(config, limits, logger),
  ];
}
