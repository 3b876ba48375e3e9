/**
 * The filesystem blob store (`STORAGE_URL=file:///abs/path`, and the embedded default under
 * DATA_DIR/blobs). Safe for several instances sharing one directory (an NFS or RWX volume): every
 * write goes to its own temp file in the blob's directory and is renamed into place, so a reader
 * sees the old blob or the new one, never part of one, and no lock is needed.
 *
 * Layout: `<root>/<h0h1>/<h2h3>/<key with / as ~>`, h = sha256(key) in hex. The fan-out keeps
 * directories small; the name keeps the key readable for operators (`~` is not allowed in keys,
 * so the mapping is one-to-one). Temp files start with a dot, which no key may.
 *
 * Each file starts with a one-line header, `PICSIBLOB1 <content type>\n`, then the bytes. A
 * sidecar file would need a second rename that a reader could see half done (new bytes, old
 * type) and a second delete that a crash could skip; the header moves with the bytes atomically.
 *
 * Owner-only: directories 0700, files 0600 (job inputs and results are the users' images).
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, chmod, mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidBlobKey, BlobStoreUnavailableError, BlobTooLargeError } from './blob-store.js';
import type { BlobEntry, BlobInfo, BlobStore, DownloadUrlOptions, LocalBlobs, PutOptions } from './blob-store.js';
import { normalizeContentType } from './http-headers.js';
import type { LinkSigner } from './signed-links.js';

const MAGIC = 'PICSIBLOB1 ';
/** Names of files still being written (no key starts with a dot). */
export const TEMP_FILE_PREFIX = '.tmp-';
const MAX_HEADER_BYTES = MAGIC.length + 200 + 1;
/** A blob shorter than this (header included) is read whole by `get`, in one read. */
const SMALL_BLOB_READ_BYTES = 64 * 1024;
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface FsBlobStoreOptions {
  /** Absolute directory the blobs live under (created when missing). */
  root: string;
  /** Signs the `/files/…` links this server serves for the blobs. */
  signer: LinkSigner;
  /** Temp file names; injectable for tests. */
  randomId?: () => string;
}

export class FsBlobStore implements BlobStore {
  readonly kind = 'file';
  readonly root: string;
  /** Signs and checks the links of src/http/files-route.ts. */
  readonly signer: LinkSigner;
  readonly local: LocalBlobs;
  private readonly randomId: () => string;

  private constructor(options: FsBlobStoreOptions) {
    this.root = options.root;
    this.signer = options.signer;
    this.local = { root: options.root, signer: options.signer };
    this.randomId = options.randomId ?? randomUUID;
  }

  /** Creates the root directory when missing; BlobStoreUnavailableError when it cannot. */
  static async open(options: FsBlobStoreOptions): Promise<FsBlobStore> {
    const created = await storeCall(() => mkdir(options.root, { recursive: true, mode: DIR_MODE }));
    if (created !== undefined) await storeCall(() => chmod(options.root, DIR_MODE));
    return new FsBlobStore(options);
  }

