import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SimulatorContext } from '../context.js';
import type { RequestContext } from './request.js';
import type { HttpResponse } from './responses.js';
import { methodNotAllowed, notFound, tooLarge } from './responses.js';
import type { Router } from './router.js';
import { paceDownload, paceUpload } from './link.js';

/** Discord accepts up to 25 MiB of attachments per request; leave room for the JSON. */
const MAX_BODY_BYTES = 30 * 1024 * 1024;
const API_PREFIX = /^\/api\/v(9|10)(?=\/)/;

export interface HttpRouters {
  /** Routes under /api/v9 and /api/v10. */
  api: Router;
  /** Upload target and CDN. */
  root: Router;
}

/** The REST server: routes, records every request, and answers errors as Discord does. */
export function createHttpServer(routers: HttpRouters, sim: SimulatorContext): Server {
  return createServer((req, res) => {
    const at = performance.now();
    void handle(req, routers, sim, at)
      .catch((err: unknown) => {
        sim.logger.error({ err }, 'simulator request failed');
        const failed: Handled = { response: { status: 500, json: { message: '500: Internal Server Error', code: 0 } } };
        return failed;
      })
      .then(({ response, ctx, linked }) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const method = req.method ?? 'GET';
        const userId = req.headers.authorization ? sim.accounts.userByToken(req.headers.authorization)?.user.id : undefined;
        sim.stats.record({
          at,
          method,
          path,
          status: response.status,
          ...(ctx?.channelId ? { channelId: ctx.channelId } : {}),
          ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
          ...(userId ? { userId } : {}),
        });
        sim.logger.debug({ method, path, status: response.status }, 'simulator request');
        const mbps = sim.settings.linkMbps;
        if (linked && mbps > 0 && response.body && req.method === 'GET') {
          return sendPaced(res, response, mbps);
        }
        send(res, response, req.method === 'HEAD');
      })
      .catch((err: unknown) => sim.logger.warn({ err }, 'simulator could not send a response'));
  });
}

interface Handled {
  response: HttpResponse;
  ctx?: RequestContext;
  /** Goes over the modelled link (attachment uploads, CDN downloads: the root routes). */
  linked?: boolean;
}

async function handle(req: IncomingMessage, routers: HttpRouters, sim: SimulatorContext, at: number): Promise<Handled> {
  const url = new URL(req.url ?? '/', 'http://x');
  const method = req.method ?? 'GET';
  const api = API_PREFIX.exec(url.pathname);
  const router = api ? routers.api : routers.root;
  const path = api ? url.pathname.slice(api[0].length) : url.pathname;
  const match = router.match(method, path);
  if (match.kind !== 'found') {
    req.resume();
    return { response: match.kind === 'wrongMethod' ? methodNotAllowed() : notFound() };
  }
  const body = await readBody(req);
  if (!body) return { response: tooLarge() };
  const ctx: RequestContext = { method, path, query: url.searchParams, headers: req.headers, body, params: match.params };
  if (match.params.channelId) ctx.channelId = match.params.channelId;
  const fault = api ? sim.faults.answer(req.headers.authorization, method, path) : null;
  if (fault) return { response: fault, ctx };
  if (!api && body.length > 0) await paceUpload(body.length, sim.settings.linkMbps, at);
  return { response: await match.handler(ctx, sim), ctx, linked: !api };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendPaced(res: ServerResponse, response: HttpResponse, mbps: number): Promise<void> {
  res.writeHead(response.status, { ...response.headers, 'content-length': String(response.body!.length) });
  return paceDownload(res, response.body!, mbps);
}

function send(res: ServerResponse, response: HttpResponse, head: boolean): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | undefined = response.body;
  if (response.json !== undefined) {
    payload = Buffer.from(JSON.stringify(response.json));
    headers['content-type'] ??= 'application/json';
  }
  if (payload) headers['content-length'] = String(payload.length);
  res.writeHead(response.status, headers);
  res.end(head ? undefined : payload);
}
