/**
 * copyRemoteToStore against a real local HTTP server (node:http) whose answers each test scripts:
 * fine, too large, failing then fine, 404, stuck, cut off.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BlobTooLargeError } from '../../src/storage/blob-store.js';
import { copyRemoteToStore, RemoteCopyError, type CopyRemoteOptions } from '../../src/storage/copy-remote.js';
import { FsBlobStore } from '../../src/storage/fs-store.js';
import { createLinkSigner } from '../../src/storage/signed-links.js';
import { freePort } from '../helpers/redis-server.js';

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

describe('copyRemoteToStore', () => {
  let root: string;
  let store: FsBlobStore;
  let server: Server;
  let base: string;
  let handler: Handler;
  let requests: number;
  const image = randomBytes(300_000);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'picsi-copy-'));
    store = await FsBlobStore.open({ root, signer: createLinkSigner('c'.repeat(32)) });
    server = createServer((req, res) => handler(req, res, ++requests));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await store.delete(['results/r0.png']);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  const files = async () => (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);

  function copy(overrides: Partial<CopyRemoteOptions> = {}) {
    requests = 0;
    return copyRemoteToStore({
      url: `${base}/attachments/1/2/r0.png?ex=abc&hm=secret`,
      store,
      key: 'results/r0.png',
      maxBytes: 1_000_000,
      timeoutMs: 20_000,
      baseDelayMs: 1,
      maxDelayMs: 20,
      ...overrides,
    });
  }
  const serveImage: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
    res.end(image);
  };

  it('streams the file into the store with its content type', async () => {
    handler = serveImage;
    expect(await copy()).toEqual({ key: 'results/r0.png', size: image.length, contentType: 'image/png' });
    const blob = await store.get('results/r0.png');
    expect((await buffer(blob!.body)).equals(image)).toBe(true);
    expect(requests).toBe(1);
  });

  it('refuses a file whose Content-Length is over maxBytes without retrying or storing', async () => {
    handler = serveImage;
    await expect(copy({ maxBytes: image.length - 1 })).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(requests).toBe(1);
    expect(await files()).toEqual([]);
  });

  it('refuses a chunked file that grows past maxBytes, leaving nothing', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(image.subarray(0, 200_000));
      res.end(image.subarray(200_000));
    };
    await expect(copy({ maxBytes: 250_000 })).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(requests).toBe(1);
    expect(await files()).toEqual([]);
  });

  it('retries a 500, then copies', async () => {
    handler = (req, res, attempt) => (attempt === 1 ? (res.writeHead(500), res.end('oops')) : serveImage(req, res, attempt));
    expect((await copy()).size).toBe(image.length);
    expect(requests).toBe(2);
  });

  it('retries a 429 after its Retry-After, then copies', async () => {
    handler = (req, res, attempt) =>
      attempt === 1 ? (res.writeHead(429, { 'retry-after': '0' }), res.end()) : serveImage(req, res, attempt);
    expect((await copy()).size).toBe(image.length);
    expect(requests).toBe(2);
  });

  it('retries a response cut off mid-body, then copies', async () => {
    handler = (req, res, attempt) => {
      if (attempt > 1) return serveImage(req, res, attempt);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      res.write(image.subarray(0, 1000), () => res.destroy());
    };
    expect((await copy()).size).toBe(image.length);
    expect(requests).toBe(2);
    expect(await files()).toHaveLength(1);
  });

  it('does not retry a 404', async () => {
    handler = (_req, res) => (res.writeHead(404), res.end());
    await expect(copy()).rejects.toMatchObject({ name: 'RemoteCopyError', failure: 'http', status: 404 });
    expect(requests).toBe(1);
    expect(await files()).toEqual([]);
  });

  it('gives up after its attempts on a server that keeps failing, without the URL query in the message', async () => {
    handler = (_req, res) => (res.writeHead(503), res.end());
    const error = await copy({ attempts: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCopyError);
    expect(error).toMatchObject({ failure: 'http', status: 503 });
    expect((error as Error).message).not.toContain('secret');
    expect(requests).toBe(3);
  });

  it('retries a refused connection, then reports it as a network failure', async () => {
    const port = await freePort();
    await expect(copy({ url: `http://127.0.0.1:${port}/x.png`, attempts: 2 })).rejects.toMatchObject({ failure: 'network' });
  });

  it('stops at its deadline on a server that never finishes, leaving nothing', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      res.write(image.subarray(0, 1000));
    };
    await expect(copy({ timeoutMs: 300 })).rejects.toMatchObject({ name: 'RemoteCopyError', failure: 'timeout' });
    server.closeAllConnections();
    expect(requests).toBe(1);
    expect(await files()).toEqual([]);
  });

  it("rejects with the caller's abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(image.subarray(0, 1000), () => controller.abort(reason));
    };
    await expect(copy({ signal: controller.signal })).rejects.toBe(reason);
    expect(await files()).toEqual([]);
  });
});
