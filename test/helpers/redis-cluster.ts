/** A private Redis Cluster on free ports (3 primaries, optionally a replica each), for tests of the Cluster mode. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisEndpoint } from '../../src/redis/settings.js';
import { startRedisProcess, until, type RedisProcess } from './redis-process.js';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

export interface RedisClusterRig {
  nodes: RedisProcess[];
  /** Seeds for REDIS_CLUSTER_NODES / createRedisClient. */
  seeds: RedisEndpoint[];
  /** The port of the primary serving `key`'s slot. */
  ownerOf(key: string): Promise<number>;
  /** SIGKILLs the primary of `key`'s slot; resolves once its replica serves the slot and the cluster is ok. */
  killOwnerAndAwaitFailover(key: string): Promise<{ ownerPort: number; elapsedMs: number }>;
  stop(): Promise<void>;
}

export async function startRedisCluster(options: { primaries?: number; replicasPerPrimary?: number } = {}): Promise<RedisClusterRig> {
  const replicas = options.replicasPerPrimary ?? 0;
  const size = (options.primaries ?? 3) * (1 + replicas);
  const dir = mkdtempSync(join(tmpdir(), 'picsi-cluster-'));
  const nodes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      // The bus port is given explicitly (Redis ≥ 7): port + 10000 may be taken or past 65535.
      const [port, busPort] = [await freePort(), await freePort()];
      nodes.push(
        await startRedisProcess(port, [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ]),
      );
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { timeout: 30_000 },
    );
    const probes = nodes.map((n) => n.client());
    await until(
      async () => (await Promise.all(probes.map((p) => p.cluster('INFO')))).every((info) => /^cluster_state:ok\r?$/m.test(String(info))),
      'cluster_state:ok on every node',
    );
    // A replica can take over only once it has synced with its primary.
    await until(
      async () =>
        (await Promise.all(probes.map((p) => p.info('replication')))).every(
          (info) => info.includes('role:master') || info.includes('master_link_status:up'),
        ),
      'every replica in sync',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const probes = new Map(nodes.map((n) => [n, n.client()]));
  const anyProbe = () => [...probes].find(([n]) => n.child.exitCode === null && n.child.signalCode === null)![1];
  const ownerOf = async (key: string, probe = anyProbe()) => {
    const slot = Number(await probe.cluster('KEYSLOT', key));
    const range = (await probe.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to);
    const primary = range?.[2];
    if (!primary) throw new Error(`no node serves slot ${slot}`);
    return primary[1];
  };
  return {
    nodes,
    seeds: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    ownerOf,
    async killOwnerAndAwaitFailover(key) {
      const old = await ownerOf(key);
      const killedAt = Date.now();
      await nodes.find((n) => n.port === old)!.signal('SIGKILL');
      const survivor = anyProbe();
      let ownerPort = old;
      await until(async () => {
        ownerPort = await ownerOf(key, survivor);
        return ownerPort !== old && /^cluster_state:ok\r?$/m.test(String(await survivor.cluster('INFO')));
      }, `a replica to take over ${key}'s slot`);
      return { ownerPort, elapsedMs: Date.now() - killedAt };
    },
    stop,
  };
}
