/**
 * The executor on a real 3-primary Redis Cluster (REDIS_CLUSTER_NODES): two server processes share
 * one simulator's channels. Every channel runs one interaction at a time, every job completes,
 * every graphql-ws subscriber ends on the stored state, every job's callback is delivered, and every
 * key the scripts wrote (including those built inside Lua from a prefix) lives in one slot, on one node.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { executorKeys } from '../../src/executor/store/keys.js';
import { hashTagOf } from '../../src/redis/hash-tag.js';
import { createRedisEvents } from '../../src/executor/store/redis/events.js';
import { loadConfig } from '../../src/config.js';
import { createRedisClient } from '../../src/redis/connect.js';
import { onMessage, publish } from '../../src/redis/pubsub.js';
import { startReceiver, type Receiver } from '../callbacks/helpers.js';
import { followJob, maxInFlight, startFleet, storedJob, submitJob, type Fleet, type JobState, type Refusals } from '../helpers/ha-load.js';
import { startRedisCluster, type RedisClusterRig } from '../helpers/redis-cluster.js';

const JOBS = 36;
const CHANNELS = 3;
const prefix = `cluster:${randomUUID()}:`;
let rig: RedisClusterRig;
let fleet: Fleet;
let receiver: Receiver;
let deliveredToAll: () => void;
const allDelivered = new Promise<void>((resolve) => (deliveredToAll = resolve));

beforeAll(async () => {
  receiver = await startReceiver((n) => {
    if (n + 1 === JOBS) deliveredToAll();
    return { status: 200 };
  });
  rig = await startRedisCluster();
  fleet = await startFleet(
    {
      REDIS_CLUSTER_NODES: rig.seeds.map((s) => `${s.host}:${s.port}`).join(','),
      REDIS_PREFIX: prefix,
      CALLBACK_DEFAULT_URL: receiver.url,
      CALLBACK_ALLOW_HOSTS: '127.0.0.1',
    },
    { instances: 2, channels: CHANNELS, botDelayMs: 50 },
  );
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await rig?.stop();
  await receiver?.close();
});

it(`${JOBS} jobs through 2 instances on a Redis Cluster: one interaction per channel at a time, all COMPLETED, subscribers end on the stored state, one slot`, async () => {
  const urls = fleet.servers.map((s) => s.url);
  const refusals: Refusals = {};
  const runs = await Promise.all(
    Array.from({ length: JOBS }, async (_, i) => {
      const id = await submitJob(urls[i % urls.length]!, refusals);
      return { id, followed: await followJob(urls, id, i + 1) };
    }),
  );

  const stored = await Promise.all(runs.map(({ id }, i) => storedJob(urls[i % urls.length]!, id)));
  expect(stored.map((j) => j.status)).toEqual(runs.map(() => 'COMPLETED'));
  // A subscription ends with the terminal state; the callback's delivery may record itself on the job after that (a later version).
  const terminalOf = (j: JobState | undefined) => j && { id: j.id, status: j.status, code: j.code };
  expect(runs.map(({ followed }) => terminalOf(followed.events.at(-1)))).toEqual(stored.map(terminalOf));
  expect(runs.every(({ followed }, i) => followed.events.at(-1)!.version <= stored[i]!.version)).toBe(true);
  expect(refusals).toEqual({});
  expect(maxInFlight(fleet)).toEqual(Array.from({ length: CHANNELS }, () => 1));
  expect(fleet.accounts.reduce((sum, a) => sum + fleet.simulator.stats(a.channelId).completed, 0)).toBe(JOBS);
  // Each job's callback task, created by the terminal write's script, claimed and delivered by the callback scripts.
  await allDelivered;
  expect(runs.filter(({ id }) => !receiver.requests.some((r) => r.body.includes(id))).map(({ id }) => id)).toEqual([]);

  // Where the keys are: every primary's keys under our tag, and their slots.
  const tag = hashTagOf(prefix);
  const perNode = await Promise.all(
    rig.nodes.map(async (node) => ({ port: node.port, keys: await node.client().keys(`${tag.replace(/[*?[\]\\]/g, '\\$&')}*`) })),
  );
  const holders = perNode.filter((n) => n.keys.length > 0);
  expect(holders.map((n) => n.port)).toEqual([await rig.ownerOf(`${tag}job:x`)]);
  const probe = rig.nodes[0]!.client();
  const slots = new Set(await Promise.all(holders[0]!.keys.map((k) => probe.cluster('KEYSLOT', k))));
  expect(slots.size).toBe(1);
  // Keys the scripts build in Lua from a prefix (jobs, indexes, credits, callback tasks), and the queue's rounds, are among them.
  const kinds = ['job:', 'idx:', 'account:', 'credits:', 'epoch', 'qrounds', 'token-credits:', 'accounts', 'callback:task:'];
  expect(kinds.filter((kind) => !holders[0]!.keys.some((k) => k.startsWith(tag + kind)))).toEqual([]);
  expect(fleet.servers.every((s) => s.child.exitCode === null)).toBe(true);
}, 60_000);

it('the subscriber keepalive on a Cluster probes through the shard subscriber (its probes come back) and leaves a healthy connection alone', async () => {
  const connection = loadConfig({ REDIS_CLUSTER_NODES: `127.0.0.1:${rig.seeds[1]!.port}` }).config.redis.connection!;
  const subscriber = createRedisClient(connection, 'subscriber');
  const commands = createRedisClient(connection, 'commands');
  for (const c of [subscriber, commands]) c.on('error', () => undefined);
  const keys = executorKeys(prefix);
  const events = createRedisEvents(subscriber, { channelOf: keys.event, commandTimeoutMs: 2000, leaseTtlMs: 300, probeId: 'probe-test' });
  let closes = 0;
  subscriber.on('close', () => closes++);
  const probes: string[] = [];
  const fiveProbes = new Promise<void>((resolve) =>
    onMessage(subscriber, (channel, message) => channel === keys.event('keepalive:probe-test') && probes.push(message) === 5 && resolve()),
  );
  await Promise.all([events.connect(), commands.connect()]);
  let deliver: (payload: string) => void = () => undefined;
  const received = new Promise<string>((resolve) => (deliver = resolve));
  await events.subscribe('jobs', (payload) => deliver(payload));
  await fiveProbes;
  await publish(commands, keys.event('jobs'), 'after five probes');
  expect(await received).toBe('after five probes');
  expect(new Set(probes).size).toBe(5);
  expect(closes).toBe(0);
  events.close();
  commands.disconnect();
}, 30_000);
