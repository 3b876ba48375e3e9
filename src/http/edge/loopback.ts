/**
 * Loopback hosts and origins: what open dev mode serves (src/http/edge/browser-origin.ts). A host
 * is loopback when it is `localhost` or a name under it (RFC 6761 reserves them for the local
 * machine, and browsers resolve them there themselves), or an address in 127.0.0.0/8 or ::1.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** `hostname` without brackets or port, as URL.hostname gives it (`[::1]` included). */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 0) return false;
  const address = ipaddr.process(host);
  return address.range() === 'loopback';
}

/** An `Origin` header value (`http://127.0.0.1:4000`); `null` and anything unparsable are not loopback. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHostname(url.hostname);
  } catch {
    return false;
  }
}

/** A `Host` header value (`localhost:4000`, `[::1]:4000`). */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  return isLoopbackOrigin(`http://${host}`);
}
