/**
 * Open dev mode (no API_TOKENS/ADMIN_TOKENS) serves browsers on this machine only. Without tokens,
 * the browser itself is the way in: any website the user visits could post a form to
 * http://localhost:4000 or open a websocket to it, and a DNS-rebinding name (attacker.example
 * resolving to 127.0.0.1) even makes its requests same-origin. So a request that shows browser
 * marks (an `Origin`, or `Sec-Fetch-*` metadata, which browsers add and page scripts cannot forge)
 * must come from a loopback origin and be addressed to a loopback host. Requests without them
 * (curl, scripts, server-side clients) pass: they are not driven by a web page.
 * With tokens, a page cannot send one it does not have (Authorization is never ambient), so any
 * origin may call the API.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHostHeader, isLoopbackOrigin } from './loopback.js';

/** Why a browser request is refused in open mode; null when it may proceed. */
export function openModeBrowserRefusal(headers: IncomingHttpHeaders): string | null {
  const origin = headers.origin;
  const site = headers['sec-fetch-site'];
  if (origin === undefined && site === undefined) return null;
  if (origin !== undefined && !isLoopbackOrigin(origin)) return `a page on ${origin.slice(0, 100)} may not call this server`;
  if (site === 'cross-site') return 'a page on another site may not call this server';
  if (!isLoopbackHostHeader(headers.host))
    return 'a browser may only reach this server through a loopback address (localhost, 127.0.0.1, [::1])';
  return null;
}

/** The message every open-mode refusal carries, so an operator knows what to change. */
export const OPEN_MODE_HINT =
  'open dev mode (no API_TOKENS) serves browser pages on this machine only; set API_TOKENS to accept other origins';
