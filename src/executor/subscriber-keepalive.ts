/**
 * Notices a subscriber connection that silently died and replaces it.
 *
 * - One primary / Sentinel: a PING on the subscribed connection itself; no answer within the
 *   command timeout → reset.
 * - Cluster: the subscriptions live on per-shard subscriber connections that a PING on the Cluster
 *   object never reaches (it goes to a pooled node connection). Instead a probe message is
 *   published on a channel of our own under the executor's hash tag, so it travels through the very
 *   shard subscriber that carries the events; if it does not come back in time → reset (the
 *   Cluster reconnects and re-subscribes every shard).
 *
 * Either way a connection stuck in its handshake (no answer, never times out by itself) is reset
 * after two command timeouts.
 */
import { randomBytes } from 'node:crypto';
import { isCluster, type RedisClient } from '../redis/connect.js';
import { onMessage, publish, subscribe } from '../redis/pubsub.js';
import { resetConnection, withDeadline } from './redis-availability.js';

export interface SubscriberKeepalive {
  /** Call once connected (subscribes the probe channel on a Cluster). */
  start(): Promise<void>;
  stop(): void;
}

export interface SubscriberKeepaliveOptions {
  probeChannel: string;
  commandTimeoutMs: number;
  intervalMs: number;
}

export function startSubscriberKeepalive(subscriber: RedisClient, options: SubscriberKeepaliveOptions): SubscriberKeepalive {
  const { commandTimeoutMs } = options;
  const probe = isCluster(subscriber)
    ? clusterProbe(subscriber, options.probeChannel)
    : { subscribe: async () => {}, send: () => subscriber.ping() };
  let inFlight = false;
  let stuckSince: number | null = null;

  const check = () => {
    if (subscriber.status === 'ready') {
      stuckSince = null;
      if (inFlight) return;
      inFlight = true;
      withDeadline(probe.send(), commandTimeoutMs)
        .catch(() => resetConnection(subscriber))
        .finally(() => (inFlight = false));
    } else if (subscriber.status === 'connect' || subscriber.status === 'connecting') {
      stuckSince ??= Date.now();
      if (Date.now() - stuckSince > 2 * commandTimeoutMs) {
        stuckSince = null;
        resetConnection(subscriber);
      }
    } else {
      stuckSince = null;
    }
  };
  let timer: NodeJS.Timeout | null = null;
  return {
    async start() {
      await probe.subscribe();
      timer ??= setInterval(check, options.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** Publishes a fresh nonce and resolves when it comes back through the shard subscriber. */
function clusterProbe(subscriber: RedisClient, channel: string): { subscribe: () => Promise<void>; send: () => Promise<unknown> } {
  const waiting = new Map<string, () => void>();
  // Lives as long as the subscriber (closed with it).
  onMessage(subscriber, (from, message) => {
    if (from === channel) waiting.get(message)?.();
  });
  return {
    subscribe: () => subscribe(subscriber, channel),
    send: async () => {
      const nonce = randomBytes(6).toString('hex');
      const back = new Promise<void>((resolve) => waiting.set(nonce, resolve));
      try {
        await publish(subscriber, channel, nonce);
        await back;
      } finally {
        waiting.delete(nonce);
      }
    },
  };
}
