/** createRedisClient's roles on one primary (a private redis-server): what each does when Redis goes away and comes back. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRedisEvents } from '../../src/executor/store/redis/events.js';
import { createRedisClient, isCluster, type RedisClient } from '../../src/redis/connect.js';
import { onMessage, onResubscribed, publish, publishCommand, subscribe } from '../../src/redis/pubsub.js';
import type { RedisRole } from '../../src/redis/roles.js';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { freePort } from '../helpers/redis-server.js';

const PASSWORD = 'test-password-123';
let port: number;
let server: RedisProcess;
const clients: RedisClient[] = [];

const launch = () =>
  startRedisProcess(port, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD], {
    password: PASSWORD,
  });

beforeAll(async () => {
  port = await freePort();
  server = await launch();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

/** REDIS_URL without a password plus REDIS_PASSWORD: the factory must send it, or every command fails NOAUTH. */
async function connected(role: RedisRole): Promise<RedisClient> {
  const connection = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PASSWORD: PASSWORD }).config.redis.connection!;
  const client = createRedisClient(connection, role, { connectionName: `picsi-${role}` });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

it('single mode: a plain Redis client, authenticated with REDIS_PASSWORD, named, publishing with PUBLISH', async () => {
  const client = await connected('commands');
  expect(isCluster(client)).toBe(false);
  expect(publishCommand(client)).toBe('PUBLISH');
  expect(await client.client('GETNAME')).toBe('picsi-commands');
  expect(await client.set('{picsi}:k', 'v')).toBe('OK');
});

it('while Redis is down, a commands call fails at once (no offline queue) and a callbacks call waits and succeeds once Redis is back', async () => {
  const [commands, callbacks] = await Promise.all([connected('commands'), connected('callbacks')]);
  await server.stop();
  await expect(commands.set('{picsi}:down', '1')).rejects.toThrow(/enableOfflineQueue/);
  const queued = callbacks.set('{picsi}:queued', '1');
  server = await launch();
  await expect(queued).resolves.toBe('OK');
  expect(await server.client().get('{picsi}:queued')).toBe('1');
});

it('the subscriber reconnects and re-subscribes after a restart, and says so (onResubscribed)', async () => {
  const [subscriber, commands] = await Promise.all([connected('subscriber'), connected('commands')]);
  const channel = '{picsi}:events';
  await subscribe(subscriber, channel);
  const resubscribed = new Promise<void>((resolve) => onResubscribed(subscriber, resolve));
  await server.stop();
  server = await launch();
  await resubscribed;

  const received = new Promise<string>((resolve) => onMessage(subscriber, (_channel, message) => resolve(message)));
  // Ready may precede the re-sent SUBSCRIBE by a round trip: publish until it is counted.
  await expect.poll(() => publish(commands, channel, 'after-restart').catch(() => 0), { timeout: 5000, interval: 50 }).toBe(1);
  expect(await received).toBe('after-restart');
});

it('redis-events tells its reconnect listeners once the subscriptions are live again: a message published from the listener arrives', async () => {
  const callbacks = await connected('callbacks');
  const connection = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PASSWORD: PASSWORD }).config.redis.connection!;
  const subscriber = createRedisClient(connection, 'subscriber');
  subscriber.on('error', () => undefined);
  const events = createRedisEvents(subscriber, {
    channelOf: (e) => `{picsi}:${e}`,
    commandTimeoutMs: 2000,
    leaseTtlMs: 15_000,
    probeId: 'live',
  });
  await events.connect();
  const received: string[] = [];
  await events.subscribe('jobs', (payload) => received.push(payload));
  // Published the moment the listener is told (the callbacks role queues it until its own reconnect).
  const counted = new Promise<number>((resolve) => events.onReconnect(() => resolve(publish(callbacks, '{picsi}:jobs', 'on-reconnect'))));
  await server.stop();
  server = await launch();
  expect(await counted).toBe(1);
  await expect.poll(() => received).toEqual(['on-reconnect']);
  events.close();
});
