/**
 * Events over Redis pub/sub: one subscription per event name on a dedicated connection, any number
 * of local listeners. A subscriber sends nothing, so a dead link (a black-holed peer) would go
 * unnoticed and every event after it be lost silently: a PING without an answer replaces the
 * connection, and listeners of `onReconnect` re-read what they may have missed.
 */
import { Redis } from 'ioredis';
import { resetConnection, withDeadline } from './redis-availability.js';

const SUBSCRIBER_PING_MAX_MS = 5000;

export interface RedisEvents {
  subscribe(event: string, listener: (payload: string) => void): Promise<() => Promise<void>>;
  onReconnect(listener: () => void): () => void;
  connect(): Promise<void>;
  close(): void;
}

export function createRedisEvents(subscriber: Redis, options: { channelOf: (event: string) => string; commandTimeoutMs: number; leaseTtlMs: number }): RedisEvents {
  const { channelOf, commandTimeoutMs } = options;
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const acknowledged = new Map<string, Promise<unknown>>();
  const eventOf = new Map<string, string>();
  subscriber.on('message', (channel: string, payload: string) => {
    const event = eventOf.get(channel);
    for (const listener of (event !== undefined ? listeners.get(event) : undefined) ?? []) listener(payload);
  });
  const reconnectListeners = new Set<() => void>();

  // A reconnect whose ready check got no answer waits forever too: it is replaced the same way.
  let stuckSince: number | null = null;
  const keepalive = setInterval(() => {
    if (subscriber.status === 'ready') {
      stuckSince = null;
      withDeadline(subscriber.ping(), commandTimeoutMs).catch(() => resetConnection(subscriber));
    } else if (subscriber.status === 'connect' || subscriber.status === 'connecting') {
      stuckSince ??= Date.now();
      if (Date.now() - stuckSince > 2 * commandTimeoutMs) {
        stuckSince = null;
        resetConnection(subscriber);
      }
    } else {
      stuckSince = null;
    }
  }, Math.min(SUBSCRIBER_PING_MAX_MS, Math.max(250, Math.floor(options.leaseTtlMs / 3))));
  keepalive.unref();

  return {
    async connect() {
      await subscriber.connect();
      // Registered after the first connect: every 'ready' from here on is a reconnect.
      subscriber.on('ready', () => {
        for (const listener of reconnectListeners) listener();
      });
    },
    async subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        eventOf.set(channelOf(event), event);
        acknowledged.set(event, subscriber.subscribe(channelOf(event)));
      }
      set.add(listener);
      await acknowledged.get(event);
      return async () => {
        const current = listeners.get(event);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(event);
        acknowledged.delete(event);
        eventOf.delete(channelOf(event));
        if (subscriber.status === 'ready') await subscriber.unsubscribe(channelOf(event));
      };
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    close() {
      clearInterval(keepalive);
      listeners.clear();
      reconnectListeners.clear();
      subscriber.disconnect();
    },
  };
}
