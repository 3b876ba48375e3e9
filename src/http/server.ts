/**
 * One Node HTTP server, and Yoga serving every request on it: each concern of the edge is one of
 * Yoga's plugins (./plugins: authentication, the edge's checks, /healthz, /readyz, /metrics,
 * /files/…, the REST contract under /v1/, the web page, a JSON 404 for any other path, then
 * GraphQL over HTTP at /graphql). graphql-ws shares the path and port (websocket.ts). The server
 * itself only counts the requests being served, for a graceful shutdown.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { YogaApp } from './yoga.js';

export type { ReadinessCheck } from './plugins/index.js';

/**
 * The server, counting the requests being served right now (graceful shutdown waits for them),
 * not event streams (SSE subscriptions), which stop() ends with endStreams().
 */
export type HttpServer = Server & {
  /** Resolves once no request is being served; rejects when `signal` aborts first. */
  untilIdle(signal: AbortSignal): Promise<void>;
  endStreams(): void;
};

export function createHttpServer(yoga: YogaApp, logger: Logger): HttpServer {
  let inflight = 0;
  const streams = new Set<ServerResponse>();
  const idle = new EventEmitter();

  const server = createServer((req, res) => {
    const stream = (req.headers.accept ?? '').includes('text/event-stream');
    if (stream) {
      streams.add(res);
      res.once('close', () => streams.delete(res));
    } else {
      inflight++;
      res.once('close', () => {
        if (--inflight === 0) idle.emit('idle');
      });
    }
    // Yoga answers its own errors (a 500); what escapes it is logged.
    Promise.resolve(yoga(req, res)).catch((error: unknown) => logger.error({ err: error }, 'unhandled error while serving a request'));
  });
  return Object.assign(server, {
    untilIdle: async (signal: AbortSignal) => {
      if (inflight > 0) await once(idle, 'idle', { signal });
    },
    endStreams: () => {
      for (const res of streams) res.end();
    },
  });
}
