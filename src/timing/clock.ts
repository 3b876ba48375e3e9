/**
 * Time as a dependency: what reads the time or waits takes a Clock, so a test can drive it instead
 * of sleeping past a delay. `systemClock` is the real one; `createManualClock` is a test's, which
 * only moves when told to (advance) and fires the timers that fall due on the way, in time order.
 *
 * Injected rather than faked process-wide (vitest's fake timers): the code under test here talks to
 * real sockets, Redis and HTTP receivers whose own timers must keep running; a manual clock stops
 * only the time of the part a test is about.
 */
import { setImmediate } from 'node:timers';

/** A timer made by a Clock; only that clock's clearTimeout takes it. */
export interface ClockTimer {
  unref(): ClockTimer;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer | null | undefined): void;
  /** A signal that aborts with a TimeoutError once `ms` have passed. */
  timeoutSignal(ms: number): AbortSignal;
}

/** Resolves after `ms` on `clock`, or at once when `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (timer) => globalThis.clearTimeout(timer as NodeJS.Timeout | undefined),
  timeoutSignal: (ms) => AbortSignal.timeout(ms),
};

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing each timer due on the way at its own time (promise callbacks run between two). */
  advance(ms: number): Promise<void>;
  /** Timers set and not yet fired or cleared. */
  pending(): number;
}

interface ManualTimer extends ClockTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/** Lets promise chains started by a timer run before the next one fires. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createManualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let current = start;
  let seq = 0;
  const timers = new Set<ManualTimer>();
  const next = () => [...timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];

  const clock: ManualClock = {
    now: () => current,
    setTimeout(callback, ms) {
      const timer: ManualTimer = { at: current + Math.max(0, ms), seq: seq++, callback, unref: () => timer };
      timers.add(timer);
      return timer;
    },
    clearTimeout(timer) {
      if (timer) timers.delete(timer as ManualTimer);
    },
    timeoutSignal(ms) {
      const controller = new AbortController();
      clock.setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
      return controller.signal;
    },
    async advance(ms) {
      const target = current + ms;
      await settle();
      for (let timer = next(); timer && timer.at <= target; timer = next()) {
        timers.delete(timer);
        current = timer.at;
        timer.callback();
        await settle();
      }
      current = target;
      await settle();
    },
    pending: () => timers.size,
  };
  return clock;
}
