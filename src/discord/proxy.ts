/**
 * An account's own connections. Without a proxy: a pool of direct connections. With one, every
 * connection goes through it: REST calls, attachment uploads and result downloads through undici's
 * ProxyAgent (HTTP CONNECT for http:// and https:// proxies, SOCKS5 for socks5://), the gateway
 * websocket through https-proxy-agent or socks-proxy-agent (ws takes a node:http Agent). No
 * connection of a proxied account falls back to the server's own address.
 */
import type { Agent as HttpAgent } from 'node:http';
import { connect } from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { maskProxy } from '../jobs/account-pacing.js';

const POOL = { keepAliveTimeout: 10_000, connections: 8 } as const;

/** The connection pool of an account's REST calls, uploads and downloads. */
export function accountDispatcher(proxy: string | undefined): Dispatcher {
  return proxy ? new ProxyAgent({ uri: proxy, ...POOL }) : new Agent(POOL);
}

/** The node:http Agent of an account's gateway websocket; undefined without a proxy. */
export function gatewayAgent(proxy: string | undefined): HttpAgent | undefined {
  if (!proxy) return undefined;
  return new URL(proxy).protocol === 'socks5:' ? new SocksProxyAgent(proxy) : new HttpsProxyAgent(proxy);
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'socks5:': 1080 };

/** Whether the proxy accepts a TCP connection within `timeoutMs`; the error's code when it does not. */
export function probeProxy(
  proxy: string,
  timeoutMs = 3000,
): Promise<{ reachable: true } | { reachable: false; error: string; proxy: string }> {
  const url = new URL(proxy);
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 80;
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port, timeout: timeoutMs });
    const done = (result: { reachable: true } | { reachable: false; error: string; proxy: string }) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done({ reachable: true }));
    socket.once('timeout', () => done({ reachable: false, error: `no answer within ${timeoutMs} ms`, proxy: maskProxy(proxy) }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ reachable: false, error: err.code ?? err.message, proxy: maskProxy(proxy) }),
    );
  });
}
