/**
 * GET /metrics: the Prometheus text exposition of the process's registry. Open when auth is off
 * (no API_TOKENS/ADMIN_TOKENS); otherwise it needs an admin token or METRICS_TOKEN. User tokens
 * are refused: metrics describe every user's traffic.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { ERROR_CODES } from '../errors.js';
import type { Authentication } from './plugins/use-authentication.js';

/** Serves one request, given its authentication (./plugins/use-authentication.ts). */
export type MetricsRoute = (req: IncomingMessage, res: ServerResponse, authentication: Authentication) => Promise<void>;

export interface MetricsRouteDeps {
  registry: Registry;
  metricsToken: string | null;
}

export function createMetricsRoute({ registry, metricsToken }: MetricsRouteDeps): MetricsRoute {
  const isMetricsToken = metricsToken === null ? () => false : sameSecretAs(metricsToken);
  const allowed = (authorization: string | undefined, authentication: Authentication): boolean => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (token !== undefined && isMetricsToken(token)) return true;
    return authentication.ok && authentication.viewer.role === 'admin';
  };

  return async (req, res, authentication) => {
    if (!allowed(req.headers.authorization, authentication)) {
      res.writeHead(ERROR_CODES.UNAUTHENTICATED.httpStatus, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
      res.end('Unauthorized: /metrics needs an admin token or METRICS_TOKEN\n');
      return;
    }
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };
}

/** Constant-time equality with a secret: both sides are hashed first, so lengths leak nothing either. */
function sameSecretAs(secret: string): (candidate: string) => boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(secret);
  return (candidate) => timingSafeEqual(expected, digest(candidate));
}
