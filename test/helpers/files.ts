/** What a test finds left on disk: upload temp files and spooled images. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every file under `dir` (recursively; the spooler keeps one folder per process), as full paths.
 * tsx's compile cache, which server processes keep in the same TMPDIR, is not counted.
 */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.includes('/tsx-'))
    .map((e) => join(e.parentPath, e.name));
}
