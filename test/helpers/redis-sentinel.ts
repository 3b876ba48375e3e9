/**
 * A private Sentinel deployment on free ports: a primary, one replica and three sentinels (quorum
 * 2), with a short down-after so a failover takes a couple of seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisEndpoint } from '../../src/redis/settings.js';
import { startRedisProcess, until, type RedisProcess } from './redis-process.js';
import { freePort } from './redis-server.js';

export const DOWN_AFTER_MS = 1000;

export interface Failover {
  /** The promoted replica. */
  primary: RedisProcess;
  /** From the SIGKILL (or SIGSTOP) to the sentinels' +switch-master. */
  elapsedMs: number;
}

export interface RedisSentinelRig {
  name: string;
  primary: RedisProcess;
  replica: RedisProcess;
  sentinels: RedisProcess[];
  /** Seeds for REDIS_SENTINELS / createRedisClient. */
  endpoints: RedisEndpoint[];
  /** The primary's port as the sentinels report it now. */
  currentPrimaryPort(): Promise<number>;
  /**
   * SIGKILLs the current primary and resolves once a sentinel announces the promoted replica.
   * `whileReplicaPaused`: the replica is SIGSTOPped first, so the writes acknowledged meanwhile
   * (until `whileReplicaPaused` resolves) pile up in the primary's replication buffer: the window
   * asynchronous replication loses. The replica is resumed at the kill, in time to be promoted.
   */
  killPrimaryAndAwaitFailover(options?: { whileReplicaPaused?: () => Promise<void> }): Promise<Failover>;
  /**
   * SIGSTOPs the current primary (alive to TCP, silent: like a partition) and resolves once the
   * replica is promoted; `failover.old` is the stopped one, to SIGCONT (it then becomes a replica).
   */
  pausePrimaryAndAwaitFailover(): Promise<Failover & { old: RedisProcess }>;
  stop(): Promise<void>;
}

const replicationArgs = (port: number, dir: string) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'no',
  '--repl-diskless-sync',
  'yes',
  '--repl-diskless-sync-delay',
  '0',
];

export async function startRedisSentinel(name = 'picsi-primary'): Promise<RedisSentinelRig> {
  const dir = mkdtempSync(join(tmpdir(), 'picsi-sentinel-'));
  const processes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const started = async (port: number, args: string[]) => {
    const process = await startRedisProcess(port, args);
    processes.push(process);
    return process;
  };
  try {
    const primaryPort = await freePort();
    const primary = await started(primaryPort, replicationArgs(primaryPort, dir));
    const replicaPort = await freePort();
    const replica = await started(replicaPort, [...replicationArgs(replicaPort, dir), '--replicaof', '127.0.0.1', String(primaryPort)]);
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // Sentinel rewrites its config file: one writable file each.
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
        ].join('\n') + '\n',
      );
      sentinels.push(await started(port, [file, '--sentinel']));
    }
    const replicaProbe = replica.client();
    await until(async () => (await replicaProbe.info('replication')).includes('master_link_status:up'), 'the replica in sync');
    const probes = sentinels.map((s) => s.client());
    // A failover needs each sentinel to know the replica and the two other sentinels.
    await until(async () => {
      const views = await Promise.all(
        probes.map(
          async (p) =>
            [
              (await p.call('SENTINEL', 'REPLICAS', name)) as unknown[],
              (await p.call('SENTINEL', 'SENTINELS', name)) as unknown[],
            ] as const,
        ),
      );
      return views.every(([replicas, peers]) => replicas.length === 1 && peers.length === 2);
    }, 'the sentinels to see the replica and each other');

    const byPort = (port: number) => processes.find((p) => p.port === port);
    const currentPrimaryPort = async () => {
      const [, port] = (await probes[0]!.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
      return Number(port);
    };
    const failPrimary = async (signal: 'SIGKILL' | 'SIGSTOP', whileReplicaPaused?: () => Promise<void>) => {
      const old = byPort(await currentPrimaryPort())!;
      const lagging = processes.find((p) => p !== old && !sentinels.includes(p))!;
      const watcher = sentinels[0]!.client();
      const switched = new Promise<number>((resolve) => {
        // "+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>"
        watcher.on('message', (_channel: string, message: string) => {
          const parts = message.split(' ');
          if (parts[0] === name) resolve(Number(parts[4]));
        });
      });
      await watcher.subscribe('+switch-master');
      if (whileReplicaPaused) {
        await lagging.signal('SIGSTOP');
        await whileReplicaPaused();
      }
      const failedAt = Date.now();
      await old.signal(signal);
      await lagging.signal('SIGCONT');
      const port = await switched;
      watcher.disconnect();
      return { old, primary: byPort(port)!, elapsedMs: Date.now() - failedAt };
    };
    return {
      name,
      primary,
      replica,
      sentinels,
      endpoints: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      currentPrimaryPort,
      async killPrimaryAndAwaitFailover(options = {}) {
        const { elapsedMs, primary } = await failPrimary('SIGKILL', options.whileReplicaPaused);
        return { elapsedMs, primary };
      },
      pausePrimaryAndAwaitFailover: () => failPrimary('SIGSTOP'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
