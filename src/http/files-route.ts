/**
 * `GET|HEAD /files/<key>?exp=…&name=…&sig=…`: serves a blob through a signed link
 * (src/storage/signed-links.ts), for blob stores whose links are served by this server.
 * 404 for keys that are invalid or missing, 403 for a bad or expired signature, 503 when the store
 * is unavailable. The body is streamed from the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { BlobStoreUnavailableError, isValidBlobKey, type BlobStore } from '../storage/blob-store.js';
import { contentDisposition } from '../storage/http-headers.js';
import type { LinkSigner } from '../storage/signed-links.js';

export const FILES_PATH_PREFIX = '/files/';

export type FilesRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface FilesRouteDeps {
  store: BlobStore;
  signer: LinkSigner;
  logger: Logger;
}

export function createFilesRoute({ store, signer, logger }: FilesRouteDeps): FilesRequestHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed.', { allow: 'GET, HEAD' });
    // The raw path, not a URL's: `..` must be refused, never resolved into another key.
    const [path = '', query = ''] = (req.url ?? '').split('?', 2);
    const key = decodedKey(path);
    if (key === null) return sendText(res, 404, 'Not found.');

    const link = signer.verify(key, new URLSearchParams(query));
    if (!link.ok) return sendText(res, 403, link.reason === 'expired' ? 'This link has expired.' : 'Invalid link signature.');

    let blob;
    try {
      blob = await store.get(key);
    } catch (error) {
      if (!(error instanceof BlobStoreUnavailableError)) throw error;
      logger.warn({ err: error, key }, 'files: blob store unavailable');
      return sendText(res, 503, 'Storage is unavailable, retry later.', { 'retry-after': '5' });
    }
    if (!blob) return sendText(res, 404, 'Not found.');

    res.writeHead(200, {
      'content-type': blob.contentType,
      'content-length': blob.size,
      'content-disposition': contentDisposition(link.name),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-cache',
    });
    if (req.method === 'HEAD') {
      blob.body.destroy();
      res.end();
      return;
    }
    // A client that goes away ends the pipeline early; that is not an error of ours.
    await pipeline(blob.body, res).catch((error: unknown) => {
      if (!res.writableFinished) logger.debug({ err: error, key }, 'files: download ended early');
    });
  };
}

/** The route for stores whose links this server serves (the filesystem store); null for the others. */
/** The route when the store's blobs are local files (their links are served here), else null. */
export function filesRouteFor(store: BlobStore, logger: Logger): FilesRequestHandler | null {
  return store.local ? createFilesRoute({ store, signer: store.local.signer, logger }) : null;
}

function decodedKey(pathname: string): string | null {
  if (!pathname.startsWith(FILES_PATH_PREFIX)) return null;
  try {
    const key = decodeURIComponent(pathname.slice(FILES_PATH_PREFIX.length));
    return isValidBlobKey(key) ? key : null;
  } catch {
    return null;
  }
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
