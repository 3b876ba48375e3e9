/**
 * Resetting Cluster connections on a real 3-primary cluster (ioredis 5.9, see
 * src/redis/reconnect.ts): a reset of the commands connection while a reply still sends it to
 * another node (MOVED) leaves it usable, and a subscriber that lost its shard subscriptions is
 * noticed by the keepalive and replaced, so events arrive again.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { resetConnection } from '../../src/executor/store/redis/availability.js';
import { createRedisEvents } from '../../src/executor/store/redis/events.js';
import { createRedisClient, type RedisClient } from '../../src/redis/connect.js';
import { publish } from '../../src/redis/pubsub.js';
import type { RedisRole } from '../../src/redis/roles.js';
import { startRedisCluster, type RedisClusterRig } from '../helpers/redis-cluster.js';
import type { RedisProcess } from '../helpers/redis-process.js';

let rig: RedisClusterRig;
const clients: RedisClient[] = [];

beforeAll(async () => {
  rig = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await rig?.stop();
});

function client(role: RedisRole): Cluster {
  const connection = loadConfig({ REDIS_CLUSTER_NODES: rig.seeds.map((s) => `${s.host}:${s.port}`).join(',') }).config.redis.connection!;
  const created = createRedisClient(connection, role, { connectionName: `test-${role}` }) as Cluster;
  created.on('error', () => undefined);
  clients.push(created);
  return created;
}

/** Moves `key`'s (empty) slot from `from` to `to`, as a resharding does. */
async function moveSlot(key: string, from: RedisProcess, to: RedisProcess): Promise<void> {
  const [fromId, toId] = await Promise.all([from.client().cluster('MYID'), to.client().cluster('MYID')]);
  const slot = String(await from.client().cluster('KEYSLOT', key));
  await to.client().cluster('SETSLOT', slot, 'IMPORTING', fromId);
  await from.client().cluster('SETSLOT', slot, 'MIGRATING', toId);
  for (const n of rig.nodes) await n.client().cluster('SETSLOT', slot, 'NODE', toId);
}

it('a reset of the commands connection while a reply sends a command to a node it holds no connection to (MOVED) leaves the Cluster usable', async () => {
  const commands = client('commands');
  await commands.connect();
  const key = `{reset-${randomUUID()}}:k`;
  const ownerPort = await rig.ownerOf(key);
  const from = rig.nodes.find((n) => n.port === ownerPort)!;
  const to = rig.nodes.find((n) => n.port !== ownerPort)!;
  // The connection to the owner is open (a command is written to it at once, not queued).
  expect(await commands.get(key)).toBeNull();
  // The client holds no connection to the slot's next owner (as to a primary that failed earlier).
  const toConnection = commands.nodes('all').find((n) => n.options.port === to.port)!;
  const removed = new Promise<void>((resolve) => commands.once('-node', () => resolve()));
  toConnection.disconnect();
  await removed;
  await moveSlot(key, from, to);
  // Sent to the old owner (the client's slots are stale) before the reset, answered MOVED after it.
  const moved = commands.set(key, 'during').catch((error: Error) => error.message);
  resetConnection(commands);
  await moved;
  await expect.poll(() => commands.set(key, 'after').catch(() => null), { timeout: 10_000, interval: 100 }).toBe('OK');
  expect(commands.status).toBe('ready');
  expect(await to.client().get(key)).toBe('after');
}, 30_000);

it('a subscriber that lost its shard subscriptions (ioredis 5.9 reconnecting it in place) is replaced by the keepalive: events arrive again', async () => {
  const subscriber = client('subscriber');
  const commands = client('commands');
  const tag = `{picsi-${randomUUID()}}:`;
  const events = createRedisEvents(subscriber, {
    channelOf: (e) => tag + e,
    commandTimeoutMs: 500,
    leaseTtlMs: 300,
    probeId: 'reset-test',
  });
  await Promise.all([events.connect(), commands.connect()]);
  const received: string[] = [];
  await events.subscribe('jobs', (payload) => received.push(payload));
  expect(await publish(commands, `${tag}jobs`, 'before')).toBe(1);

  let resubscribed = 0;
  events.onReconnect(() => resubscribed++);
  subscriber.disconnect(true);
  // The replacement subscribed the channel again and told the listeners to re-read.
  let sent = 0;
  const deliveredAfterReset = async () => {
    await publish(commands, `${tag}jobs`, `after-${sent++}`).catch(() => 0);
    return received.some((payload) => payload.startsWith('after-'));
  };
  await expect.poll(deliveredAfterReset, { timeout: 10_000, interval: 100 }).toBe(true);
  expect(resubscribed).toBeGreaterThanOrEqual(1);
  events.close();
}, 30_000);
