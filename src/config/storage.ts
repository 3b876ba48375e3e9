/** Where the embedded stores keep their files, and the blob store for job inputs and results. */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseStorageUrl, type StorageUrl } from './storage-url.js';
import type { AppliedDefault, Parsed } from './variables.js';

const storageUrl = z.string().transform((value, ctx) => {
  const parsed = parseStorageUrl(value);
  if (!parsed) ctx.addIssue({ code: 'custom', message: 'must be file:///absolute/path or s3://bucket/prefix' });
  return parsed ?? z.NEVER;
});

export const STORAGE_VARIABLES = {
  DATA_DIR: {
    schema: z
      .string()
      .min(1)
      .transform((dir) => resolve(dir)),
    default: './data',
  },
  STORAGE_URL: { schema: storageUrl, default: undefined },
  S3_FORCE_PATH_STYLE: { schema: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'), default: 'false' },
  FILES_SIGNING_SECRET: { schema: z.string().min(32, 'must be at least 32 characters'), default: undefined, secret: true },
} as const;

export interface StorageConfig {
  /** Absolute; the embedded stores keep their files under it (blobs in DATA_DIR/blobs). */
  dataDir: string;
  storage: { url: StorageUrl | null; s3ForcePathStyle: boolean; filesSigningSecret: string | null };
}

export function storageConfigOf(p: Parsed<typeof STORAGE_VARIABLES>, defaultsApplied: AppliedDefault[]): StorageConfig {
  // The embedded blob store's place follows DATA_DIR; it is reported with the other defaults.
  if (!p.STORAGE_URL) defaultsApplied.push({ name: 'STORAGE_URL', value: `file://${join(p.DATA_DIR, 'blobs')}` });
  return {
    dataDir: p.DATA_DIR,
    storage: { url: p.STORAGE_URL ?? null, s3ForcePathStyle: p.S3_FORCE_PATH_STYLE, filesSigningSecret: p.FILES_SIGNING_SECRET ?? null },
  };
}
