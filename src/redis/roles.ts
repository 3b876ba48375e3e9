/**
 * What each kind of Redis connection needs, whatever the topology:
 *
 * - `commands`: lock and job-state commands. No offline queue and a command timeout: a lock command
 *   queued while Redis is unreachable and sent later would leave an orphan lease. The socket timeout
 *   drops a black-holed link instead of leaving replies out of step with timed-out commands.
 * - `subscriber`: pub/sub only. Retries forever, its SUBSCRIBEs wait for the connection.
 * - `callbacks`: the callback delivery store; queued commands are fine (its scripts are idempotent
 *   per token). A command waits out about 3 s of reconnecting (10 attempts), then fails and the
 *   dispatcher's next pass retries.
 */
import type { RedisOptions } from 'ioredis';

export type RedisRole = 'commands' | 'subscriber' | 'callbacks';

export const COMMAND_TIMEOUT_MS = 2000;

/**
 * A connection still talking to a demoted primary (Sentinel failed over, the old primary came back
 * as a replica) gets READONLY for every write: reconnect, which asks the sentinels for the new one.
 * `resend` retries the refused command on the new connection (it was not applied), otherwise the
 * caller sees the READONLY error and decides.
 */
const reconnectOnReadonly = (resend: boolean) => (error: Error) => (/^READONLY\b/.test(error.message) ? (resend ? 2 : 1) : false);

export interface RoleOptions {
  /** Applied to each connection (for a Cluster: to each node's). */
  node: Pick<RedisOptions, 'commandTimeout' | 'socketTimeout' | 'maxRetriesPerRequest' | 'reconnectOnError'>;
  /** For a single or Sentinel connection, and the Cluster's own offline queue. */
  enableOfflineQueue: boolean;
  /** Cluster: SSUBSCRIBE connections to each shard's primary (sharded pub/sub, see ./pubsub.ts). */
  shardedSubscribers: boolean;
}

export const ROLE_OPTIONS: Record<RedisRole, RoleOptions> = {
  commands: {
    node: {
      commandTimeout: COMMAND_TIMEOUT_MS,
      socketTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      reconnectOnError: reconnectOnReadonly(false),
    },
    enableOfflineQueue: false,
    shardedSubscribers: false,
  },
  subscriber: {
    node: { maxRetriesPerRequest: null, reconnectOnError: reconnectOnReadonly(false) },
    enableOfflineQueue: true,
    shardedSubscribers: true,
  },
  callbacks: {
    node: { maxRetriesPerRequest: 10, reconnectOnError: reconnectOnReadonly(true) },
    enableOfflineQueue: true,
    shardedSubscribers: false,
  },
};

/** Reconnect delays (ms) for every topology: quick at first, never giving up, at most 2 s apart. */
export const retryDelay = (attempt: number): number => Math.min(50 * attempt, 2000);
