/**
 * The edge as the first of Yoga's plugins after authentication (../edge: the path's one spelling,
 * open mode's origin rule, CSRF, the rate limit), and the last word on paths no plugin serves: a
 * JSON 404 before Yoga would answer it. A refusal drains the rest of the body first (../refusal.ts).
 */
import type { Logger } from 'pino';
import { GRAPHQL_PATH, type EdgeCheck } from '../edge/index.js';
import { refuse, type DrainLimits } from '../refusal.js';
import { nodeRoute, nodeStep, type EdgePlugin } from './context.js';

export function useEdge(check: EdgeCheck, limits: DrainLimits, logger: Logger): EdgePlugin {
  return nodeStep(async ({ req, res, path, authentication }) => {
    const refusal = await check(req, path, authentication);
    if (refusal) await refuse(req, res, refusal, limits, logger);
    return refusal !== null;
  }, logger);
}

const NOT_FOUND = {
  status: 404,
  code: 'NOT_FOUND',
  message: 'Not found: this server serves /, /graphql, /v1/…, /files/…, /healthz, /readyz and /metrics',
} as const;

/** After every route: a path that is not /graphql is nobody's. */
export function useNotFound(limits: DrainLimits, logger: Logger): EdgePlugin {
  return nodeRoute(
    ({ path }) => path !== GRAPHQL_PATH,
    ({ req, res }) => refuse(req, res, NOT_FOUND, limits, logger),
    logger,
  );
}
