/** A real filesystem blob store in a temp directory, and job inputs staged into it the way uploads are. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StagedFile } from '../../src/jobs/staged-file.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs-store.js';
import { createLinkSigner } from '../../src/storage/signed-links.js';

export async function tempBlobStore(): Promise<FsBlobStore> {
  return FsBlobStore.open({ root: mkdtempSync(join(tmpdir(), 'picsi-blobs-')), signer: createLinkSigner(randomUUID()) });
}

export async function stageImage(store: BlobStore, bytes: Buffer, filename: string, contentType = 'image/png'): Promise<StagedFile> {
  const key = `inputs/${randomUUID()}-${filename.replace(/[^\w.-]/g, '_')}`;
  await store.put(key, Readable.from([bytes]), { contentType, maxBytes: bytes.length + 1 });
  return { key, filename, size: bytes.length, contentType };
}
