/**
 * The simulator must not borrow the driver's guesses: it speaks discord-api-types and its own bot
 * script, so a wrong guess on either side shows up in the end-to-end tests instead of agreeing
 * with itself.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../src/simulator/', import.meta.url).pathname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sources(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

describe('simulator independence', () => {
  it('no module of src/simulator imports from src/discord', async () => {
    const files = await sources(ROOT);
    expect(files.length).toBeGreaterThan(20);
    const offending: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (/from\s+['"](?:\.\.\/)+discord\//.test(text) || /import\(\s*['"](?:\.\.\/)+discord\//.test(text))
        offending.push(file.slice(ROOT.length));
    }
    expect(offending).toEqual([]);
  });
});
