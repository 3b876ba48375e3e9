/**
 * Events over Redis pub/sub: one subscription per event name on a dedicated connection, any number
 * of local listeners. Subscriptions go through src/redis/pubsub.ts (sharded on a Cluster). A
 * subscriber sends nothing, so a dead link (a black-holed peer) would go unnoticed and every event
 * after it be lost silently: a keepalive without an answer renews the connection (./subscriber-
 * keepalive.ts, src/redis/subscriber-connection.ts), and listeners of `onReconnect` re-read what
 * they may have missed.
 */
import type { RedisClient } from '../redis/connect.js';
import { SubscriberConnection } from '../redis/subscriber-connection.js';
import { startSubscriberKeepalive } from './subscriber-keepalive.js';

export interface RedisEvents {
  subscribe(event: string, listener: (payload: string) => void): Promise<() => Promise<void>>;
  onReconnect(listener: () => void): () => void;
  connect(): Promise<void>;
  close(): void;
}

export interface RedisEventsOptions {
  channelOf: (event: string) => string;
  commandTimeoutMs: number;
  leaseTtlMs: number;
  /** Distinguishes this subscriber's keepalive probes from other instances' (Cluster only). */
  probeId: string;
}

export function createRedisEvents(subscriber: RedisClient, options: RedisEventsOptions): RedisEvents {
  const { channelOf } = options;
  const connection = new SubscriberConnection(subscriber, {
    probeChannel: channelOf(`keepalive:${options.probeId}`),
    timeoutMs: options.commandTimeoutMs,
  });
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const acknowledged = new Map<string, Promise<unknown>>();
  const eventOf = new Map<string, string>();
  connection.onMessage((channel, payload) => {
    const event = eventOf.get(channel);
    for (const listener of (event !== undefined ? listeners.get(event) : undefined) ?? []) listener(payload);
  });
  const keepalive = startSubscriberKeepalive(connection, {
    commandTimeoutMs: options.commandTimeoutMs,
    intervalMs: Math.min(5000, Math.max(250, Math.floor(options.leaseTtlMs / 3))),
  });

  return {
    async connect() {
      await connection.connect();
      keepalive.start();
    },
    async subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        eventOf.set(channelOf(event), event);
        acknowledged.set(event, connection.subscribe(channelOf(event)));
      }
      set.add(listener);
      await acknowledged.get(event);
      return async () => {
        const current = listeners.get(event);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(event);
        acknowledged.delete(event);
        eventOf.delete(channelOf(event));
        await connection.unsubscribe(channelOf(event));
      };
    },
    onReconnect: (listener) => connection.onResubscribed(listener),
    close() {
      keepalive.stop();
      listeners.clear();
      connection.close();
    },
  };
}
