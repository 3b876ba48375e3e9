/**
 * What only the S3 backend has: credentials, buckets, the network in between. Against a real
 * s3rver process (test/helpers/s3-server.ts).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStoreUnavailableError } from '../../src/storage/blob-store.js';
import { S3BlobStore } from '../../src/storage/s3-store.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';

const put = (store: S3BlobStore, key = 'k') =>
  store.put(key, Readable.from([Buffer.from('bytes')]), { contentType: 'text/plain', maxBytes: 100 });

describe('S3 blob store failures', () => {
  let server: S3Server;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('wrong credentials: every operation is BlobStoreUnavailableError and ping is false', async () => {
    const store = await S3BlobStore.create({
      bucket: server.bucket,
      prefix: '',
      forcePathStyle: true,
      clientConfig: { ...server.clientConfig, credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' } },
    });
    await expect(put(store)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    await expect(store.get('k')).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    await expect(store.delete(['k'])).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    expect(await store.ping()).toBe(false);
    await store.close();
  });

  it('a bucket that does not exist is unavailable, not an empty store', async () => {
    const store = await S3BlobStore.create({
      bucket: 'no-such-bucket',
      prefix: '',
      forcePathStyle: true,
      clientConfig: server.clientConfig,
    });
    await expect(put(store)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    await expect(store.get('k')).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    expect(await store.ping()).toBe(false);
    await store.close();
  });

  it('keys live under the prefix', async () => {
    const store = await S3BlobStore.create({
      bucket: server.bucket,
      prefix: 'tenant/a/',
      forcePathStyle: true,
      clientConfig: server.clientConfig,
    });
    const other = await S3BlobStore.create({
      bucket: server.bucket,
      prefix: 'tenant/b/',
      forcePathStyle: true,
      clientConfig: server.clientConfig,
    });
    await put(store, 'jobs/1');
    expect(await other.get('jobs/1')).toBeNull();
    const blob = await store.get('jobs/1');
    blob?.body.destroy();
    expect(blob?.size).toBe(5);
    const url = new URL(await store.downloadUrl('jobs/1', { expiresInSec: 60, baseUrl: 'http://ignored' }));
    expect(url.pathname).toBe(`/${server.bucket}/tenant/a/jobs/1`);
    await store.delete(['jobs/1']);
    await store.close();
    await other.close();
  });

  it('a stopped server: get and delete are BlobStoreUnavailableError too', async () => {
    const own = await startS3Server();
    const store = await S3BlobStore.create({
      bucket: own.bucket,
      prefix: '',
      forcePathStyle: true,
      clientConfig: { ...own.clientConfig, maxAttempts: 1 },
    });
    await put(store);
    await own.stop();
    await expect(store.get('k')).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    await expect(store.delete(['k'])).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    await store.close();
    await own.close();
  });
});
