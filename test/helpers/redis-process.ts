/** One redis-server process (a node, a replica or a sentinel) for the multi-process rigs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface RedisProcess {
  port: number;
  child: ChildProcess;
  /** A plain client to this process, for assertions and set-up (closed by `stop`). */
  client(): Redis;
  /** Sends the signal and, for SIGKILL/SIGTERM, resolves once the process has exited. */
  signal(signal: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server ...args` (args must include `--port port`) and resolves once it answers
 * PING. `password`: the server's requirepass, used by its own clients.
 */
export async function startRedisProcess(port: number, args: string[], options: { password?: string } = {}): Promise<RedisProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis({
      port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
      ...(options.password ? { password: options.password } : {}),
    });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = async (name: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT') => {
    if (!running()) return;
    child.kill(name);
    if (name === 'SIGKILL' || name === 'SIGTERM') await exited;
  };

  const probe = client();
  try {
    await until(
      async () => running() && (await probe.ping().catch(() => null)) === 'PONG',
      `redis-server on ${port} answering PING`,
      () => (running() ? '' : `exited: ${stderr}`),
    );
  } catch (error) {
    await signal('SIGKILL');
    throw error;
  } finally {
    probe.disconnect();
  }
  return {
    port,
    child,
    client,
    signal,
    async stop() {
      for (const c of clients) c.disconnect();
      await signal('SIGCONT');
      await signal('SIGKILL');
    },
  };
}

/**
 * Polls `check` until it holds. Only for states that Redis has no event for (cluster_state, a
 * sentinel's view of its replicas); fails with `what` after `timeoutMs`.
 */
export async function until(
  check: () => Promise<boolean>,
  what: string,
  detail: () => string = () => '',
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    const extra = detail();
    if (extra || Date.now() > deadline) throw new Error(`timed out waiting for ${what}${extra ? `: ${extra}` : ''}`);
    await sleep(50);
  }
}
