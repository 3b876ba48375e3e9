/**
 * Notices a subscriber connection that silently died and renews it. Every interval the connection
 * proves it still delivers (a round trip through its subscriptions, see
 * src/redis/subscriber-connection.ts); no answer within the command timeout → renew: on one
 * primary or under Sentinel the socket is dropped and ioredis reconnects, on a Cluster the
 * subscriber is replaced by a fresh one.
 *
 * A connection that stays out of `ready` longer than two command timeouts is renewed too: one
 * stuck in its handshake (no answer, never times out by itself), or a Cluster that does not come
 * back by itself. Renewing a single or Sentinel client without a socket (it is reconnecting) does
 * nothing.
 */
import type { SubscriberConnection } from '../redis/subscriber-connection.js';
import { systemClock, type Clock } from '../timing/clock.js';
import { every } from '../timing/every.js';

export interface SubscriberKeepalive {
  start(): void;
  stop(): void;
}

export interface SubscriberKeepaliveOptions {
  commandTimeoutMs: number;
  intervalMs: number;
  /** Default the system clock. */
  clock?: Clock;
}

export function startSubscriberKeepalive(connection: SubscriberConnection, options: SubscriberKeepaliveOptions): SubscriberKeepalive {
  const clock = options.clock ?? systemClock;
  let inFlight = false;
  let notReadySince: number | null = null;

  const check = () => {
    const { status } = connection.client;
    if (status === 'ready') {
      notReadySince = null;
      if (inFlight) return;
      inFlight = true;
      connection
        .verify()
        .then((answered) => answered || connection.renew())
        .finally(() => (inFlight = false))
        .catch(() => undefined);
    } else if (status !== 'end') {
      notReadySince ??= clock.now();
      if (clock.now() - notReadySince > 2 * options.commandTimeoutMs) {
        notReadySince = null;
        connection.renew();
      }
    }
  };
  let stop: (() => void) | null = null;
  return {
    start() {
      stop ??= every(clock, options.intervalMs, check, { unref: true });
    },
    stop() {
      stop?.();
      stop = null;
    },
  };
}
