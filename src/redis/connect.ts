/**
 * The one place Redis connections are made. Every Redis user asks for a client by role (see
 * ./roles.ts) and gets the same behaviour on one primary, a Sentinel-managed primary or a Cluster:
 *
 * - single: `new Redis(url)`.
 * - Sentinel: the sentinels name the current primary; `role: 'master'` checks the node's role after
 *   connecting (a stale answer is retried), the failover detector drops the connection on
 *   `+switch-master`, and a READONLY reply (still on the demoted primary) reconnects. Nothing may
 *   interrupt the lookup of the primary (./reconnect.ts).
 * - Cluster: seeds only; MOVED/ASK are followed by ioredis, every command goes to the slot's
 *   primary (`scaleReads: 'master'`). A script's keys and a pipeline's or MULTI's keys must share
 *   one slot: use one hash tag (`{picsi}:…`).
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { releaseFailoverDetectorOnClose } from './reconnect.js';
import { COMMAND_TIMEOUT_MS, ROLE_OPTIONS, retryDelay, type RedisRole } from './roles.js';
import type { RedisAuth, RedisConnectionConfig } from './settings.js';

/**
 * What every caller gets. Both share the command API (commands, defineCommand, multi, pipeline,
 * publish/subscribe events); use ./pubsub.ts for pub/sub so the right commands are chosen per mode.
 */
export type RedisClient = Redis | Cluster;

export interface RedisClientOverrides {
  /** Shown in CLIENT LIST, e.g. `picsi:commands:instance-1`. */
  connectionName?: string;
  /** Default true: the caller connects (`await client.connect()`) once its error listener is on. */
  lazyConnect?: boolean;
  /** Replaces the role's command timeout (and socket timeout, where the role has one). */
  commandTimeoutMs?: number;
}

export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;

export function createRedisClient(config: RedisConnectionConfig, role: RedisRole, overrides: RedisClientOverrides = {}): RedisClient {
  const roleOptions = ROLE_OPTIONS[role];
  const timeouts = overrides.commandTimeoutMs === undefined ? {} : timeoutOverride(roleOptions.node, overrides.commandTimeoutMs);
  const node: RedisOptions = {
    ...roleOptions.node,
    ...timeouts,
    ...credentials(config.auth),
    ...(overrides.connectionName ? { connectionName: overrides.connectionName } : {}),
  };
  const lazyConnect = overrides.lazyConnect ?? true;
  const connection = { enableOfflineQueue: roleOptions.enableOfflineQueue, lazyConnect, retryStrategy: retryDelay };

  switch (config.mode) {
    case 'single':
      // Options given here win over the URL's: only credentials the URL does not carry are set (see settings.ts).
      return new Redis(config.url, { ...node, ...connection });
    case 'sentinel': {
      const client = new Redis({
        ...node,
        ...connection,
        ...(config.auth.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        sentinels: config.sentinels,
        name: config.name,
        role: 'master',
        db: config.db,
        ...(config.sentinelPassword ? { sentinelPassword: config.sentinelPassword } : {}),
        failoverDetector: true,
        sentinelRetryStrategy: retryDelay,
        sentinelReconnectStrategy: retryDelay,
        // Every role: a sentinel that stops answering would hold the lookup of the primary forever.
        sentinelCommandTimeout: node.commandTimeout ?? COMMAND_TIMEOUT_MS,
      });
      releaseFailoverDetectorOnClose(client);
      return client;
    }
    case 'cluster': {
      const options: ClusterOptions = {
        redisOptions: { ...node, ...(config.auth.tls ? { tls: {} } : {}) },
        scaleReads: 'master',
        enableOfflineQueue: roleOptions.enableOfflineQueue,
        lazyConnect,
        shardedSubscribers: roleOptions.shardedSubscribers,
        clusterRetryStrategy: retryDelay,
      };
      return new Cluster(config.nodes, options);
    }
  }
}

function credentials(auth: RedisAuth): Pick<RedisOptions, 'username' | 'password'> {
  return { ...(auth.username ? { username: auth.username } : {}), ...(auth.password ? { password: auth.password } : {}) };
}

function timeoutOverride(node: RedisOptions, ms: number): Pick<RedisOptions, 'commandTimeout' | 'socketTimeout'> {
  return node.socketTimeout === undefined ? { commandTimeout: ms } : { commandTimeout: ms, socketTimeout: ms };
}
