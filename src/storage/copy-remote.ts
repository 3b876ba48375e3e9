/**
 * Copies a remote file (a bot result on Discord's CDN) into the blob store: streamed straight from
 * the response into the store, bounded in bytes (maxBytes) and in time (timeoutMs and the caller's
 * signal), retried with exponential backoff on network errors, 5xx and 429 (Retry-After honoured,
 * up to the cap), never on other 4xx. A failed attempt leaves nothing stored (BlobStore.put).
 *
 * undici's `request` (redirects followed), not `fetch`: its body is a Node stream already, and fetch's
 * WHATWG Response and web stream (bridged back with Readable.fromWeb) cost several times more CPU;
 * every job copies its results while its channel is held.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { parseRetryAfter, retryDelayMs, type BackoffPolicy } from '../timing/backoff.js';
import {
  assertValidBlobKey,
  BlobStoreUnavailableError,
  BlobTooLargeError,
  InvalidBlobKeyError,
  type BlobInfo,
  type BlobStore,
} from './blob-store.js';

export interface CopyRemoteOptions {
  url: string;
  store: BlobStore;
  key: string;
  maxBytes: number;
  /** The whole copy, retries included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** When the response has none. */
  contentType?: string;
  /** Attempts in all (default 4). */
  attempts?: number;
  /** First retry delay, doubled each time up to maxDelayMs, with equal jitter (defaults 250 / 5000); also the longest Retry-After honoured. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** The connections to use (a Discord account's own pool, through its proxy); default: direct. */
  dispatcher?: Dispatcher;
}

export type RemoteCopyFailure = 'http' | 'network' | 'timeout';

/** The remote file could not be copied (after the retries the failure allowed). */
export class RemoteCopyError extends Error {
  override readonly name = 'RemoteCopyError';
  constructor(
    message: string,
    readonly failure: RemoteCopyFailure,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown by an attempt that may be retried; `retryAfterMs` when the server asked for a delay. */
class RetryableFailure extends Error {
  constructor(
    readonly error: RemoteCopyError,
    readonly retryAfterMs: number | null = null,
  ) {
    super(error.message);
  }
}

export async function copyRemoteToStore(options: CopyRemoteOptions): Promise<BlobInfo> {
  const { attempts = 4, baseDelayMs = 250, maxDelayMs = 5_000, random = Math.random } = options;
  const backoff: BackoffPolicy = { baseMs: baseDelayMs, capMs: maxDelayMs, maxRetryAfterMs: maxDelayMs, jitter: 'equal' };
  assertValidBlobKey(options.key);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const timedOut = (cause?: unknown) =>
    new RemoteCopyError(`copy of ${redacted(options.url)} timed out after ${options.timeoutMs} ms`, 'timeout', undefined, { cause });

  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(options, signal);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (deadline.aborted) throw timedOut(error);
      if (!(error instanceof RetryableFailure)) throw error;
      if (attempt >= attempts) throw error.error;
      try {
        await sleep(retryDelayMs(attempt, error.retryAfterMs, backoff, random), undefined, { signal });
      } catch (aborted) {
        if (options.signal?.aborted) throw options.signal.reason;
        throw timedOut(aborted);
      }
    }
  }
}

async function copyOnce(options: CopyRemoteOptions, signal: AbortSignal): Promise<BlobInfo> {
  const { url, store, key, maxBytes } = options;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, { signal, dispatcher: redirectingThrough(options.dispatcher) });
  } catch (error) {
    throw new RetryableFailure(
      new RemoteCopyError(`cannot fetch ${redacted(url)}: ${(error as Error).message}`, 'network', undefined, { cause: error }),
    );
  }
  const { statusCode: status, body } = response;
  // Destroying an unread body errors it (UND_ERR_ABORTED); the store's pipeline sees real failures itself.
  body.on('error', () => {});
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  };
  if (status < 200 || status > 299) {
    await body.dump().catch(() => {});
    const error = new RemoteCopyError(`fetching ${redacted(url)} answered HTTP ${status}`, 'http', status);
    if (status === 429 || status >= 500) throw new RetryableFailure(error, parseRetryAfter(header('retry-after'), Date.now()));
    throw error;
  }
  const length = Number(header('content-length') ?? NaN);
  if (length > maxBytes) {
    body.destroy();
    throw new BlobTooLargeError(maxBytes);
  }

  try {
    return await store.put(key, body, { contentType: header('content-type') ?? options.contentType ?? '', maxBytes, signal });
  } catch (error) {
    if (
      error instanceof BlobTooLargeError ||
      error instanceof BlobStoreUnavailableError ||
      error instanceof InvalidBlobKeyError ||
      signal.aborted
    )
      throw error;
    // The body broke off mid-way (connection reset): nothing was stored, so another attempt is safe.
    throw new RetryableFailure(
      new RemoteCopyError(`reading ${redacted(url)} failed: ${(error as Error).message}`, 'network', undefined, { cause: error }),
    );
  } finally {
    body.destroy();
  }
}

/** As many as fetch's 'follow' allows. */
const MAX_REDIRECTIONS = 20;

// undici 7 follows redirects through an interceptor composed onto a dispatcher, not a request option.
const redirect = interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS });
const redirecting = new Agent().compose(redirect);
const composed = new WeakMap<Dispatcher, Dispatcher>();

function redirectingThrough(dispatcher: Dispatcher | undefined): Dispatcher {
  if (!dispatcher) return redirecting;
  let through = composed.get(dispatcher);
  if (!through) composed.set(dispatcher, (through = dispatcher.compose(redirect)));
  return through;
}

/** Discord CDN URLs carry signatures in the query: logs and errors show the path only. */
function redacted(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return origin + pathname;
  } catch {
    return '(invalid URL)';
  }
}
