/** instrumentBlobStore: which failures count as blob store errors. */
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { instrumentBlobStore } from '../../src/metrics/blob-store.js';
import { BlobStoreUnavailableError, BlobTooLargeError, type BlobStore } from '../../src/storage/blob-store.js';

/** A backend whose every call fails with `error` (ping answers `pingAnswer`). */
const failingStore = (error: Error, pingAnswer = true): BlobStore => ({
  kind: 'test',
  put: () => Promise.reject(error),
  get: () => Promise.reject(error),
  delete: () => Promise.reject(error),
  downloadUrl: () => Promise.reject(error),
  list: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) }),
  ping: () => Promise.resolve(pingAnswer),
  close: () => Promise.resolve(),
});

describe('instrumentBlobStore', () => {
  it('counts each failed operation under its own label and passes the error on', async () => {
    const blobStoreError = vi.fn();
    const store = instrumentBlobStore(failingStore(new BlobStoreUnavailableError('down'), false), { blobStoreError });
    await expect(store.put('k', Readable.from([]), { contentType: 'image/png', maxBytes: 10 })).rejects.toBeInstanceOf(
      BlobStoreUnavailableError,
    );
    await expect(store.get('k')).rejects.toThrow('down');
    await expect(store.delete(['k'])).rejects.toThrow('down');
    await expect(store.downloadUrl('k', { expiresInSec: 60, baseUrl: 'http://x' })).rejects.toThrow('down');
    expect(await store.ping()).toBe(false);
    expect(blobStoreError.mock.calls).toEqual([['put'], ['get'], ['delete'], ['download_url'], ['ping']]);
    expect(store.kind).toBe('test');
  });

  it('does not count an oversize upload or an abort', async () => {
    const blobStoreError = vi.fn();
    await expect(
      instrumentBlobStore(failingStore(new BlobTooLargeError(10)), { blobStoreError }).put('k', Readable.from([]), {
        contentType: 'image/png',
        maxBytes: 10,
      }),
    ).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(instrumentBlobStore(failingStore(new DOMException('aborted', 'AbortError')), { blobStoreError }).get('k')).rejects.toThrow(
      'aborted',
    );
    expect(await instrumentBlobStore(failingStore(new Error('unused')), { blobStoreError }).ping()).toBe(true);
    expect(blobStoreError).not.toHaveBeenCalled();
  });
});
