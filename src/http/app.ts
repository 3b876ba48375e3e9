/**
 * The GraphQL server as one unit: Yoga + uploads + graphql-ws on one HTTP server, with graceful
 * shutdown. It takes the job service from outside (src/services.ts builds the real one).
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { JobService } from '../jobs/job-service.js';
import { createUploadSpooler, defaultSpoolRoot, sweepOrphans } from './upload-spool.js';
import type { BlobStore } from '../storage/blob-store.js';
import { buildSchema } from '../schema/index.js';
import { createWebAssets } from '../web/assets.js';
import { createAuthenticator } from './auth.js';
import { createMetricsRoute } from './metrics-route.js';
import type { FilesRequestHandler } from './files-route.js';
import { createHttpServer } from './server.js';
import { edgePlugins, type ReadinessCheck } from './plugins/index.js';
import { attachWebSocketServer } from './websocket.js';
import { createYogaApp } from './yoga.js';
import { createRestHandler } from './rest/index.js';
import { createEdge } from './edge/index.js';
import type { Server } from 'node:http';
import type { Clock } from '../timing/clock.js';

export interface GraphQLServerDeps {
  config: Config;
  logger: Logger;
  jobs: JobService;
  /** Where uploads are streamed when a job is accepted. */
  blobs: BlobStore;
  readiness?: ReadinessCheck[];
  checkReplyUrl?: (url: string) => Promise<void>;
  /** Served at GET /metrics when given. */
  metrics?: Registry;
  /** GET /files/… download links (src/http/files-route.ts), when the blob store needs them. */
  files?: FilesRequestHandler | null;
  /** Times what the HTTP edge waits for (the drain of refused bodies). Default: the system clock. */
  clock?: Clock;
  /** Told this server's own origin (http://host:port) once it listens. */
  onListening?: (origin: string) => void;
}

export interface RunningServer {
  /** http://host:port/graphql */
  url: string;
  /** http://host:port/ (the web page) */
  pageUrl: string;
  port: number;
  /** Stops accepting, lets running jobs finish up to SHUTDOWN_TIMEOUT_MS, closes sockets. */
  stop(): Promise<void>;
}

export async function startGraphQLServer({
  config,
  logger,
  jobs,
  blobs,
  readiness = [],
  checkReplyUrl = async () => {},
  metrics,
  files = null,
  onListening,
  clock,
}: GraphQLServerDeps): Promise<RunningServer> {
  const authenticator = createAuthenticator(config.auth);
  const edge = createEdge(config, logger);
  const spooler = createUploadSpooler({
    store: blobs,
    dir: config.uploads.dir,
    maxFileBytes: config.uploads.maxFileBytes,
    maxPixels: config.uploads.maxPixels,
  });
  const spoolSweep = sweepSpoolEvery(config);
  const yoga = createYogaApp({
    schema: buildSchema(),
    config,
    logger,
    context: { jobs, spooler, config, logger, checkReplyUrl },
    edge: edgePlugins({
      config,
      logger,
      authenticator,
      check: edge.check,
      readiness: [{ name: 'jobs', check: () => jobs.ready() }, ...readiness],
      web: createWebAssets({
        authRequired: !config.auth.open,
        maxFileBytes: config.uploads.maxFileBytes,
        maxPixels: config.uploads.maxPixels,
      }),
      metrics: metrics && createMetricsRoute({ registry: metrics, metricsToken: config.metrics.token }),
      files,
      clock,
      rest: createRestHandler({ jobs, spooler, config, logger, checkReplyUrl, ...(clock ? { clock } : {}) }),
    }),
  });
  const server = createHttpServer(yoga, logger);
  const ws = attachWebSocketServer(server, {
    yoga,
    authenticator,
    logger,
    open: edge.open,
    limits: edge.socketLimits,
    limiter: edge.limiter,
  });

  const port = await listen(server, config);
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const origin = `http://${shownHost}:${port}`;
  onListening?.(origin);

  let stopping: Promise<void> | undefined;
  return {
    url: `${origin}/graphql`,
    pageUrl: `${origin}/`,
    port,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(spoolSweep);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = AbortSignal.timeout(config.shutdownTimeoutMs);
        await jobs.close(config.shutdownTimeoutMs);
        // Requests still being served (an upload in progress, a wait: true) get their answer.
        await server.untilIdle(deadline).catch(() => {});
        server.endStreams();
        await ws.close();
        server.closeAllConnections();
        await closed;
        await edge.close();
      })()),
  };
}

/**
 * Request files of processes that died mid-request (the spooler sweeps once at start; a process
 * killed later is only seen by a sweep that runs again).
 */
function sweepSpoolEvery(config: Config): NodeJS.Timeout {
  return setInterval(
    () => void sweepOrphans(config.uploads.dir ?? defaultSpoolRoot()).catch(() => undefined),
    config.uploads.sweep.intervalMs,
  ).unref();
}

async function listen(server: Server, { port, host }: Pick<Config, 'port' | 'host'>): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
