/**
 * GET/HEAD /files/<key> over real HTTP: the route alone on a node:http server (raw paths, so `..`
 * reaches it unnormalized), and mounted in the whole server (startStack).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilesRoute } from '../../src/http/files-route.js';
import { FsBlobStore } from '../../src/storage/fs-store.js';
import { S3BlobStore } from '../../src/storage/s3-store.js';
import { createLinkSigner } from '../../src/storage/signed-links.js';
import { freePort } from '../helpers/redis-server.js';
import { startStack, type Stack } from '../helpers/stack.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path exactly as given (fetch would resolve `..` first). */
function rawRequest(port: number, path: string, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('files route', () => {
  const time = { now: Date.UTC(2026, 11, 1, 8, 0, 0) };
  let root: string;
  let store: FsBlobStore;
  let server: Server;
  let port: number;
  const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);

  /** The path and query of a fresh download link. */
  const pathOf = async (key: string, filename?: string) => {
    const url = new URL(await store.downloadUrl(key, { expiresInSec: 60, ...(filename ? { filename } : {}), baseUrl: 'http://x' }));
    return url.pathname + url.search;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'picsi-files-'));
    store = await FsBlobStore.open({ root, signer: createLinkSigner('r'.repeat(32), () => time.now) });
    await store.put('jobs/j1/result-0.png', Readable.from([image]), { contentType: 'image/png', maxBytes: 100 });
    server = createServer(createFilesRoute({ store, signer: store.signer, logger: pino({ level: 'silent' }) }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  it('serves the bytes with type, length, disposition and nosniff', async () => {
    const res = await rawRequest(port, await pathOf('jobs/j1/result-0.png', 'résultat 1.png'));
    expect(res.status).toBe(200);
    expect(res.body.equals(image)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-length']).toBe(String(image.length));
    expect(res.headers['content-disposition']).toBe(`attachment; filename="r_sultat 1.png"; filename*=UTF-8''r%C3%A9sultat%201.png`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('HEAD answers the same headers without a body', async () => {
    const res = await rawRequest(port, await pathOf('jobs/j1/result-0.png'), 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(image.length));
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBe('attachment');
    expect(res.body.length).toBe(0);
  });

  it('403 for a signature that does not match, and for a link of another key', async () => {
    const good = await pathOf('jobs/j1/result-0.png');
    expect((await rawRequest(port, good.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);
    const other = await pathOf('jobs/j1/other.png');
    expect((await rawRequest(port, `/files/jobs/j1/result-0.png${other.slice(other.indexOf('?'))}`)).status).toBe(403);
    expect((await rawRequest(port, '/files/jobs/j1/result-0.png')).status).toBe(403);
  });

  it('403 once the link has expired', async () => {
    const path = await pathOf('jobs/j1/result-0.png');
    time.now += 61_000;
    try {
      const res = await rawRequest(port, path);
      expect(res.status).toBe(403);
      expect(res.body.toString()).toMatch(/expired/);
    } finally {
      time.now -= 61_000;
    }
  });

  it('404 for a validly signed link to a missing blob', async () => {
    expect((await rawRequest(port, await pathOf('jobs/j1/never.png'))).status).toBe(404);
  });

  it.each([
    '/files/../../etc/passwd',
    '/files/jobs/../jobs/j1/result-0.png',
    '/files/%2e%2e/%2e%2e/etc/passwd',
    '/files/jobs%2f..%2f..%2fetc',
    '/files//etc/passwd',
    '/files/jobs\\j1',
    '/files/a%00b',
    '/files/%E0%A4%A',
    '/files/',
  ])('404 for the path %s, before any signature check', async (path) => {
    const res = await rawRequest(port, `${path}?exp=9999999999&sig=x`);
    expect(res.status).toBe(404);
  });

  it('a link signed for a key cannot be replayed through a traversal path to it', async () => {
    const good = await pathOf('jobs/j1/result-0.png');
    const query = good.slice(good.indexOf('?'));
    expect((await rawRequest(port, `/files/jobs/x/../j1/result-0.png${query}`)).status).toBe(404);
  });

  it('405 for other methods', async () => {
    const res = await rawRequest(port, await pathOf('jobs/j1/result-0.png'), 'DELETE');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
    expect(await store.get('jobs/j1/result-0.png')).not.toBeNull();
  });
});

describe('files route over a store that is down', () => {
  it('503 with Retry-After, after the signature was checked', async () => {
    // A real store whose server is gone: an S3 endpoint on a port nothing listens on.
    const deadPort = await freePort();
    const store = await S3BlobStore.create({
      bucket: 'picsi',
      prefix: '',
      forcePathStyle: true,
      clientConfig: {
        endpoint: `http://127.0.0.1:${deadPort}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 1,
      },
    });
    const signer = createLinkSigner('d'.repeat(32));
    const server = createServer(createFilesRoute({ store, signer, logger: pino({ level: 'silent' }) }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await rawRequest(port, `/files/jobs/j1/r.png?${signer.sign('jobs/j1/r.png', 60)}`);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect((await rawRequest(port, '/files/jobs/j1/r.png?exp=1&sig=x')).status).toBe(403);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    }
  });
});

describe('files route mounted in the server', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves a blob of the embedded store through /files', async () => {
    const { blobs } = stack.services;
    expect(blobs.kind).toBe('file');
    await blobs.put('jobs/mounted/result-0.png', Readable.from([Buffer.from('png bytes')]), { contentType: 'image/png', maxBytes: 100 });
    const url = await blobs.downloadUrl('jobs/mounted/result-0.png', {
      expiresInSec: 60,
      filename: 'r.png',
      baseUrl: new URL(stack.url).origin,
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(await response.text()).toBe('png bytes');
    expect((await fetch(url.replace(/sig=[^&]+/, 'sig=bad'))).status).toBe(403);
  });
});