  async put(key: string, body: Readable, { contentType, maxBytes, signal }: PutOptions): Promise<BlobInfo> {
    // Whichever side fails first is the cause; pipeline then destroys the other with the same error.
    // Listening starts before any await: the body may break while the directory is being made.
    let firstFailure = (body.errored ? 'body' : undefined) as 'body' | 'disk' | undefined;
    body.once('error', () => (firstFailure ??= 'body'));
    let path: string;
    try {
      assertValidBlobKey(key);
      signal?.throwIfAborted();
      path = this.pathOf(key);
      await storeCall(() => mkdir(dirname(path), { recursive: true, mode: DIR_MODE }));
    } catch (error) {
      body.destroy();
      throw error;
    }
    const type = normalizeContentType(contentType);
    const temp = join(dirname(path), `${TEMP_FILE_PREFIX}${this.randomId()}`);
    // flush: fsync before close, so a crash cannot leave a renamed but empty file.
    const out = createWriteStream(temp, { flags: 'wx', mode: FILE_MODE, flush: true });
    out.once('error', () => (firstFailure ??= 'disk'));

    let size = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer | string>) {
          yield Buffer.from(`${MAGIC}${type}\n`, 'latin1');
          for await (const chunk of source) {
            const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            size += bytes.length;
            if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
            yield bytes;
          }
        },
        out,
        signal ? { signal } : {},
      );
      await storeCall(() => rename(temp, path));
    } catch (error) {
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(temp, { force: true }).catch(() => {});
      if (signal?.aborted) throw signal.reason;
      throw firstFailure === 'disk' && !(error instanceof BlobTooLargeError) ? unavailable(error) : error;
    }
    return { key, size, contentType: type };
  }

  async get(key: string, signal?: AbortSignal): Promise<{ body: Readable; size: number; contentType: string } | null> {
    assertValidBlobKey(key);
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw unavailable(error);
    }
    try {
      // One read takes the header and, for a small blob (every input and result of a job, most of
      // the time), the whole of it: no stat, no stream over the file. The file never changes once
      // renamed into place (every write goes to a temp file), so a read of it is of one version.
      const first = Buffer.allocUnsafe(SMALL_BLOB_READ_BYTES);
      const { bytesRead } = await handle.read(first, 0, first.length, 0);
      const header = parseHeader(first.subarray(0, Math.min(bytesRead, MAX_HEADER_BYTES)));
      if (bytesRead < first.length) {
        await handle.close();
        const bytes = first.subarray(header.length, bytesRead);
        const body = Readable.from([bytes], { objectMode: false });
        if (signal) addAbortSignal(signal, body);
        return { body, size: bytes.length, contentType: header.contentType };
      }
      const { size } = await handle.stat();
      const body = handle.createReadStream({ start: header.length });
      if (signal) addAbortSignal(signal, body);
      return { body, size: size - header.length, contentType: header.contentType };
    } catch (error) {
      await handle.close().catch(() => {});
      throw unavailable(error);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(assertValidBlobKey);
    await Promise.all(
      keys.map(async (key) => {
        try {
          await unlink(this.pathOf(key));
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') throw unavailable(error);
        }
      }),
    );
  }

  async downloadUrl(key: string, { expiresInSec, filename, baseUrl }: DownloadUrlOptions): Promise<string> {
    assertValidBlobKey(key);
    return `${baseUrl.replace(/\/+$/, '')}/files/${key}?${this.signer.sign(key, expiresInSec, filename)}`;
  }

  async *list(prefix: string): AsyncIterable<BlobEntry> {
    for (const first of await fanOutDirs(this.root)) {
      for (const second of await fanOutDirs(join(this.root, first))) {
        const dir = join(this.root, first, second);
        for (const name of await readdir(dir).catch(() => [])) {
          const key = name.replaceAll('~', '/');
          if (name.startsWith('.') || !key.startsWith(prefix)) continue;
          const modified = await stat(join(dir, name)).then(
            (s) => s.mtimeMs,
            () => null,
          );
          if (modified !== null) yield { key, modifiedMs: modified };
        }
      }
    }
  }

  async ping(): Promise<boolean> {
    try {
      await access(this.root, constants.R_OK | constants.W_OK);
      return (await stat(this.root)).isDirectory();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}

  private pathOf(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return join(this.root, hash.slice(0, 2), hash.slice(2, 4), key.replaceAll('/', '~'));
  }
}

const FAN_OUT_NAME = /^[0-9a-f]{2}$/;

/** The two-hex-digit directories under `dir` (none when it is gone). */
export async function fanOutDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && FAN_OUT_NAME.test(e.name)).map((e) => e.name);
}

function parseHeader(bytes: Buffer): { length: number; contentType: string } {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\n');
  if (!text.startsWith(MAGIC) || end < 0) throw new Error('not a blob file (bad header)');
  return { length: end + 1, contentType: text.slice(MAGIC.length, end) };
}

/** Runs a filesystem call; its failure (full, read-only, no permission, gone) means the store is unavailable. */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailable(error);
  }
}

function unavailable(error: unknown): BlobStoreUnavailableError {
  if (error instanceof BlobStoreUnavailableError) return error;
  const code = errorCode(error);
  return new BlobStoreUnavailableError(`blob directory unavailable${code ? ` (${code})` : ''}: ${(error as Error).message}`, {
    cause: error,
  });
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
