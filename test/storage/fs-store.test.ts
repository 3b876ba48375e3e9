/**
 * What only the filesystem backend has: its layout on disk, several processes on one directory,
 * a full disk, a file that is not a blob.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStoreUnavailableError } from '../../src/storage/blob-store.js';
import { FsBlobStore, TEMP_FILE_PREFIX } from '../../src/storage/fs-store.js';
import { sweepFsBlobs } from '../../src/storage/fs-sweep.js';
import { createLinkSigner } from '../../src/storage/signed-links.js';

const run = promisify(execFile);
const open = (root: string) => FsBlobStore.open({ root, signer: createLinkSigner('f'.repeat(32)) });
const allFiles = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

describe('filesystem blob store', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempRoot = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'picsi-fs-store-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };

  it('lays a blob out as <h0h1>/<h2h3>/<key, / as ~> with a one-line content type header', async () => {
    const root = await tempRoot();
    const store = await open(root);
    await store.put('results/2026-12-01/job1/a.png', Readable.from([Buffer.from('PNGDATA')]), { contentType: 'image/png', maxBytes: 100 });
    const hash = createHash('sha256').update('results/2026-12-01/job1/a.png').digest('hex');
    const path = join(root, hash.slice(0, 2), hash.slice(2, 4), 'results~2026-12-01~job1~a.png');
    expect(await allFiles(root)).toEqual([path]);
    expect((await readFile(path)).toString('latin1')).toBe('PICSIBLOB1 image/png\nPNGDATA');
  });

  it('stores a content type that cannot go in a header as application/octet-stream', async () => {
    const store = await open(await tempRoot());
    const info = await store.put('k', Readable.from([Buffer.from('x')]), { contentType: 'text/html\nX-Evil: 1', maxBytes: 10 });
    expect(info.contentType).toBe('application/octet-stream');
    const blob = await store.get('k');
    await buffer(blob!.body);
    expect(blob?.contentType).toBe('application/octet-stream');
  });

  it('reads a blob back whole and with its size, small (read at once) or large (streamed), at the 64 KB edge too', async () => {
    const store = await open(await tempRoot());
    const header = 'PICSIBLOB1 image/png\n'.length;
    for (const length of [0, 1, 1000, 64 * 1024 - header - 1, 64 * 1024 - header, 64 * 1024, 300_000]) {
      const bytes = Buffer.alloc(length, length % 251);
      await store.put(`k/${length}`, Readable.from([bytes]), { contentType: 'image/png', maxBytes: 1_000_000 });
      const blob = await store.get(`k/${length}`);
      expect({ size: blob?.size, contentType: blob?.contentType }).toEqual({ size: length, contentType: 'image/png' });
      expect((await buffer(blob!.body)).equals(bytes)).toBe(true);
    }
  });

  it('a file that is not a blob (no header) is reported as the store failing, not served', async () => {
    const root = await tempRoot();
    const store = await open(root);
    const hash = createHash('sha256').update('planted').digest('hex');
    await mkdir(join(root, hash.slice(0, 2), hash.slice(2, 4)), { recursive: true });
    await writeFile(join(root, hash.slice(0, 2), hash.slice(2, 4), 'planted'), 'not a blob');
    await expect(store.get('planted')).rejects.toBeInstanceOf(BlobStoreUnavailableError);
  });

  it('a reader never sees part of a blob while another process replaces it', async () => {
    const root = await tempRoot();
    const store = await open(root);
    await store.put('shared/blob', Readable.from([Buffer.alloc(256 * 1024, 0xaa)]), { contentType: 'image/png', maxBytes: 1024 * 1024 });
    const fixture = fileURLToPath(new URL('./fixtures/replace-loop.ts', import.meta.url));
    const writer = spawn(process.execPath, ['--import', 'tsx', fixture, root, 'shared/blob', '60'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    writer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => writer.once('exit', resolve));
    let running = true;
    writer.once('exit', () => (running = false));

    const versions = new Set<string>();
    let reads = 0;
    while (running || reads === 0) {
      const blob = await store.get('shared/blob');
      const bytes = await buffer(blob!.body);
      const fill = bytes[0];
      const expected = fill === 0xaa ? { size: 256 * 1024, type: 'image/png' } : { size: 512 * 1024, type: 'image/webp' };
      expect({ size: bytes.length, declared: blob!.size, type: blob!.contentType, uniform: bytes.every((b) => b === fill) }).toEqual({
        size: expected.size,
        declared: expected.size,
        type: expected.type,
        uniform: true,
      });
      versions.add(blob!.contentType);
      reads++;
    }
    expect(await exited).toBe(0);
    expect(output).toBe('done\n');
    expect(reads).toBeGreaterThan(1);
    expect((await allFiles(root)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a full disk is BlobStoreUnavailableError, and the partial temp file is removed (root: a 1 MiB tmpfs)',
    async () => {
      const root = await tempRoot();
      await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', root]);
      cleanups.push(() => run('umount', [root]));
      const store = await open(root);
      const put = store.put('big', Readable.from([Buffer.alloc(600 * 1024, 1), Buffer.alloc(600 * 1024, 2)]), {
        contentType: 'image/png',
        maxBytes: 10 * 1024 * 1024,
      });
      await expect(put).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(put).rejects.toThrow(/ENOSPC/);
      expect(await allFiles(root)).toEqual([]);
      await store.put('small', Readable.from([Buffer.from('still works')]), { contentType: 'text/plain', maxBytes: 100 });
    },
  );

  it('a sweep removes stale temp files and, when asked, blobs older than the retention; fresh ones stay', async () => {
    const root = await tempRoot();
    const store = await open(root);
    const now = Date.UTC(2026, 11, 1);
    const day = 86_400_000;
    const put = (key: string) => store.put(key, Readable.from([Buffer.from(key)]), { contentType: 'text/plain', maxBytes: 100 });
    const age = async (key: string, ms: number) => {
      const [path] = (await allFiles(root)).filter((f) => f.endsWith(key.replaceAll('/', '~')));
      await utimes(path!, (now - ms) / 1000, (now - ms) / 1000);
      return path!;
    };
    await put('results/old');
    await put('results/new');
    await age('results/old', 40 * day);
    await age('results/new', 1 * day);
    const dir = join(root, 'ab', 'cd');
    await mkdir(dir, { recursive: true });
    const staleTemp = join(dir, `${TEMP_FILE_PREFIX}crashed`);
    const liveTemp = join(dir, `${TEMP_FILE_PREFIX}in-flight`);
    await writeFile(staleTemp, 'half');
    await writeFile(liveTemp, 'half');
    await utimes(staleTemp, (now - 2 * 3_600_000) / 1000, (now - 2 * 3_600_000) / 1000);
    await utimes(liveTemp, (now - 60_000) / 1000, (now - 60_000) / 1000);

    expect(await sweepFsBlobs(root, { tempMaxAgeMs: 3_600_000, now: () => now })).toEqual({ tempFiles: 1, blobs: 0 });
    expect(await store.get('results/old').then((b) => (b?.body.destroy(), b !== null))).toBe(true);

    expect(await sweepFsBlobs(root, { tempMaxAgeMs: 3_600_000, blobMaxAgeMs: 31 * day, now: () => now })).toEqual({
      tempFiles: 0,
      blobs: 1,
    });
    expect(await store.get('results/old')).toBeNull();
    expect(await readBlobText(store, 'results/new')).toBe('results/new');
    expect((await allFiles(root)).filter((f) => f.includes(TEMP_FILE_PREFIX))).toEqual([liveTemp]);
  });
});

async function readBlobText(store: FsBlobStore, key: string): Promise<string | null> {
  const blob = await store.get(key);
  return blob ? (await buffer(blob.body)).toString() : null;
}
