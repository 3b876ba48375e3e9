/**
 * The blob store: where job inputs (the uploaded images) and results (the bot's images, copied off
 * Discord's CDN) live, shared by every server instance. One small interface, two backends:
 * the filesystem (`STORAGE_URL=file:///path`, the embedded default) and S3-compatible object
 * storage (`STORAGE_URL=s3://bucket/prefix`). The same contract suite runs against both.
 */
import type { Readable } from 'node:stream';

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

export interface BlobStore {
  /** `file` or `s3`, for logs and readiness. */
  readonly kind: string;
  /** Streams `body` to `key` (replacing what was there). A failed or refused put leaves nothing behind. */
  put(key: string, body: Readable, options: PutOptions): Promise<BlobInfo>;
  /** The blob's bytes as a stream, or null when there is no such key. */
  get(key: string, signal?: AbortSignal): Promise<{ body: Readable; size: number; contentType: string } | null>;
  /** Deletes the keys; missing keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** A link a client can download the blob from until it expires. */
  downloadUrl(key: string, options: DownloadUrlOptions): Promise<string>;
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

/** The store cannot be reached or refused the write (down, full, no permission). */
export class BlobStoreUnavailableError extends Error {
  override readonly name = 'BlobStoreUnavailableError';
}
