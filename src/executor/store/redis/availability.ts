/**
 * Redis outages as the client sees them. The command connection has no offline queue (a lock
 * command sent long after it was issued would leave an orphan lease), so a call made while it
 * reconnects waits a bounded moment for it, and a call that still cannot reach Redis becomes a
 * typed SERVICE_UNAVAILABLE instead of a masked internal error.
 */
import { ReplyError } from 'ioredis';
import { AppError } from '../../../errors.js';
import { isCluster, type RedisClient } from '../../../redis/connect.js';
import { dropNodeConnections, resetSocket } from '../../../redis/reconnect.js';
import { withinMs, withTimeout } from '../../../timing/timeout.js';

/** Seconds a client should wait before retrying while Redis is unreachable. */
export const REDIS_RETRY_AFTER_SECONDS = 1;

/** Resolves once `connection` is ready, or after `timeoutMs` (the call then fails on its own). */
export async function untilReady(connection: RedisClient, timeoutMs: number): Promise<void> {
  if (connection.status === 'ready' || connection.status === 'end') return;
  const ready = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      connection.once('ready', resolve);
      signal.addEventListener('abort', () => connection.off('ready', resolve), { once: true });
    });
  await withTimeout(timeoutMs, ready, () => undefined);
}

/** Replies Redis gives while it cannot serve yet (loading its AOF, a busy script, a failover). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN)\b/;

/** Any other Redis reply error is a bug of ours (a script or command error), not an outage. */
export function toServiceUnavailable(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof ReplyError && !TRANSIENT_REPLY.test((error as Error).message)) return error;
  return new AppError(
    'SERVICE_UNAVAILABLE',
    'The job store (Redis) is unreachable; retry shortly',
    { retryAfter: REDIS_RETRY_AFTER_SECONDS },
    { cause: error },
  );
}

/**
 * Errors after which replies on the connection may no longer match their commands. A command that
 * timed out stays in ioredis's reply queue; if its reply was lost (a black-holed link), every later
 * reply is matched to the command before it, and a lease renewal could read another command's
 * answer. A reply of the wrong shape (unparseable, NOSCRIPT for a plain command) is the symptom.
 */
function mayBeOutOfStep(error: unknown): boolean {
  if (error instanceof AppError) return false;
  if (error instanceof ReplyError) return /^NOSCRIPT\b/.test((error as Error).message);
  return true;
}

/** After a failed call: resets the connection when its replies may no longer match its commands. */
export function resetIfOutOfStep(connection: RedisClient, error: unknown): void {
  if (mayBeOutOfStep(error)) resetConnection(connection);
}

/**
 * Every call ends within this many command timeouts, whatever state the client is in (a connection
 * stuck in its ready check with a black-holed peer never answers and never times out by itself).
 */
const CALL_DEADLINE_FACTOR = 2;

class CallDeadlineExceeded extends Error {
  override readonly name = 'CallDeadlineExceeded';
}

export function withDeadline<T>(call: Promise<T>, ms: number): Promise<T> {
  return withinMs(ms, call, () => {
    throw new CallDeadlineExceeded(`no answer from Redis within ${ms} ms`);
  });
}

/**
 * Drops the connection (everything pending on it fails) and starts a fresh one, in step again.
 * Once per socket: the failures of the commands it flushes do not reset the next socket. A Cluster
 * keeps its own state: its node connections are dropped (each once) and reopened on demand. A
 * client between sockets is left alone. Why not `disconnect(true)` everywhere: src/redis/reconnect.ts.
 */
export function resetConnection(connection: RedisClient): void {
  if (isCluster(connection)) dropNodeConnections(connection);
  else resetSocket(connection);
}

type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : T[K] };

/**
 * Wraps every async method of `target` (except those in `exempt`) so it waits for the connection
 * and reports an outage as SERVICE_UNAVAILABLE.
 */
export function guardedByAvailability<T extends object>(
  target: T,
  connection: RedisClient,
  waitMs: number,
  exempt: readonly (keyof T)[],
): AsyncMethods<T> {
  const guarded = { ...target } as Record<keyof T, unknown>;
  for (const key of Object.keys(target) as (keyof T)[]) {
    const method = target[key];
    if (typeof method !== 'function' || exempt.includes(key)) continue;
    guarded[key] = async (...args: unknown[]) => {
      await untilReady(connection, waitMs);
      try {
        return await withDeadline((method as (...a: unknown[]) => Promise<unknown>).apply(target, args), CALL_DEADLINE_FACTOR * waitMs);
      } catch (error) {
        resetIfOutOfStep(connection, error);
        throw toServiceUnavailable(error);
      }
    };
  }
  return guarded as AsyncMethods<T>;
}
