/**
 * createRedisClient against real Sentinel deployments (primary, replica, 3 sentinels each): the
 * primary is SIGKILLed under a steady write loop; the clients follow the promoted replica.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRedisClient, type RedisClient } from '../../src/redis/connect.js';
import { onMessage, onResubscribed, publish, subscribe } from '../../src/redis/pubsub.js';
import type { RedisRole } from '../../src/redis/roles.js';
import { reportFailover, writeThroughFailover } from '../helpers/failover-writes.js';
import { until, type RedisProcess } from '../helpers/redis-process.js';
import { startRedisSentinel, type Failover, type RedisSentinelRig } from '../helpers/redis-sentinel.js';

const rigs: RedisSentinelRig[] = [];
const clients: RedisClient[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let stopped = false;

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  stopped = true;
  process.off('unhandledRejection', onUnhandled);
  for (const c of clients) c.disconnect();
  await Promise.all(rigs.map((r) => r.stop()));
});

async function sentinelRig(): Promise<RedisSentinelRig> {
  const rig = await startRedisSentinel();
  rigs.push(rig);
  return rig;
}

function client(env: Record<string, string>, role: RedisRole): RedisClient {
  const created = createRedisClient(loadConfig(env).config.redis.connection!, role, { connectionName: `test-${role}` });
  created.on('error', () => undefined);
  clients.push(created);
  return created;
}
const sentinelEnv = (rig: RedisSentinelRig) => ({
  REDIS_SENTINELS: rig.endpoints.map((e) => `${e.host}:${e.port}`).join(','),
  REDIS_SENTINEL_NAME: rig.name,
});
const portOf = async (c: RedisClient) => Number(/tcp_port:(\d+)/.exec(await c.info('server'))?.[1]);

it('a commands connection that meets a replica (READONLY) drops and reconnects instead of staying on it', async () => {
  const rig = await sentinelRig();
  const onReplica = client({ REDIS_URL: `redis://127.0.0.1:${rig.replica.port}` }, 'commands');
  await onReplica.connect();
  const reconnecting = once(onReplica, 'reconnecting');
  await expect(onReplica.set('{picsi}:x', '1')).rejects.toThrow(/^READONLY/);
  await reconnecting;
}, 60_000);

it('SIGKILL of the primary under a write loop confirmed by WAIT, the replica lagging: clients follow the promoted replica, writes and pub/sub resume, no write WAIT confirmed is lost', async () => {
  const rig = await sentinelRig();
  const commands = client(sentinelEnv(rig), 'commands');
  const subscriber = client(sentinelEnv(rig), 'subscriber');
  await Promise.all([commands.connect(), subscriber.connect()]);
  expect(await portOf(commands)).toBe(rig.primary.port);
  await subscribe(subscriber, '{picsi}:events');
  let resubscribed = 0;
  onResubscribed(subscriber, () => resubscribed++);

  let failover: Failover | undefined;
  const run = await writeThroughFailover({
    client: commands,
    burst: 20,
    wait: true,
    valueBytes: 1024,
    failoverAfter: 2000,
    writesAfterFailover: 200,
    stopped: () => stopped,
    failover: async (progress) => void (failover = await rig.killPrimaryAndAwaitFailover({ whileReplicaPaused: () => progress(200) })),
  });
  expect(failover!.primary.port).toBe(rig.replica.port);
  expect(await portOf(commands)).toBe(rig.replica.port);
  const report = await reportFailover(run, failover!.primary.client());
  console.log('failover with WAIT 1 100 after each burst of 20:', JSON.stringify({ failoverMs: failover!.elapsedMs, ...report }));
  expect(report.confirmedLost).toBe(0);
  expect(report.confirmedByWait).toBeGreaterThanOrEqual(2000);
  expect(report.resumedAfterSwitchMs).not.toBeNull();

  // The subscriber re-subscribed on the new primary: a message published there arrives.
  const delivered = new Promise<void>((resolve) => onMessage(subscriber, (_channel, message) => message === 'after-failover' && resolve()));
  await expect.poll(() => publish(commands, '{picsi}:events', 'after-failover').catch(() => 0), { timeout: 10_000, interval: 100 }).toBe(1);
  await delivered;
  expect(resubscribed).toBeGreaterThanOrEqual(1);
  expect(unhandled).toEqual([]);
}, 120_000);

it('SIGKILL of the primary under pipelined bursts without WAIT: writes resume; what the primary acknowledged before the replica had it is lost (asynchronous replication), counted', async () => {
  const rig = await sentinelRig();
  const commands = client(sentinelEnv(rig), 'commands');
  await commands.connect();
  let failover: Failover | undefined;
  const run = await writeThroughFailover({
    client: commands,
    burst: 200,
    wait: false,
    valueBytes: 1024,
    failoverAfter: 10_000,
    writesAfterFailover: 200,
    stopped: () => stopped,
    failover: async (progress) => void (failover = await rig.killPrimaryAndAwaitFailover({ whileReplicaPaused: () => progress(10_000) })),
  });
  expect(await portOf(commands)).toBe(failover!.primary.port);
  const report = await reportFailover(run, failover!.primary.client());
  console.log('failover without WAIT, bursts of 200:', JSON.stringify({ failoverMs: failover!.elapsedMs, ...report }));
  expect(report.writesAcknowledged).toBeGreaterThanOrEqual(20_000);
  expect(report.resumedAfterSwitchMs).not.toBeNull();
  expect(unhandled).toEqual([]);
}, 120_000);

it('a primary that stops answering (SIGSTOP) is replaced; its clients move to the promoted replica, and once it resumes as a replica it refuses writes (READONLY)', async () => {
  const rig = await sentinelRig();
  const commands = client(sentinelEnv(rig), 'commands');
  await commands.connect();
  let failover: (Failover & { old: RedisProcess }) | undefined;
  const run = await writeThroughFailover({
    client: commands,
    burst: 1,
    wait: false,
    failoverAfter: 100,
    writesAfterFailover: 20,
    stopped: () => stopped,
    failover: async () => void (failover = await rig.pausePrimaryAndAwaitFailover()),
  });
  expect(await portOf(commands)).toBe(rig.replica.port);
  const report = await reportFailover(run, failover!.primary.client());
  console.log('failover of a stopped primary:', JSON.stringify({ failoverMs: failover!.elapsedMs, ...report }));

  await failover!.old.signal('SIGCONT');
  const demoted = failover!.old.client();
  await until(async () => (await demoted.info('replication')).includes('role:slave'), 'the old primary demoted to a replica');
  await expect(demoted.set('{picsi}:late', '1')).rejects.toThrow(/^READONLY/);
  expect(await commands.set('{picsi}:after', '1')).toBe('OK');
  expect(await portOf(commands)).toBe(rig.replica.port);
  expect(unhandled).toEqual([]);
}, 120_000);
