import { describe, expect, it } from 'vitest';
import { createManualClock, sleep, systemClock } from '../../src/timing/clock.js';

describe('the manual clock', () => {
  it('moves only when advanced, firing the timers due on the way in time order, each at its own time', async () => {
    const clock = createManualClock(1_000);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    const cleared = clock.setTimeout(() => fired.push(['never', clock.now()]), 150);
    clock.clearTimeout(cleared);
    clock.setTimeout(() => fired.push(['later', clock.now()]), 500);

    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(fired).toEqual([
      ['a', 1_100],
      ['b', 1_200],
    ]);
    expect(clock.now()).toBe(1_250);
    expect(clock.pending()).toBe(1);
  });

  it('fires a timer set by a timer within the same advance, after the microtasks of the first ran', async () => {
    const clock = createManualClock(0);
    const steps: string[] = [];
    clock.setTimeout(() => {
      steps.push('first');
      queueMicrotask(() => {
        steps.push('then');
        clock.setTimeout(() => steps.push('second'), 10);
      });
    }, 10);
    await clock.advance(20);
    expect(steps).toEqual(['first', 'then', 'second']);
  });

  it('times out a signal and ends a sleep only when the time has come', async () => {
    const clock = createManualClock(0);
    const signal = clock.timeoutSignal(400);
    let woke = false;
    const nap = sleep(clock, 300, new AbortController().signal).then(() => (woke = true));
    await clock.advance(299);
    expect(woke).toBe(false);
    await clock.advance(1);
    await nap;
    expect(signal.aborted).toBe(false);
    await clock.advance(100);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('a sleep ends at once when its signal aborts, and leaves no timer behind', async () => {
    const clock = createManualClock(0);
    const stop = new AbortController();
    const nap = sleep(clock, 60_000, stop.signal);
    expect(clock.pending()).toBe(1);
    stop.abort();
    await nap;
    expect(clock.pending()).toBe(0);
  });

  it('the system clock reads the real time', () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
  });
});
