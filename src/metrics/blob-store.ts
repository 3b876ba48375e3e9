/**
 * Counts a blob store's failures by operation, around any backend. A refused oversize put
 * (BlobTooLargeError) and a caller's abort are not store failures; a ping answering false is.
 * Errors while a `get` body streams happen after the call returned and are not seen here.
 */
import { BlobTooLargeError, type BlobStore } from '../storage/blob-store.js';
import type { BlobOperation, Metrics } from './instrumentation.js';

export function instrumentBlobStore(store: BlobStore, metrics: Pick<Metrics, 'blobStoreError'>): BlobStore {
  const counted = async <T>(operation: BlobOperation, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof BlobTooLargeError) && (error as Error | null)?.name !== 'AbortError') metrics.blobStoreError(operation);
      throw error;
    }
  };
  return {
    get kind() {
      return store.kind;
    },
    get local() {
      return store.local;
    },
    put: (key, body, options) => counted('put', () => store.put(key, body, options)),
    get: (key, signal) => counted('get', () => store.get(key, signal)),
    delete: (keys) => counted('delete', () => store.delete(keys)),
    downloadUrl: (key, options) => counted('download_url', () => store.downloadUrl(key, options)),
    list: (prefix) => store.list(prefix),
    ping: () =>
      counted('ping', async () => {
        const answered = await store.ping();
        if (!answered) metrics.blobStoreError('ping');
        return answered;
      }),
    close: () => store.close(),
  };
}
