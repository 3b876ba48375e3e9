/**
 * A Sentinel client's reconnect after it lost its primary: it asks the sentinels for the primary
 * again (the lookup), then connects. Interrupting the lookup ends an ioredis 5 client for good
 * (status `end`: it never reconnects, every call fails "Connection is closed."). Under CPU load the
 * lookup takes tens of milliseconds instead of one or two, and two interruptions landed in it: a
 * reset of ours, and ioredis's own failover detector of the closed socket. Each is held open here
 * by stopping the sentinels (SIGSTOP), so the interruption lands in the lookup every time.
 */
import { once } from 'node:events';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { resetConnection } from '../../src/executor/store/redis/availability.js';
import { createRedisClient, type RedisClient, type RedisClientOverrides } from '../../src/redis/connect.js';
import type { RedisRole } from '../../src/redis/roles.js';
import type { RedisProcess } from '../helpers/redis-process.js';
import { startRedisSentinel, type RedisSentinelRig } from '../helpers/redis-sentinel.js';

const rigs: RedisSentinelRig[] = [];
const clients: RedisClient[] = [];

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(rigs.map((r) => r.stop()));
});

async function connected(role: RedisRole, overrides: RedisClientOverrides = {}): Promise<{ rig: RedisSentinelRig; client: RedisClient }> {
  const rig = await startRedisSentinel();
  rigs.push(rig);
  const env = { REDIS_SENTINELS: rig.endpoints.map((e) => `${e.host}:${e.port}`).join(','), REDIS_SENTINEL_NAME: rig.name };
  const client = createRedisClient(loadConfig(env).config.redis.connection!, role, { connectionName: `test-${role}`, ...overrides });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return { rig, client };
}

/**
 * Resolves on the client's next `ready`; rejects if it ends instead (it would never come back).
 * Not events.once: the errors a reconnect reports on the way must not reject it.
 */
const readyAgain = (client: RedisClient) =>
  new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('end', () => reject(new Error('the client ended instead of reconnecting')));
  });

/** Once subscribed, `switched` resolves on the sentinel's next +switch-master. */
async function nextSwitch(sentinel: RedisProcess): Promise<{ switched: Promise<void> }> {
  const watcher = sentinel.client();
  const switched = new Promise<void>((resolve) => watcher.once('message', () => resolve()));
  await watcher.subscribe('+switch-master');
  return { switched };
}

const portOf = async (c: RedisClient) => Number(/tcp_port:(\d+)/.exec(await c.info('server'))?.[1]);

it('a reset while the client asks the sentinels for the primary leaves it reconnecting: it comes back once they answer', async () => {
  const { rig, client } = await connected('commands');
  await Promise.all(rig.sentinels.map((s) => s.signal('SIGSTOP')));
  const lookingUp = once(client, 'connecting');
  // The primary closes the client's connection; the client asks the (stopped) sentinels where it is.
  await rig.primary.client().client('KILL', 'TYPE', 'normal');
  await lookingUp;
  // What a failed call (or the subscriber keepalive) does: there is no socket to drop yet.
  resetConnection(client);
  const back = readyAgain(client);
  await Promise.all(rig.sentinels.map((s) => s.signal('SIGCONT')));
  await back;
  expect(await client.set('{picsi}:after-reset', '1')).toBe('OK');
}, 30_000);

it('a +switch-master reaching the failover detector of the closed socket during the lookup leaves the client reconnecting: it follows the promoted replica', async () => {
  // A lookup that waits for the stopped sentinel instead of moving on after the command timeout,
  // so it is still waiting when the failover is announced.
  const { rig, client } = await connected('commands', { commandTimeoutMs: 60_000 });
  // The next lookup asks first the sentinel that answered the last one: the first.
  const [asked, ...running] = rig.sentinels as [RedisProcess, ...RedisProcess[]];
  const announced = await Promise.all(running.map(nextSwitch));
  await asked.signal('SIGSTOP');
  const lookingUp = once(client, 'connecting');
  await rig.primary.signal('SIGKILL');
  await lookingUp;
  // Both running sentinels announced it: the detector (subscribed to them too) had its message.
  await Promise.all(announced.map((a) => a.switched));
  const back = readyAgain(client);
  await asked.signal('SIGCONT');
  await back;
  expect(await portOf(client)).toBe(rig.replica.port);
}, 30_000);

it('a sentinel that stops answering does not hold up a subscriber looking up the primary: it asks the next one', async () => {
  const { rig, client } = await connected('subscriber');
  await rig.sentinels[0]!.signal('SIGSTOP');
  const back = readyAgain(client);
  await rig.primary.client().client('KILL', 'TYPE', 'normal');
  await back;
  expect(await portOf(client)).toBe(rig.primary.port);
}, 30_000);
