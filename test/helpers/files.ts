/** What a test finds left on disk: upload temp files and spooled images. */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

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
