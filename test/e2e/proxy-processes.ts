/**
 * Real proxy servers as their own processes on loopback, for the per-account proxy tests: an HTTP
 * proxy (the `proxy` package, CONNECT tunnels, Basic auth) and a SOCKS5 one (@pondwader/socks5-server,
 * user/password auth). Each opens its outgoing connections from its own loopback address, so the
 * simulator sees which requests came through it; each prints a line per tunnel it opens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const HTTP_PROXY = `
import http from 'node:http';
import { createProxy } from 'proxy';
const [user, pass, local] = process.argv.slice(1);
const server = createProxy(http.createServer());
server.localAddress = local;
server.authenticate = (req) => req.headers['proxy-authorization'] === 'Basic ' + Buffer.from(user + ':' + pass).toString('base64');
server.on('connect', (req) => console.log('tunnel ' + req.url));
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

const SOCKS_PROXY = `
import net from 'node:net';
import { createServer } from '@pondwader/socks5-server';
const [user, pass, local] = process.argv.slice(1);
const server = createServer({ auth: { username: user, password: pass } });
server.setConnectionHandler((conn, sendStatus) => {
  const target = net.connect({ host: conn.destAddress, port: conn.destPort, localAddress: local });
  target.once('connect', () => {
    console.log('tunnel ' + conn.destAddress + ':' + conn.destPort);
    sendStatus('REQUEST_GRANTED');
    conn.socket.pipe(target).pipe(conn.socket);
  });
  target.once('error', () => sendStatus('HOST_UNREACHABLE'));
  conn.socket.on('error', () => target.destroy());
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.server?.address?.()?.port));
`;

export interface ProxyProcess {
  /** The proxy URL, credentials included. */
  url: string;
  /** The loopback address its outgoing connections come from. */
  localAddress: string;
  /** Tunnels opened so far (`host:port`). */
  tunnels: string[];
  kill(): Promise<void>;
}

export async function startProxy(kind: 'http' | 'socks5', localAddress: string): Promise<ProxyProcess> {
  const [user, pass] = ['picsi', 'pr0xy-s3cret'];
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', kind === 'http' ? HTTP_PROXY : SOCKS_PROXY, user, pass, localAddress],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const tunnels: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${kind} proxy exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('listening ')) resolve(Number(line.slice('listening '.length)));
      else if (line.startsWith('tunnel ')) tunnels.push(line.slice('tunnel '.length));
    });
  });
  return {
    url: `${kind}://${user}:${pass}@127.0.0.1:${port}`,
    localAddress,
    tunnels,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
