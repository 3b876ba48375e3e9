/**
 * Builds the blob store STORAGE_URL names: `file:///path`, `s3://bucket/prefix`, or (unset) the
 * filesystem under DATA_DIR/blobs.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-store.js';
import { sweepFsBlobs } from './fs-sweep.js';
import { S3BlobStore } from './s3-store.js';
import { createLinkSigner, resolveSigningSecret } from './signed-links.js';

export function blobRootOf(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'blobs');
}

export async function createBlobStore(config: Pick<Config, 'dataDir' | 'storage'>, logger: Logger): Promise<BlobStore> {
  const url = config.storage.url;
  if (url?.kind === 's3') {
    logger.info({ bucket: url.bucket, prefix: url.prefix }, `storage: blobs in s3://${url.bucket}/${url.prefix}`);
    return S3BlobStore.create({ bucket: url.bucket, prefix: url.prefix, forcePathStyle: config.storage.s3ForcePathStyle });
  }
  const root = url?.root ?? blobRootOf(config);
  // Unset STORAGE_URL is logged with the other embedded defaults (src/config/storage.ts).
  if (url) logger.info({ root }, `storage: blobs under ${root}`);
  const secret = await resolveSigningSecret(config.storage.filesSigningSecret, config.dataDir);
  const store = await FsBlobStore.open({ root, signer: createLinkSigner(secret) });
  // Temp files of puts that a crash cut off; in the background, start-up does not wait for it.
  sweepFsBlobs(root, { tempMaxAgeMs: STALE_TEMP_FILE_MS }).then(
    ({ tempFiles }) => tempFiles > 0 && logger.info({ root, tempFiles }, 'storage: removed temp files left by interrupted writes'),
    (error: unknown) => logger.warn({ err: error, root }, 'storage: could not sweep stale temp files'),
  );
  return store;
}

/** Longer than any put runs (uploads and copies are bounded far below it). */
const STALE_TEMP_FILE_MS = 60 * 60 * 1000;

/** Removes temp files of interrupted writes older than `maxAgeMs` (the filesystem store's; S3 writes leave none); returns how many. */
export async function sweepTempFiles(store: BlobStore, maxAgeMs: number, now: () => number = Date.now): Promise<number> {
  if (!store.local) return 0;
  const { tempFiles } = await sweepFsBlobs(store.local.root, { tempMaxAgeMs: maxAgeMs, now });
  return tempFiles;
}

export * from './blob-store.js';
