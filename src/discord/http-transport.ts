/**
 * The `makeRequest` @discordjs/rest calls for every request: undici's fetch through the account's
 * own connection pool (closed with the account, so no socket outlives the driver), presenting the
 * browser identity, and reporting each request to an observer right before it goes on the wire and
 * each error response with its body (the library drops the body of a 429 it rejects).
 */
import type { ResponseLike } from '@discordjs/rest';
import { Headers, Response, fetch } from 'undici';
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
    observer.sending(info);
    const res = await fetch(url, { ...init, headers, dispatcher });
    if (res.status < 400) return res;
    const text = await res.text();
    observer.errorResponse(info, res.status, text);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
