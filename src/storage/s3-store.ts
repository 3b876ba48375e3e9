/**
 * The S3 blob store (`STORAGE_URL=s3://bucket/prefix`): AWS S3 or any S3-compatible service
 * (MinIO, R2…). Region, credentials and endpoint come from the AWS SDK's own configuration
 * (AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or any other SDK credential source,
 * AWS_ENDPOINT_URL_S3); path-style addressing from S3_FORCE_PATH_STYLE (the SDK reads no variable
 * for it). Puts stream through a multipart Upload with the size limit counted on the way; a refused
 * or failed put aborts the upload, and one aborted after the last byte deletes what it stored.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { pipeline, Readable, Transform } from 'node:stream';
import { assertValidBlobKey, BlobStoreUnavailableError, BlobTooLargeError } from './blob-store.js';
import type { BlobEntry, BlobInfo, BlobStore, DownloadUrlOptions, PutOptions } from './blob-store.js';
import { contentDisposition, DEFAULT_CONTENT_TYPE, normalizeContentType } from './http-headers.js';

/** S3's smallest part; the uploader buffers at most PART_SIZE × QUEUE_SIZE bytes per put. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;
const DELETE_BATCH = 1000;

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key: empty, or ending with `/`. */
  prefix: string;
  forcePathStyle: boolean;
  /** Overrides of the SDK's own configuration (tests point it at a local server). */
  clientConfig?: S3ClientConfig;
  /** The signing time of download links; injectable for tests. */
  now?: () => number;
}

export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly now: () => number;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    now: (() => number) | undefined,
  ) {
    this.now = now ?? Date.now;
  }

  /** Fails at start when the SDK finds no region (AWS_REGION), rather than on the first put. */
  static async create({ bucket, prefix, forcePathStyle, clientConfig = {}, now }: S3BlobStoreOptions): Promise<S3BlobStore> {
    const client = new S3Client({
      forcePathStyle,
      // Checksums only where S3 requires them: S3-compatible servers (and older MinIO/R2) reject or
      // mangle the streamed aws-chunked bodies the newer default sends.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      ...clientConfig,
    });
    try {
      await client.config.region();
    } catch (error) {
      client.destroy();
      throw new Error(`STORAGE_URL is s3://${bucket}: set AWS_REGION (${(error as Error).message})`, { cause: error });
    }
    return new S3BlobStore(client, bucket, prefix, now);
  }

  async put(key: string, body: Readable, { contentType, maxBytes, signal }: PutOptions): Promise<BlobInfo> {
    assertValidBlobKey(key);
    signal?.throwIfAborted();
    const type = normalizeContentType(contentType);

    // The first of these ends the put with its own error: the source broke, the limit, the signal.
    let failure: Error | undefined;
    let size = 0;
    const counted = new Transform({
      transform(chunk: Buffer | string, _encoding, callback) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += bytes.length;
        if (size <= maxBytes) return callback(null, bytes);
        failure ??= new BlobTooLargeError(maxBytes);
        callback(failure);
      },
    });
    pipeline(body, counted, (error) => {
      if (error) failure ??= error;
    });
    const onAbort = () => {
      failure ??= signal?.reason as Error;
      counted.destroy(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.prefix + key, Body: counted, ContentType: type },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      const cause = failure ?? unavailable('put', error);
      body.destroy();
      counted.destroy();
      throw cause;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (failure !== undefined) {
      // Aborted after the last byte went up: the object exists, and must not.
      await this.delete([key]).catch(() => {});
      throw failure;
    }
    return { key, size, contentType: type };
  }

  async get(key: string, signal?: AbortSignal): Promise<{ body: Readable; size: number; contentType: string } | null> {
    assertValidBlobKey(key);
    try {
      const output = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
        signal ? { abortSignal: signal } : {},
      );
      if (!(output.Body instanceof Readable)) throw new Error('GetObject returned no stream');
      return { body: output.Body, size: output.ContentLength ?? 0, contentType: output.ContentType ?? DEFAULT_CONTENT_TYPE };
    } catch (error) {
      if (isNotFound(error)) return null;
      if (signal?.aborted) throw error;
      throw unavailable('get', error);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(assertValidBlobKey);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      let errors;
      try {
        const output = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((key) => ({ Key: this.prefix + key })), Quiet: true },
          }),
        );
        errors = (output.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      } catch (error) {
        throw unavailable('delete', error);
      }
      if (errors.length > 0)
        throw new BlobStoreUnavailableError(`s3 delete refused ${errors.length} key(s): ${errors[0]?.Code} ${errors[0]?.Message}`);
    }
  }

  async downloadUrl(key: string, { expiresInSec, filename }: DownloadUrlOptions): Promise<string> {
    assertValidBlobKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.prefix + key,
      ResponseContentDisposition: contentDisposition(filename),
    });
    return getSignedUrl(this.client, command, { expiresIn: Math.max(1, Math.ceil(expiresInSec)), signingDate: new Date(this.now()) });
  }

  async *list(prefix: string): AsyncIterable<BlobEntry> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (error) {
        throw unavailable('list', error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key.slice(this.prefix.length), modifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket');
}

/** Anything S3 or the way to it refused (network, 5xx, credentials, no bucket): the store is unavailable. */
function unavailable(operation: string, error: unknown): BlobStoreUnavailableError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  return new BlobStoreUnavailableError(`s3 ${operation} failed${status}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, {
    cause: error,
  });
}
