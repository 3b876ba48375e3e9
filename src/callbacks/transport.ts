/**
 * One HTTP POST, to an address chosen (and validated) by the caller. Two implementations:
 *
 * - `pinnedTransport` (default): node:http / node:https with a `lookup` that returns only the
 *   validated address, so the connection goes to exactly the IP that passed the SSRF check (no DNS
 *   rebinding between check and connect). TLS still verifies the certificate against the URL's host
 *   name (SNI and checkServerIdentity use the host, not the IP). No keep-alive, no redirects.
 * - `fetchTransport(fetch)`: an injected fetch (tests, proxies). `redirect: 'manual'`; the address
 *   was validated but fetch resolves the name again itself, so the connection is not pinned.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

/** How long the (unused) response body may take to arrive before the connection is cut. */
const DRAIN_LIMIT_MS = 2_000;

export interface TransportRequest {
  url: URL;
  /** The validated address to connect to. */
  address: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  statusText: string;
  header(name: string): string | null;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A lookup that always answers with one fixed address (also in the `all: true` form, which Node's http asks for when it tries several addresses). */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, addresses: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

export const pinnedTransport: Transport = (request) =>
  new Promise<TransportResponse>((resolve, reject) => {
    const client = request.url.protocol === 'https:' ? https : http;
    const req = client.request(request.url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      agent: false,
      lookup: pinnedLookup(request.address),
      signal: request.signal,
    });
    req.once('error', reject);
    req.once('response', (res) => {
      // The body is not used: drain it so the socket closes, but never for long (a receiver that
      // streams forever must not keep sockets open). Errors after the status line are moot.
      const drainLimit = setTimeout(() => res.destroy(), DRAIN_LIMIT_MS);
      res.once('close', () => clearTimeout(drainLimit));
      res.on('error', () => {});
      res.resume();
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        header: (name) => {
          const value = res.headers[name.toLowerCase()];
          return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
        },
      });
    });
    req.end(request.body);
  });

export function fetchTransport(fetchImpl: typeof fetch): Transport {
  return async (request) => {
    const response = await fetchImpl(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: request.signal,
    });
    // Release the connection without reading a body we do not use.
    await response.body?.cancel().catch(() => {});
    return { status: response.status, statusText: response.statusText, header: (name) => response.headers.get(name) };
  };
}
