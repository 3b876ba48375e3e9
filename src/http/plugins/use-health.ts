/**
 * GET /healthz (the process answers) and GET /readyz (every readiness check passes within
 * READINESS_TIMEOUT_MS), as graphql-yoga's own health check: a Response from onRequest.
 */
import { withTimeout } from '../../timing/timeout.js';
import type { EdgePlugin } from './context.js';
import { requestPath } from '../edge/canonical-path.js';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

const READINESS_TIMEOUT_MS = 2000;

const json = (status: number, body: unknown) => {
  const text = JSON.stringify(body);
  return new Response(text, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) },
  });
};

const isGet = (request: Request, path: string, serverPath: string | undefined) =>
  request.method === 'GET' && requestPath(serverPath) === path;

export function useHealth(): EdgePlugin {
  return {
    onRequest(payload) {
      if (isGet(payload.request, '/healthz', payload.serverContext.req.url)) payload.endResponse(json(200, { status: 'ok' }));
    },
  };
}

export function useReadiness(checks: ReadinessCheck[]): EdgePlugin {
  return {
    async onRequest(payload) {
      if (!isGet(payload.request, '/readyz', payload.serverContext.req.url)) return;
      const results = await Promise.all(
        checks.map(async ({ name, check }) => [name, await passesWithin(check, READINESS_TIMEOUT_MS)] as const),
      );
      const ready = results.every(([, ok]) => ok);
      payload.endResponse(json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) }));
    },
  };
}

/** A check that throws, or has not answered within `ms`, fails. */
function passesWithin(check: ReadinessCheck['check'], ms: number): Promise<boolean> {
  return withTimeout(
    ms,
    () => check().catch(() => false),
    () => false,
  );
}
