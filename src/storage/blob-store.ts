/**
 * The blob store: where job inputs (the uploaded images) and results (the bot's images, copied off
 * Discord's CDN) live, shared by every server instance. One small interface, two backends:
 * the filesystem (`STORAGE_URL=file:///path`, the embedded default) and S3-compatible object
 * storage (`STORAGE_URL=s3://bucket/prefix`). The same contract suite runs against both.
 */
import type { Readable } from 'node:stream';
import type { LinkSigner } from './signed-links.js';

export interface BlobInfo {
  key: string;
  size: number;
  contentType: string;
}

export interface PutOptions {
  contentType: string;
  /** The put fails with BlobTooLargeError once the stream passes this many bytes; nothing stays stored. */
  maxBytes: number;
  signal?: AbortSignal;
}

export interface DownloadUrlOptions {
  /** How long the link works. */
  expiresInSec: number;
  /** Suggested file name (Content-Disposition). */
  filename?: string;
  /**
   * This server's public origin (`https://api.example.com`), for backends whose links are served
   * by this server (`GET /files/…`). Backends with links of their own (presigned S3) ignore it.
   */
  baseUrl: string;
}

/**
 * Keys are chosen by this server, never by clients: `/`-separated segments of letters, digits and
 * `.` `_` `-` `=`, no segment empty or starting with a dot (so no `..`, no hidden files), no leading
 * `/`, at most 200 characters. Anything else (traversal, absolute paths, NUL, backslashes) is refused
 * with InvalidBlobKeyError by every backend.
 */
const KEY_PATTERN = /^(?!\.)[\w.=-]+(?:\/(?!\.)[\w.=-]+)*$/;
export const MAX_KEY_LENGTH = 200;

export function isValidBlobKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key);
}

export function assertValidBlobKey(key: string): void {
  if (!isValidBlobKey(key)) throw new InvalidBlobKeyError(key);
}

/** Blob keys of a job's inputs (the uploaded images) live under this prefix. */
export const INPUT_KEY_PREFIX = 'inputs/';

/** A stored blob as housekeeping sees it. */
export interface BlobEntry {
  key: string;
  /** When it was last written, epoch ms. */
  modifiedMs: number;
}

/** A store whose blobs are files on this machine: this server serves their links and sweeps their temp files. */
export interface LocalBlobs {
  readonly root: string;
  /** Signs and checks the `/files/…` links (src/http/files-route.ts). */
  readonly signer: LinkSigner;
}

export interface BlobStore {
  /** `file` or `s3`, for logs and readiness. */
  readonly kind: string;
  /** Set when the blobs are local files (the filesystem store); wrappers pass it on. */
  readonly local?: LocalBlobs;
  /**
   * Streams `body` to `key` (replacing what was there; readers see the old or the new blob, never a
   * mix). A failed or refused put leaves nothing behind. Rejects with BlobTooLargeError,
   * BlobStoreUnavailableError, InvalidBlobKeyError, the signal's reason, or the body's own error.
   */
  put(key: string, body: Readable, options: PutOptions): Promise<BlobInfo>;
  /** The blob's bytes as a stream, or null when there is no such key. Consume or destroy the body: it holds a file or socket open. */
  get(key: string, signal?: AbortSignal): Promise<{ body: Readable; size: number; contentType: string } | null>;
  /** Deletes the keys; missing keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** A link a client can download the blob from until it expires. */
  downloadUrl(key: string, options: DownloadUrlOptions): Promise<string>;
  /** Every blob whose key starts with `prefix`, in no order (housekeeping: it walks the whole prefix). */
  list(prefix: string): AsyncIterable<BlobEntry>;
  /** True when the store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The stream passed PutOptions.maxBytes. */
export class BlobTooLargeError extends Error {
  override readonly name = 'BlobTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`blob exceeds ${maxBytes} bytes`);
  }
}

/** The key breaks the rules above (a bug in the caller, never a client's input). */
export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError';
  constructor(key: string) {
    super(`invalid blob key ${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}`);
  }
}

/** The store cannot be reached or refused the write (down, full, no permission). */
export class BlobStoreUnavailableError extends Error {
  override readonly name = 'BlobStoreUnavailableError';
}
