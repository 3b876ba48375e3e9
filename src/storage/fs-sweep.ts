/**
 * Housekeeping of a filesystem blob directory (src/storage/fs-store.ts), safe while instances use
 * it: removes temp files that a crashed put left (older than any put can take), and, when asked,
 * blobs last written before a cutoff (retention; the hashed layout has no per-day folders, so age
 * is what a sweep can go by). Files that vanish meanwhile are not an error.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fanOutDirs, TEMP_FILE_PREFIX } from './fs-store.js';

export interface SweepOptions {
  /** Temp files older than this are left-overs of a crashed put. */
  tempMaxAgeMs: number;
  /** Blobs older than this are deleted; unset keeps every blob. */
  blobMaxAgeMs?: number;
  now?: () => number;
}

export interface SweepResult {
  tempFiles: number;
  blobs: number;
}

export async function sweepFsBlobs(root: string, { tempMaxAgeMs, blobMaxAgeMs, now = Date.now }: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = { tempFiles: 0, blobs: 0 };
  const at = now();
  for (const first of await fanOutDirs(root)) {
    for (const second of await fanOutDirs(join(root, first))) {
      const dir = join(root, first, second);
      for (const entry of await entries(dir)) {
        if (!entry.isFile()) continue;
        const isTemp = entry.name.startsWith(TEMP_FILE_PREFIX);
        const maxAge = isTemp ? tempMaxAgeMs : blobMaxAgeMs;
        if (maxAge === undefined) continue;
        const path = join(dir, entry.name);
        const modified = await stat(path).then((s) => s.mtimeMs, ignoreMissing);
        if (modified === undefined || at - modified <= maxAge) continue;
        if ((await unlink(path).then(() => true, ignoreMissing)) === true) result[isTemp ? 'tempFiles' : 'blobs']++;
      }
    }
  }
  return result;
}

async function entries(dir: string): Promise<Dirent[]> {
  return (await readdir(dir, { withFileTypes: true }).catch(ignoreMissing)) ?? [];
}

function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}
