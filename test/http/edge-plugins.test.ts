/**
 * The HTTP edge as Yoga plugins (src/http/plugins): the edge's checks come before everything Yoga
 * would otherwise answer first with its built-ins (GraphiQL, CORS preflights, its health check),
 * and each route answers only its own path.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(); // open mode: no API_TOKENS
});
afterAll(() => stack.stop());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: exactly these headers (fetch would add its own Sec-Fetch-Mode). */
function send(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, stack.server.pageUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const FOREIGN = { origin: 'https://evil.example' };

describe('the HTTP edge as Yoga plugins', () => {
  it("a foreign page gets neither GraphiQL nor a CORS preflight in open mode: the edge's origin rule runs first", async () => {
    const page = await send('GET', '/graphql', { ...FOREIGN, accept: 'text/html' });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('GraphiQL');
    expect(JSON.parse(page.body)).toMatchObject({ errors: [{ extensions: { code: 'ORIGIN_FORBIDDEN' } }] });
    expect(page.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await send('OPTIONS', '/graphql', { ...FOREIGN, 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('GraphiQL and preflights are served to this machine', async () => {
    const page = await send('GET', '/graphql', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('GraphiQL');
    const preflight = await send('OPTIONS', '/graphql', { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it("Yoga's built-in health check answers nothing: a path ending in /health is nobody's (404)", async () => {
    for (const path of ['/health', '/graphql/health']) {
      const answer = await send('GET', path);
      expect(answer.status, path).toBe(404);
      expect(JSON.parse(answer.body), path).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    }
    expect((await send('GET', '/v1/health')).status).toBe(404); // the REST contract's own 404
    expect((await send('GET', '/files/x/health')).body).toBe('Invalid link signature.'); // the files route's
  });

  it('/healthz and /readyz answer with the shared CORS headers', async () => {
    const origin = 'http://localhost:5173';
    const health = await send('GET', '/healthz', { origin });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(health.headers['access-control-allow-origin']).toBe(origin);
    const ready = await send('GET', '/readyz', { origin });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', checks: { jobs: true } });
  });
});
