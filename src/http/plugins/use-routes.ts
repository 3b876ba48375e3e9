/**
 * The routes the Node server answers itself, each one plugin: the web page's files, signed
 * /files/ downloads, /metrics and the REST contract under /v1. They write to the Node response
 * (streams, uploads spooled by busboy) and end Yoga's handling (./context.ts).
 */
import type { Logger } from 'pino';
import type { WebAssets } from '../../web/assets.js';
import { FILES_PATH_PREFIX, type FilesRequestHandler } from '../files-route.js';
import type { MetricsRoute } from '../metrics-route.js';
import { sendAsset } from '../respond.js';
import { isRestPath, type RestHandler } from '../rest/index.js';
import { nodeRoute, type EdgePlugin } from './context.js';

export function usePage(web: WebAssets, logger: Logger): EdgePlugin {
  const assetOf = (method: string | undefined, path: string) => (method === 'GET' || method === 'HEAD' ? web.find(path) : undefined);
  return nodeRoute(
    ({ req, path }) => assetOf(req.method, path) !== undefined,
    ({ req, res, path }) => sendAsset(req, res, assetOf(req.method, path)!),
    logger,
  );
}

export function useFiles(files: FilesRequestHandler, logger: Logger): EdgePlugin {
  return nodeRoute(
    ({ path }) => path.startsWith(FILES_PATH_PREFIX),
    ({ req, res }) => files(req, res),
    logger,
  );
}

export function useMetrics(metrics: MetricsRoute, logger: Logger): EdgePlugin {
  return nodeRoute(
    ({ req, path }) => req.method === 'GET' && path === '/metrics',
    ({ req, res, authentication }) => metrics(req, res, authentication),
    logger,
  );
}

export function useRest(rest: RestHandler, logger: Logger): EdgePlugin {
  return nodeRoute(
    ({ path }) => isRestPath(path),
    ({ req, res, authentication }) => rest(req, res, authentication),
    logger,
  );
}
