/**
 * The blob store contract: one set of cases, run against every backend (test/storage/backends.ts).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStoreUnavailableError, BlobTooLargeError, InvalidBlobKeyError, type BlobStore } from '../../src/storage/blob-store.js';
import { fsBackend, s3Backend, type BackendHarness } from './backends.js';

const MB = 1024 * 1024;

/** `bytes` as a stream of chunks of at most `chunkSize`. */
function streamOf(bytes: Buffer, chunkSize = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

/** Yields `before` bytes, then fails (a client that hung up mid-upload). */
function failingStream(before: number, error = new Error('source broke')): Readable {
  return Readable.from(
    (async function* () {
      yield randomBytes(before);
      await new Promise((resolve) => setImmediate(resolve));
      throw error;
    })(),
  );
}

async function readBlob(store: BlobStore, key: string) {
  const blob = await store.get(key);
  if (!blob) return null;
  return { bytes: await buffer(blob.body), size: blob.size, contentType: blob.contentType };
}

describe.each([fsBackend, s3Backend])('blob store contract: $name', (backend) => {
  let h: BackendHarness;
  beforeAll(async () => {
    h = await backend.open();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('round-trips binary bytes exactly, with size and content type', async () => {
    const bytes = randomBytes(3 * MB + 17);
    const info = await h.store.put('jobs/round-trip/input-0.png', streamOf(bytes), { contentType: 'image/png', maxBytes: 10 * MB });
    expect(info).toEqual({ key: 'jobs/round-trip/input-0.png', size: bytes.length, contentType: 'image/png' });
    const read = await readBlob(h.store, 'jobs/round-trip/input-0.png');
    expect(read?.size).toBe(bytes.length);
    expect(read?.contentType).toBe('image/png');
    expect(read?.bytes.equals(bytes)).toBe(true);
    await h.store.delete(['jobs/round-trip/input-0.png']);
  });

  it('lists the blobs under a prefix (and only those) with when each was written, and none of a failed put', async () => {
    const before = Date.now() - 60_000;
    const keys = ['listed/a/1', 'listed/a/2', 'listed/b'];
    for (const key of keys) await h.store.put(key, Readable.from([Buffer.from(key)]), { contentType: 'image/png', maxBytes: 100 });
    await h.store.put('listed/a/too-big', Readable.from([randomBytes(200)]), { contentType: 'image/png', maxBytes: 100 }).catch(() => null);
    await h.store.put('other/listed', Readable.from([Buffer.from('x')]), { contentType: 'image/png', maxBytes: 100 });
    const listed = [];
    for await (const entry of h.store.list('listed/a/')) listed.push(entry);
    expect(listed.map((e) => e.key).sort()).toEqual(['listed/a/1', 'listed/a/2']);
    for (const { modifiedMs } of listed) expect(modifiedMs).toBeGreaterThan(before);
    await h.store.delete([...keys, 'other/listed']);
    const after = [];
    for await (const entry of h.store.list('listed/')) after.push(entry);
    expect(after).toEqual([]);
  });

  it('stores an empty blob', async () => {
    await h.store.put('empty', Readable.from([]), { contentType: 'text/plain', maxBytes: 10 });
    expect(await readBlob(h.store, 'empty')).toEqual({ bytes: Buffer.alloc(0), size: 0, contentType: 'text/plain' });
    await h.store.delete(['empty']);
  });

  it('replaces a blob, content type included', async () => {
    await h.store.put('replace/me', streamOf(Buffer.from('first version')), { contentType: 'text/plain', maxBytes: 100 });
    await h.store.put('replace/me', streamOf(Buffer.from('second')), { contentType: 'image/webp', maxBytes: 100 });
    expect(await readBlob(h.store, 'replace/me')).toEqual({ bytes: Buffer.from('second'), size: 6, contentType: 'image/webp' });
    await h.store.delete(['replace/me']);
    expect(await h.leftovers()).toEqual([]);
  });

  it('refuses a blob over maxBytes with BlobTooLargeError and leaves nothing behind', async () => {
    const put = h.store.put('too/large', streamOf(randomBytes(2 * MB + 1)), { contentType: 'image/png', maxBytes: 2 * MB });
    await expect(put).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(put).rejects.toMatchObject({ maxBytes: 2 * MB });
    expect(await h.store.get('too/large')).toBeNull();
    expect(await h.leftovers()).toEqual([]);
  });

  it('streams a blob bigger than one S3 part (multipart) intact', async () => {
    const bytes = randomBytes(12 * MB + 5);
    await h.store.put('big/multipart', streamOf(bytes), { contentType: 'image/png', maxBytes: 25 * MB });
    const read = await readBlob(h.store, 'big/multipart');
    expect(read?.size).toBe(bytes.length);
    expect(read?.bytes.equals(bytes)).toBe(true);
    await h.store.delete(['big/multipart']);
  });

  it('refuses a blob over maxBytes after parts went up, leaving nothing', async () => {
    const put = h.store.put('big/too-large', streamOf(randomBytes(9 * MB)), { contentType: 'image/png', maxBytes: 8 * MB });
    await expect(put).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await h.store.get('big/too-large')).toBeNull();
    expect(await h.leftovers()).toEqual([]);
  });

  it('accepts a blob of exactly maxBytes', async () => {
    await h.store.put('exactly/max', streamOf(randomBytes(1000), 300), { contentType: 'image/png', maxBytes: 1000 });
    expect((await readBlob(h.store, 'exactly/max'))?.size).toBe(1000);
    await h.store.delete(['exactly/max']);
  });

  it('a refused replacement keeps the old blob', async () => {
    await h.store.put('keep/old', streamOf(Buffer.from('old')), { contentType: 'text/plain', maxBytes: 10 });
    await expect(h.store.put('keep/old', streamOf(randomBytes(11)), { contentType: 'text/plain', maxBytes: 10 })).rejects.toBeInstanceOf(
      BlobTooLargeError,
    );
    expect((await readBlob(h.store, 'keep/old'))?.bytes.toString()).toBe('old');
    await h.store.delete(['keep/old']);
  });

  it('a source stream that fails mid-way rejects with its error and leaves nothing', async () => {
    const broken = new Error('source broke');
    await expect(h.store.put('broken/source', failingStream(MB, broken), { contentType: 'image/png', maxBytes: 10 * MB })).rejects.toBe(
      broken,
    );
    expect(await h.store.get('broken/source')).toBeNull();
    expect(await h.leftovers()).toEqual([]);
  });

  it('a source stream that failed before the put started rejects with its error, not as the store being down', async () => {
    const broken = new Error('reset before we began');
    const source = new Readable({ read() {} });
    source.on('error', () => {});
    source.destroy(broken);
    await expect(h.store.put('early/broken', source, { contentType: 'image/png', maxBytes: MB })).rejects.toBe(broken);
    expect(await h.leftovers()).toEqual([]);
  });

  it('an aborted put rejects and leaves nothing', async () => {
    const controller = new AbortController();
    let reads = 0;
    // One megabyte, then nothing: when the store asks for more it has taken the first; abort then.
    const source = new Readable({
      read() {
        if (++reads === 1) this.push(randomBytes(MB));
        else controller.abort(new Error('client went away'));
      },
    });
    const put = h.store.put('aborted/put', source, { contentType: 'image/png', maxBytes: 10 * MB, signal: controller.signal });
    await expect(put).rejects.toThrow('client went away');
    expect(reads).toBeGreaterThan(1);
    expect(await h.store.get('aborted/put')).toBeNull();
    expect(await h.leftovers()).toEqual([]);
  });

  it('a put aborted once its last byte was read still rejects and leaves nothing', async () => {
    const controller = new AbortController();
    const source = streamOf(randomBytes(100_000));
    source.once('end', () => controller.abort(new Error('job cancelled')));
    await expect(
      h.store.put('aborted/at-end', source, { contentType: 'image/png', maxBytes: MB, signal: controller.signal }),
    ).rejects.toThrow('job cancelled');
    expect(await h.store.get('aborted/at-end')).toBeNull();
    expect(await h.leftovers()).toEqual([]);
  });

  it('get of a missing key is null; delete of missing keys is fine', async () => {
    expect(await h.store.get('never/stored')).toBeNull();
    await expect(h.store.delete(['never/stored', 'nor/this'])).resolves.toBeUndefined();
    await expect(h.store.delete([])).resolves.toBeUndefined();
  });

  it('deletes several keys at once', async () => {
    for (const key of ['del/a', 'del/b']) await h.store.put(key, streamOf(Buffer.from(key)), { contentType: 'text/plain', maxBytes: 10 });
    await h.store.delete(['del/a', 'del/b', 'del/missing']);
    expect(await h.store.get('del/a')).toBeNull();
    expect(await h.store.get('del/b')).toBeNull();
    expect(await h.leftovers()).toEqual([]);
  });

  it.each([
    '../escape',
    'a/../../b',
    '/absolute',
    'nul\0byte',
    'back\\slash',
    '',
    'trailing/',
    'a//b',
    '.hidden',
    'a/.tmp-x',
    'x'.repeat(201),
    'sp ace',
    'tilde~',
  ])('refuses the invalid key %j everywhere', async (key) => {
    await expect(h.store.put(key, streamOf(Buffer.from('x')), { contentType: 'text/plain', maxBytes: 10 })).rejects.toBeInstanceOf(
      InvalidBlobKeyError,
    );
    await expect(h.store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(h.store.delete([key])).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(h.store.downloadUrl(key, { expiresInSec: 60, baseUrl: h.baseUrl })).rejects.toBeInstanceOf(InvalidBlobKeyError);
    expect(await h.leftovers()).toEqual([]);
  });

  it('20 concurrent puts of different keys all land intact', async () => {
    const blobs = Array.from({ length: 20 }, (_, i) => ({ key: `concurrent/${i}.bin`, bytes: randomBytes(50_000 + i * 1000) }));
    await Promise.all(
      blobs.map(({ key, bytes }) => h.store.put(key, streamOf(bytes, 8192), { contentType: 'application/octet-stream', maxBytes: MB })),
    );
    for (const { key, bytes } of blobs) expect((await readBlob(h.store, key))?.bytes.equals(bytes)).toBe(true);
    await h.store.delete(blobs.map((b) => b.key));
    expect(await h.leftovers()).toEqual([]);
  });

  it('20 concurrent puts of one key leave exactly one of them, whole', async () => {
    const versions = Array.from({ length: 20 }, () => randomBytes(40_000));
    await Promise.all(
      versions.map((bytes) => h.store.put('contended/key', streamOf(bytes, 4096), { contentType: 'image/png', maxBytes: MB })),
    );
    const read = await readBlob(h.store, 'contended/key');
    expect(versions.some((v) => v.equals(read!.bytes))).toBe(true);
    await h.store.delete(['contended/key']);
    expect(await h.leftovers()).toEqual([]);
  });

  it('a download link serves the bytes with type, length and file name', async () => {
    const bytes = randomBytes(200_000);
    await h.store.put('links/result-0.png', streamOf(bytes), { contentType: 'image/png', maxBytes: MB });
    const url = await h.store.downloadUrl('links/result-0.png', { expiresInSec: 300, filename: 'swap result.png', baseUrl: h.baseUrl });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="swap result.png"/);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    await h.store.delete(['links/result-0.png']);
  });

  it('a download link stops working once it expires', async () => {
    await h.store.put('links/expiring', streamOf(Buffer.from('soon gone')), { contentType: 'text/plain', maxBytes: MB });
    // Made two minutes ago, valid for one: expired by now, whichever clock checks it.
    h.clock.shift(-120_000);
    const expired = await h.store.downloadUrl('links/expiring', { expiresInSec: 60, baseUrl: h.baseUrl });
    h.clock.shift(0);
    const response = await fetch(expired);
    expect(response.status).toBe(403);
    await response.arrayBuffer();
    const fresh = await h.store.downloadUrl('links/expiring', { expiresInSec: 60, baseUrl: h.baseUrl });
    expect(await (await fetch(fresh)).text()).toBe('soon gone');
    await h.store.delete(['links/expiring']);
  });

  it('answers ping while it is up', async () => {
    expect(await h.store.ping()).toBe(true);
  });

  describe('when the store is down', () => {
    let down: BackendHarness;
    beforeAll(async () => {
      down = await backend.open();
      await down.store.put('stored/before', streamOf(Buffer.from('x')), { contentType: 'text/plain', maxBytes: 10 });
      await down.takeDown();
    });
    afterAll(async () => {
      await down?.close();
    });

    it('put fails with BlobStoreUnavailableError, and ping says so', async () => {
      await expect(
        down.store.put('after/down', streamOf(randomBytes(1000)), { contentType: 'image/png', maxBytes: MB }),
      ).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      expect(await down.store.ping()).toBe(false);
    });
  });
});
