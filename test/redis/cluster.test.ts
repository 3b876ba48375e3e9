/** createRedisClient against a real 3-primary Redis Cluster: scripts, pipelines and pub/sub under one hash tag. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { createRedisClient, type RedisClient } from '../../src/redis/connect.js';
import { onMessage, onResubscribed, publish, publishCommand, subscribe } from '../../src/redis/pubsub.js';
import type { RedisConnectionConfig } from '../../src/redis/settings.js';
import { startRedisCluster, type RedisClusterRig } from '../helpers/redis-cluster.js';

let rig: RedisClusterRig;
const clients: RedisClient[] = [];

beforeAll(async () => {
  rig = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await rig?.stop();
});

/** A connection from REDIS_CLUSTER_NODES naming a single seed: the rest of the cluster is discovered. */
const fromSeed = (index: number): RedisConnectionConfig =>
  loadConfig({ REDIS_CLUSTER_NODES: `127.0.0.1:${rig.seeds[index]!.port}` }).config.redis.connection!;

async function connected(index: number, role: 'commands' | 'subscriber' | 'callbacks'): Promise<RedisClient> {
  const client = createRedisClient(fromSeed(index), role, { connectionName: `test-${role}-${index}` });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

type WithScript = RedisClient & { picsiTouch(k1: string, k2: string, k3: string, value: string): Promise<number> };
const TOUCH =
  "redis.call('SET', KEYS[1], ARGV[1]); redis.call('HSET', KEYS[2], 'v', ARGV[1]); redis.call('ZADD', KEYS[3], 1, ARGV[1]); return 3";

it('connects from one seed and discovers the three primaries', async () => {
  const client = await connected(0, 'commands');
  expect(client).toBeInstanceOf(Cluster);
  expect(
    (client as Cluster)
      .nodes('master')
      .map((n) => n.options.port)
      .sort(),
  ).toEqual(rig.seeds.map((s) => s.port).sort());
  expect(await client.set('{picsi}:hello', 'world')).toBe('OK');
});

it('runs a defineCommand script over three keys under one hash tag, all in one slot on one node; keys without the tag are refused (CROSSSLOT)', async () => {
  const client = (await connected(1, 'commands')) as WithScript;
  client.defineCommand('picsiTouch', { numberOfKeys: 3, lua: TOUCH });
  const keys = ['{picsi}:a', '{picsi}:job:1', '{picsi}:queue'] as const;
  expect(await client.picsiTouch(...keys, 'x')).toBe(3);

  const slots = await Promise.all(keys.map((k) => client.cluster('KEYSLOT', k)));
  expect(new Set(slots).size).toBe(1);
  const ownerPort = await rig.ownerOf(keys[0]);
  const direct = rig.nodes.find((n) => n.port === ownerPort)!.client();
  expect(await direct.exists(...keys)).toBe(3);

  // The same script over keys in different slots: Redis refuses it, nothing is written.
  await expect(client.picsiTouch('picsi:a', 'picsi:job:1', 'picsi:queue', 'y')).rejects.toThrow(/CROSSSLOT/);
});

it('delivers sharded pub/sub between clients seeded on different nodes, from a command and from a script', async () => {
  const channel = '{picsi}:events:job';
  const [subscriber, publisher] = await Promise.all([connected(2, 'subscriber'), connected(0, 'commands')]);
  expect(publishCommand(publisher)).toBe('SPUBLISH');
  const received: string[] = [];
  const arrived = new Promise<void>((resolve) => {
    onMessage(subscriber, (ch, message) => {
      if (ch === channel) received.push(message);
      if (received.length === 2) resolve();
    });
  });
  await subscribe(subscriber, channel);

  expect(await publish(publisher, channel, 'from-command')).toBe(1);
  // As a coordinator script would: the publish command is an argument, the channel shares the keys' slot.
  const script = "redis.call('SET', KEYS[1], ARGV[3]); return redis.call(ARGV[1], ARGV[2], ARGV[3])";
  expect(await publisher.eval(script, 1, '{picsi}:job:2', publishCommand(publisher), channel, 'from-script')).toBe(1);
  await arrived;
  expect(received).toEqual(['from-command', 'from-script']);
});

it('runs a pipeline and a MULTI within one slot; a pipeline spanning slots on different nodes is refused', async () => {
  const client = await connected(1, 'callbacks');
  const replies = await client.pipeline().set('{picsi}:p1', '1').incr('{picsi}:p1').get('{picsi}:p1').exec();
  expect(replies).toEqual([
    [null, 'OK'],
    [null, 2],
    [null, '2'],
  ]);
  expect(await client.multi().hset('{picsi}:m', 'a', '1').hget('{picsi}:m', 'a').exec()).toEqual([
    [null, 1],
    [null, '1'],
  ]);

  const [first, second] = await distinctOwners();
  await expect(client.pipeline().set(first, '1').set(second, '1').exec()).rejects.toThrow(/same slots allocation group/);
});

/** Two untagged keys whose slots are served by different primaries. */
async function distinctOwners(): Promise<[string, string]> {
  const first = 'spread:0';
  const firstOwner = await rig.ownerOf(first);
  for (let i = 1; i < 100; i++) {
    if ((await rig.ownerOf(`spread:${i}`)) !== firstOwner) return [first, `spread:${i}`];
  }
  throw new Error('every key landed on one node');
}

it('the sharded subscriber recovers when its connection is killed (CLIENT KILL TYPE pubsub): re-subscribed, reported, delivering again', async () => {
  const channel = '{picsi}:events:killed';
  const [subscriber, publisher] = await Promise.all([connected(0, 'subscriber'), connected(1, 'commands')]);
  await subscribe(subscriber, channel);
  expect(await publish(publisher, channel, 'before')).toBe(1);

  const resubscribed = new Promise<void>((resolve) => onResubscribed(subscriber, resolve));
  const ownerPort = await rig.ownerOf(channel);
  const killed = await rig.nodes
    .find((n) => n.port === ownerPort)!
    .client()
    .client('KILL', 'TYPE', 'pubsub');
  expect(Number(killed)).toBeGreaterThanOrEqual(1);
  await resubscribed;

  const received = new Promise<string>((resolve) =>
    onMessage(subscriber, (ch, message) => ch === channel && message === 'after' && resolve(message)),
  );
  // The killed subscription counted no receiver: a receiver counted again is the new subscription.
  await expect.poll(() => publish(publisher, channel, 'after'), { timeout: 10_000, interval: 100 }).toBe(1);
  expect(await received).toBe('after');
});
