/**
 * A real Redis Cluster with a replica per primary: the primary serving the executor's hash tag is
 * SIGKILLed under a write loop; its replica takes over and the clients follow it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRedisClient, type RedisClient } from '../../src/redis/connect.js';
import { onMessage, publish, subscribe } from '../../src/redis/pubsub.js';
import type { RedisRole } from '../../src/redis/roles.js';
import { reportFailover, writeThroughFailover } from '../helpers/failover-writes.js';
import { startRedisCluster, type RedisClusterRig } from '../helpers/redis-cluster.js';

let rig: RedisClusterRig;
const clients: RedisClient[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let stopped = false;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  rig = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
}, 60_000);
afterAll(async () => {
  stopped = true;
  process.off('unhandledRejection', onUnhandled);
  for (const c of clients) c.disconnect();
  await rig?.stop();
});

async function connected(role: RedisRole): Promise<RedisClient> {
  const seeds = rig.seeds.map((s) => `${s.host}:${s.port}`).join(',');
  const client = createRedisClient(loadConfig({ REDIS_CLUSTER_NODES: seeds }).config.redis.connection!, role, {
    connectionName: `test-${role}`,
  });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

it('SIGKILL of the primary serving {picsi}: its replica takes over, writes resume, the sharded subscriber follows the slot', async () => {
  const [commands, subscriber] = await Promise.all([connected('commands'), connected('subscriber')]);
  const channel = '{picsi}:events';
  await subscribe(subscriber, channel);
  expect(await publish(commands, channel, 'before')).toBe(1);
  const oldOwner = await rig.ownerOf(channel);

  let failover: { ownerPort: number; elapsedMs: number } | undefined;
  const run = await writeThroughFailover({
    client: commands,
    burst: 1,
    wait: false,
    failoverAfter: 100,
    writesAfterFailover: 20,
    stopped: () => stopped,
    failover: async () => void (failover = await rig.killOwnerAndAwaitFailover(channel)),
  });
  expect(failover!.ownerPort).not.toBe(oldOwner);
  const newOwner = rig.nodes.find((n) => n.port === failover!.ownerPort)!;
  const report = await reportFailover(run, newOwner.client());
  console.log('cluster failover of the {picsi} shard:', JSON.stringify({ failoverMs: failover!.elapsedMs, ...report }));
  expect(report.resumedAfterSwitchMs).not.toBeNull();

  const received = new Promise<string>((resolve) =>
    onMessage(subscriber, (ch, message) => ch === channel && message === 'after' && resolve(message)),
  );
  await expect.poll(() => publish(commands, channel, 'after').catch(() => 0), { timeout: 20_000, interval: 100 }).toBe(1);
  expect(await received).toBe('after');
  expect(unhandled).toEqual([]);
}, 120_000);
