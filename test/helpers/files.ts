/** What a test finds left on disk: upload temp files and spooled images. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Every file under `dir` (recursively; the spooler keeps one folder per process), as full paths.
 * tsx's compile cache, which server processes keep in the same TMPDIR, is not counted.
 */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.includes('/tsx-'))
    .map((e) => join(e.parentPath, e.name));
}

/** Job input images left in a filesystem blob store (its files are named after their key, `/` as `~`). */
export const inputBlobsUnder = (root: string): string[] => filesUnder(root).filter((f) => basename(f).startsWith('inputs~'));

/** A fresh directory as a STORAGE_URL, for server processes that must share one blob store. */
export const tempStorageUrl = (): string => pathToFileURL(mkdtempSync(join(tmpdir(), 'picsi-shared-blobs-'))).href;
