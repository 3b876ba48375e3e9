/**
 * Keeps a run's channel lease: renews it every third of the TTL, and calls `onLost` when a renewal
 * is refused or when, by this instance's own clock, the lease may have lapsed (the last successful
 * renewal is older than the TTL minus a safety margin) — so a holder cut off from Redis stops acting
 * before anyone else can take the channel.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../timing/clock.js';
import { every } from '../../timing/every.js';
import type { Coordinator } from '../store/port.js';

/** Stop acting this long before the lease could expire, to absorb clock and network jitter. */
const SAFETY_MARGIN_RATIO = 0.2;

export function keepLease(o: {
  coordinator: Pick<Coordinator, 'renew'>;
  channel: string;
  token: string;
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  onLost: () => void;
}): { stop(): void } {
  const { clock } = o;
  let lastRenew = clock.now();
  const stopGuard = every(clock, Math.max(20, Math.floor(o.ttlMs / 10)), () => {
    if (clock.now() > lastRenew + o.ttlMs * (1 - SAFETY_MARGIN_RATIO)) o.onLost();
  });
  const stopRenewing = every(clock, Math.max(50, Math.floor(o.ttlMs / 3)), () => {
    const sentAt = clock.now();
    o.coordinator
      .renew(o.channel, o.token, o.ttlMs)
      .then((ok) => {
        if (ok) lastRenew = sentAt;
        else o.onLost();
      })
      .catch((error: unknown) => o.logger.warn({ err: error }, 'lease renewal failed; will stop acting if it keeps failing'));
  });
  return {
    stop() {
      stopGuard();
      stopRenewing();
    },
  };
}
