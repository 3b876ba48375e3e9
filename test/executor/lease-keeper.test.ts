/** The lease keeper's timing on a manual clock: renewals every third of the TTL, lost by its own clock when they fail. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { keepLease } from '../../src/executor/run/lease-keeper.js';
import { createManualClock } from '../../src/timing/clock.js';

const TTL = 3000;
const logger = pino({ level: 'silent' });

function keeper(renew: () => Promise<boolean>) {
  const clock = createManualClock();
  const renewals: number[] = [];
  let lost = 0;
  const coordinator = {
    renew: async () => {
      renewals.push(clock.now());
      return renew();
    },
  };
  const lease = keepLease({ coordinator, channel: 'c1', token: 't', ttlMs: TTL, clock, logger, onLost: () => (lost += 1) });
  return { clock, renewals, lost: () => lost, lease };
}

describe('lease keeper', () => {
  it('renews every third of the TTL and never reports the lease lost while renewals succeed', async () => {
    const { clock, renewals, lost, lease } = keeper(async () => true);
    const start = clock.now();
    await clock.advance(10 * TTL);
    expect(renewals.map((at) => at - start)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 1000));
    expect(lost()).toBe(0);
    lease.stop();
    expect(clock.pending()).toBe(0);
  });

  it('a renewal the store refuses reports the lease lost at once', async () => {
    const { clock, lost, lease } = keeper(async () => false);
    await clock.advance(999);
    expect(lost()).toBe(0);
    await clock.advance(1);
    expect(lost()).toBeGreaterThan(0);
    lease.stop();
  });

  it('renewals that fail (store unreachable) report the lease lost by its own clock, a safety margin before the TTL', async () => {
    const { clock, lost, lease } = keeper(() => Promise.reject(new Error('unreachable')));
    // The last good renewal is the start: lost once 80% of the TTL passed without one.
    await clock.advance(0.8 * TTL);
    expect(lost()).toBe(0);
    await clock.advance(TTL / 10);
    expect(lost()).toBeGreaterThan(0);
    lease.stop();
  });
});
