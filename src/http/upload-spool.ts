/**
 * Streams an uploaded file out of graphql-upload-ts's request-scoped temp file into the blob store
 * (the request's temp files are deleted when the response ends; the job lives longer and may run on
 * any instance), and checks on the way that it is an image type the bot accepts. A refused or
 * interrupted upload leaves no blob.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FileUpload } from 'graphql-upload-ts';
import { AppError } from '../errors.js';
import { acceptedImage, headerRefusal, ImageHeaderReader } from '../jobs/image-header.js';
import type { StagedFile, UploadSpooler } from '../jobs/staged-file.js';
import { BlobStoreUnavailableError, BlobTooLargeError, INPUT_KEY_PREFIX, type BlobStore } from '../storage/blob-store.js';

export { INPUT_KEY_PREFIX };

/**
 * graphql-upload-ts's request files live under `<root>/p<pid>/requests`; a process killed
 * mid-request cannot clean up, so the next one to start sweeps the folders of processes that no
 * longer exist. The root must be local to the host (process ids mean nothing across hosts).
 */
export const defaultSpoolRoot = () => join(tmpdir(), 'picsi-graphql');

/**
 * This process's folder for graphql-upload-ts's request files, created. That library buffers them
 * in os.tmpdir() and takes no option for it, so start-up points TMPDIR here (src/main.ts): the
 * files of a killed process are then swept too.
 */
export function requestTempDirUnder(root: string): string {
  const dir = join(root, `p${process.pid}`, 'requests');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function createUploadSpooler(options: {
  store: BlobStore;
  dir: string | null;
  maxFileBytes: number;
  maxPixels: number;
  newKey?: (field: string) => string;
}): UploadSpooler {
  const root = options.dir ?? defaultSpoolRoot();
  sweepOrphans(root).catch(() => undefined); // best effort: the next start sweeps again
  const newKey = options.newKey ?? ((field: string) => `${INPUT_KEY_PREFIX}${randomUUID()}-${field}`);

  async function spool(upload: unknown, field: string): Promise<StagedFile> {
    const file = await resolveUpload(upload, field);
    const key = newKey(field);
    const header = new ImageHeaderReader();
    const limits = { field, declared: file.mimetype, maxPixels: options.maxPixels };
    let size = 0;
    const chunks = (async function* () {
      for await (const chunk of file.createReadStream() as AsyncIterable<Buffer>) {
        const refused = headerRefusal(header.push(chunk), limits);
        if (refused) throw refused;
        size += chunk.length;
        yield chunk;
      }
    })();
    try {
      // The blob is stored with the type its bytes show (never the client's declared one), known
      // from the first bytes: those are read before the store write starts.
      const head: Buffer[] = [];
      while (!header.detected) {
        const next = await chunks.next();
        if (next.done) break;
        head.push(next.value);
      }
      if (size === 0) throw missing(field);
      // Not an image (a short file shows it only once it ended): acceptedImage throws.
      const kind = header.detected ?? acceptedImage(header.finish(), limits).kind;
      const body = Readable.from(
        (async function* () {
          yield* head;
          yield* chunks;
        })(),
        { objectMode: false },
      );
      await options.store.put(key, body, { contentType: kind.type, maxBytes: options.maxFileBytes });
      const image = acceptedImage(header.finish(), limits);
      return { key, filename: safeFilename(file.filename, image.kind.extension), size, contentType: image.kind.type, frames: image.frames };
    } catch (error) {
      await chunks.return(undefined).catch(() => undefined);
      await options.store.delete([key]).catch(() => undefined);
      // A store that is down or full is the server's problem (SERVICE_UNAVAILABLE, see src/http/errors.ts).
      throw error instanceof BlobStoreUnavailableError ? error : toInputError(error, field, options.maxFileBytes);
    }
  }

  return {
    spool,
    async discard(...files) {
      const keys = files.flatMap((f) => (f ? [f.key] : []));
      if (keys.length > 0) await options.store.delete(keys);
    },
  };
}

async function resolveUpload(upload: unknown, field: string): Promise<FileUpload> {
  if (upload == null) throw missing(field);
  let file: unknown;
  try {
    file = await Promise.resolve(upload);
  } catch (error) {
    throw toInputError(error, field, null);
  }
  if (!file || typeof (file as FileUpload).createReadStream !== 'function') {
    throw new AppError('BAD_USER_INPUT', 'Param source_image or target_image_gif_or_video is not File or Blob', { field });
  }
  return file as FileUpload;
}

/** The hosted API's wording, with the precise field in extensions. */
const missing = (field: string) =>
  new AppError('BAD_USER_INPUT', 'Required param source_image or target_image_gif_or_video is missing or empty', { field });

function toInputError(error: unknown, field: string, maxFileBytes: number | null): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof BlobTooLargeError) {
    return new AppError('BAD_USER_INPUT', `Param ${field} exceeds the upload size limit of ${error.maxBytes} bytes`, {
      field,
      limit: error.maxBytes,
    });
  }
  const status = (error as { status?: number }).status;
  if (status === 413) {
    const limit = maxFileBytes === null ? '' : ` of ${maxFileBytes} bytes`;
    return new AppError('BAD_USER_INPUT', `Param ${field} exceeds the upload size limit${limit}`, { field, limit: maxFileBytes });
  }
  if (status === 400) return missing(field);
  return new AppError('BAD_USER_INPUT', `Param ${field} could not be read: the upload was interrupted`, { field });
}

/** Keeps a readable, filesystem- and Discord-safe name that matches the real type. */
function safeFilename(name: string, extension: string): string {
  const stem =
    (name || 'image')
      .replace(/\.[^.]*$/, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 80) || 'image';
  return `${stem}.${extension}`;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes the request-file folders of processes that are gone. */
export async function sweepOrphans(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const orphans = entries.filter(
    (e) => e.isDirectory() && /^p\d+$/.test(e.name) && Number(e.name.slice(1)) !== process.pid && !isAlive(Number(e.name.slice(1))),
  );
  await Promise.all(orphans.map((e) => rm(join(root, e.name), { recursive: true, force: true })));
  return orphans.map((e) => e.name);
}
