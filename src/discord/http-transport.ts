/**
 * The `makeRequest` @discordjs/rest calls for every request: undici's `request` through the account's
 * own connection pool (closed with the account, so no socket outlives the driver), presenting the
 * browser identity, and reporting each request to an observer right before it goes on the wire and
 * each error response with its body (the library drops the body of a 429 it rejects).
 *
 * `request`, not `fetch`: the library's own undici strategy does the same, and fetch's WHATWG
 * machinery (Request/Response objects, web streams) cost several times more CPU per call; every job
 * makes two of these calls. A body other than text (the library's FormData for file uploads, which
 * this project does not send through it) still goes through fetch.
 */
import { STATUS_CODES } from 'node:http';
import type { ResponseLike } from '@discordjs/rest';
import { Headers, Response, fetch, request } from 'undici';
import type { Dispatcher, RequestInit } from 'undici';
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

export type MakeRequest = (url: string, init: RequestInit) => Promise<ResponseLike>;

export function createTransport(dispatcher: Dispatcher, observer: TransportObserver): MakeRequest {
  return async (url, init) => {
    const info: RequestInfo = { url, method: (init.method ?? 'GET').toUpperCase(), body: init.body };
    // An aborted request must not reach the network (and must not count as sent).
    init.signal?.throwIfAborted();
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(REST_IDENTITY_HEADERS)) headers.set(name, value);
    if (init.body != null && typeof init.body !== 'string') return viaFetch(url, init, headers, dispatcher, info, observer);
    observer.sending(info);
    const res = await request(url, {
      method: info.method as Dispatcher.HttpMethod,
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

async function viaFetch(
  url: string,
  init: RequestInit,
  headers: Headers,
  dispatcher: Dispatcher,
  info: RequestInfo,
  observer: TransportObserver,
): Promise<ResponseLike> {
  observer.sending(info);
  const res = await fetch(url, { ...init, headers, dispatcher });
  if (res.status < 400) return res;
  return errorResponse(info, res.status, await res.text(), res.headers, observer);
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
