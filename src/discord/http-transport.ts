/**
 * The `makeRequest` @discordjs/rest calls for every request: undici's `request` through the account's
 * own connection pool (closed with the account, so no socket outlives the driver), presenting the
 * browser identity, and reporting each request to an observer right before it goes on the wire and
 * each error response with its body (the library drops the body of a 429 it rejects).
 *
 * `request`, not `fetch`: the library's own undici strategy does the same, and fetch's WHATWG
 * machinery (Request/Response objects, web streams) cost several times more CPU per call; every job
 * makes two of these calls. Bodies are JSON text: attachments go to their upload URLs (uploads.ts),
 * never as the library's multipart FormData, which this transport refuses.
 */
import { STATUS_CODES } from 'node:http';
import type { RESTOptions, ResponseLike } from '@discordjs/rest';
import { Headers, Response, request } from 'undici';
import type { Dispatcher } from 'undici';
import { REST_IDENTITY_HEADERS } from './client-identity.js';

export interface RequestInfo {
  url: string;
  method: string;
  /** The request body as sent (JSON text for JSON requests). */
  body: unknown;
}

export interface TransportObserver {
  /** The request is about to be issued (it was not aborted before). */
  sending(request: RequestInfo): void;
  /** An error response (status ≥ 400) and its body text; the library still gets the body too. */
  errorResponse(request: RequestInfo, status: number, bodyText: string): void;
}

export type MakeRequest = RESTOptions['makeRequest'];

export function createTransport(dispatcher: Dispatcher, observer: TransportObserver): MakeRequest {
  return async (url, init) => {
    const info: RequestInfo = { url, method: (init.method ?? 'GET').toUpperCase(), body: init.body };
    // An aborted request must not reach the network (and must not count as sent).
    init.signal?.throwIfAborted();
    // The library builds its headers as a plain object (REST#resolveRequest); its RequestInit type is
    // the one of the undici 6 it bundles, whose HeadersInit union ours does not accept as is.
    const headers = new Headers(init.headers as Record<string, string> | undefined);
    for (const [name, value] of Object.entries(REST_IDENTITY_HEADERS)) headers.set(name, value);
    if (init.body != null && typeof init.body !== 'string') throw new TypeError(`${info.method} ${url}: only text bodies are sent`);
    observer.sending(info);
    const res = await request(url, {
      method: info.method,
      headers: Object.fromEntries(headers),
      body: init.body ?? null,
      signal: init.signal ?? null,
      dispatcher,
    });
    const responseHeaders = toHeaders(res.headers);
    if (res.statusCode >= 400) return errorResponse(info, res.statusCode, await res.body.text(), responseHeaders, observer);
    return {
      body: res.body,
      arrayBuffer: () => res.body.arrayBuffer(),
      json: () => res.body.json(),
      text: () => res.body.text(),
      get bodyUsed() {
        return res.body.bodyUsed;
      },
      headers: responseHeaders,
      status: res.statusCode,
      statusText: STATUS_CODES[res.statusCode] ?? '',
      ok: res.statusCode >= 200 && res.statusCode < 300,
    };
  };
}

function errorResponse(info: RequestInfo, status: number, text: string, headers: Headers, observer: TransportObserver): ResponseLike {
  observer.errorResponse(info, status, text);
  return new Response(text, { status, statusText: STATUS_CODES[status] ?? '', headers });
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}
