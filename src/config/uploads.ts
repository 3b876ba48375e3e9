/** Limits on what one request may upload, and where request files wait. */
import { z } from 'zod';
import { int, type Parsed } from './variables.js';

export const UPLOAD_VARIABLES = {
  // Inferred: 10 MB is what a Discord account without Nitro may upload per file.
  UPLOAD_MAX_FILE_BYTES: { schema: int(1), default: String(10 * 1024 * 1024) },
  UPLOAD_MAX_FIELD_BYTES: { schema: int(1024), default: String(64 * 1024) },
  UPLOAD_MAX_FILES: { schema: int(1, 10), default: '2' },
  UPLOAD_DIR: { schema: z.string().min(1), default: undefined },
  /** Width × height read from the image header; refuses decompression bombs before the job is accepted. */
  UPLOAD_MAX_PIXELS: { schema: int(1), default: String(64_000_000) },
  /** Input images no queued or running job refers to, and temp files, older than this are swept. */
  UPLOAD_ORPHAN_GRACE_MS: { schema: int(1000), default: String(60 * 60 * 1000) },
  UPLOAD_SWEEP_INTERVAL_MS: { schema: int(1000), default: String(10 * 60 * 1000) },
} as const;

export interface UploadsConfig {
  maxFileBytes: number;
  maxFieldBytes: number;
  maxFiles: number;
  dir: string | null;
  maxPixels: number;
  /** The periodic sweep of orphan inputs and temp files (src/executor/service/input-sweep.ts). */
  sweep: { graceMs: number; intervalMs: number };
}

export const uploadsConfigOf = (p: Parsed<typeof UPLOAD_VARIABLES>): UploadsConfig => ({
  maxFileBytes: p.UPLOAD_MAX_FILE_BYTES,
  maxFieldBytes: p.UPLOAD_MAX_FIELD_BYTES,
  maxFiles: p.UPLOAD_MAX_FILES,
  dir: p.UPLOAD_DIR ?? null,
  maxPixels: p.UPLOAD_MAX_PIXELS,
  sweep: { graceMs: p.UPLOAD_ORPHAN_GRACE_MS, intervalMs: p.UPLOAD_SWEEP_INTERVAL_MS },
});
