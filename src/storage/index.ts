/**
 * Builds the blob store STORAGE_URL names: `file:///path`, `s3://bucket/prefix`, or (unset) the
 * filesystem under DATA_DIR/blobs.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-store.js';
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
  if (!url) logger.info({ root }, `config: STORAGE_URL unset, using the embedded default file://${root} (instances share it only if they share DATA_DIR)`);
  else logger.info({ root }, `storage: blobs under ${root}`);
  const secret = await resolveSigningSecret(config.storage.filesSigningSecret, config.dataDir);
  return FsBlobStore.open({ root, signer: createLinkSigner(secret) });
}

export * from './blob-store.js';
