/**
 * A loopback TCP proxy in front of the server that can cut every connection and refuse new ones
 * (as when the network or the server goes away), then let them through again.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface DropProxy {
  port: number;
  /** Closes every open connection and refuses new ones until restore(). */
  drop(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startDropProxy(targetPort: number): Promise<DropProxy> {
  let down = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const destroyAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port: (server.address() as { port: number }).port,
    drop: () => {
      down = true;
      destroyAll();
    },
    restore: () => void (down = false),
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
      }),
  };
}
