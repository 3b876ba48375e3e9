/**
 * The Redis coordinator: shared by every instance. Each change is one Lua script (./lua, loaded by
 * src/redis/scripts.ts) over the keyspace of ../keys.ts. Both connections come from the factory
 * (src/redis/connect.ts: one primary, Sentinel or Cluster): commands over the `commands` role
 * (offline queue off and a command timeout: a lock command queued during an outage and sent later
 * would leave an orphan lease), events over a `subscriber` connection (./events.ts). Scripts
 * publish with the topology's command (SPUBLISH on a Cluster, src/redis/pubsub.ts). Its parts, by
 * concern: ./jobs.ts, ./claims.ts, ./accounts.ts, over ./context.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createRedisClient, isCluster } from '../../../redis/connect.js';
import { ReplyOutOfStep } from '../../../redis/job-json.js';
import { publish } from '../../../redis/pubsub.js';
import { COMMAND_TIMEOUT_MS } from '../../../redis/roles.js';
import type { RedisConnectionConfig } from '../../../redis/settings.js';
import type { CallbackTaskRule, Coordinator, StoreEvents, StoreLife } from '../port.js';
import { redisAccounts, redisCredits } from './accounts.js';
import { guardedByAvailability, resetIfOutOfStep } from './availability.js';
import { redisClaims } from './claims.js';
import { createRedisEvents, type RedisEvents } from './events.js';
import { redisJobs } from './jobs.js';
import { redisStore, type RedisStore } from './context.js';

export interface RedisCoordinatorOptions {
  redis: RedisConnectionConfig;
  prefix: string;
  logger: Logger;
  leaseTtlMs: number;
  /** JOB_RETENTION_DAYS: listing index entries older than this (and a week) are trimmed. Default 31. */
  retentionDays?: number;
  /** Callback tasks created with terminal states. Default: only for jobs with a replyUrl. */
  callbacks?: CallbackTaskRule;
  now?: () => number;
}

const epochIdOf = (raw: unknown): string => {
  const epoch = (typeof raw === 'string' ? JSON.parse(raw) : null) as { id?: unknown; holdUntilMs?: unknown } | null;
  if (typeof epoch?.id !== 'string' || typeof epoch.holdUntilMs !== 'number')
    throw new ReplyOutOfStep('expected the store epoch, got another reply');
  return epoch.id;
};

/** The store's epoch (a data loss), the instances' heartbeats, the connection's health. */
async function redisLife({ commands, keys, scripts, logger }: RedisStore, events: RedisEvents, leaseTtlMs: number): Promise<StoreLife> {
  const ensureEpoch = async (): Promise<string> => {
    // Checked on every reaper pass: the usual case is one GET. Only a missing epoch needs the
    // creating script (it reads Redis's uptime), which keeps the first epoch written if two race.
    const current = await commands.get(keys.epoch);
    if (current) return epochIdOf(current);
    return epochIdOf(await scripts.run('ensure-epoch', [keys.epoch], [randomBytes(8).toString('hex'), leaseTtlMs]));
  };
  /** The epoch this instance works in; a different or missing one means the store lost its data. */
  let knownEpoch = await ensureEpoch();
  return {
    async checkStore() {
      const current = await ensureEpoch();
      const previous = knownEpoch;
      knownEpoch = current;
      if (previous === current) return 'same';
      logger.warn({ previousEpoch: previous, epoch: current }, 'the job store (Redis) lost its data: recovering');
      return 'lost';
    },
    async heartbeat(instance, ttlMs) {
      await commands.set(keys.instance(instance), '1', 'PX', ttlMs);
    },
    isAlive: async (instance) => (await commands.exists(keys.instance(instance))) === 1,
    async ping() {
      // On a Cluster a PING goes to any primary: ask the one that serves the executor's slot.
      const reply = await (isCluster(commands) ? commands.exists(keys.epoch).then(() => 'PONG') : commands.ping()).catch(
        (error: unknown) => {
          resetIfOutOfStep(commands, error);
          return null;
        },
      );
      return reply === 'PONG';
    },
    async close() {
      events.close();
      commands.disconnect();
    },
  };
}

function redisEvents({ commands, keys }: RedisStore, events: RedisEvents): StoreEvents {
  return {
    async publish(event, payload) {
      await publish(commands, keys.event(event), payload);
    },
    subscribe: (event, listener) => events.subscribe(event, listener),
    onReconnect: (listener) => events.onReconnect(listener),
  };
}

export async function createRedisCoordinator(options: RedisCoordinatorOptions): Promise<Coordinator> {
  const { logger } = options;
  const commands = createRedisClient(options.redis, 'commands', { connectionName: 'picsi:executor:commands' });
  const subscriber = createRedisClient(options.redis, 'subscriber', { connectionName: 'picsi:executor:events' });
  for (const [name, conn] of [
    ['commands', commands],
    ['subscriber', subscriber],
  ] as const) {
    conn.on('error', (error: Error) => logger.warn({ err: error.message, connection: name }, 'redis connection error'));
  }
  const store = redisStore(commands, options);
  const events = createRedisEvents(subscriber, {
    channelOf: store.keys.event,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    leaseTtlMs: options.leaseTtlMs,
    probeId: randomBytes(6).toString('hex'),
  });
  await Promise.all([commands.connect(), events.connect()]);
  const coordinator: Coordinator = {
    ...redisJobs(store, options.retentionDays),
    ...redisClaims(store),
    ...redisAccounts(store),
    ...redisCredits(store),
    ...redisEvents(store, events),
    ...(await redisLife(store, events, options.leaseTtlMs)),
  };
  return guardedByAvailability(coordinator, commands, COMMAND_TIMEOUT_MS, ['close', 'onReconnect', 'ping', 'subscribe']);
}
