/** The fenced write's retries (run outcomes and result copies) on a manual clock: backoff between tries, and the window's end. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/model.js';
import { writeRetrying } from '../../src/executor/store-retry.js';
import { createManualClock } from '../../src/timing/clock.js';

const logger = pino({ level: 'silent' });
const WINDOW_MS = 5 * 60_000;

describe('writeRetrying', () => {
  it('tries again after a backoff of 250 ms to 4 s of the clock, and gives up once the five-minute window is over', async () => {
    const clock = createManualClock();
    const start = clock.now();
    const tries: number[] = [];
    const outcome = writeRetrying(
      () => {
        tries.push(clock.now() - start);
        return Promise.reject(new Error('store unreachable'));
      },
      clock,
      logger,
    ).catch((error: unknown) => error);
    await clock.advance(WINDOW_MS + 4000);
    expect(await outcome).toMatchObject({ message: 'store unreachable' });
    expect(tries[0]).toBe(0);
    const gaps = tries.slice(1).map((at, i) => at - tries[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(4000);
    expect(tries.at(-1)!).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(tries.at(-2)!).toBeLessThan(WINDOW_MS);
  });

  it('lands the write once the store answers, without waiting longer than the backoff', async () => {
    const clock = createManualClock();
    const job = { id: 'j1' } as Job;
    let calls = 0;
    let landed: Job | null = null;
    const written = writeRetrying(() => (++calls < 3 ? Promise.reject(new Error('down')) : Promise.resolve(job)), clock, logger).then(
      (value) => (landed = value),
    );
    await clock.advance(500 + 1000);
    await written;
    expect(landed).toBe(job);
    expect(calls).toBe(3);
    expect(clock.pending()).toBe(0);
  });
});
