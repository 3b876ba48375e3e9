/**
 * The one bounded wait: `work` gets a signal, and the call settles as `work` does or, once `ms` have
 * passed, as `onTimeout()` does (a value, or a throw), whichever comes first. The signal aborts when
 * the time is up, so work that honours it stops and drops its listeners; work that ignores it cannot
 * hold the caller. The timer is node:timers/promises', cleared when the race is over; not
 * AbortSignal.timeout(), whose timer holds its signal only weakly: a wait on it alone can be
 * collected before it fires, leaving the caller hanging.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, onTimeout: () => T): Promise<T> {
  const timeUp = new AbortController();
  const timer = new AbortController();
  const deadline = sleep(ms, undefined, { signal: timer.signal }).then(() => {
    timeUp.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
    return onTimeout();
  });
  try {
    return await Promise.race([work(timeUp.signal), deadline]);
  } finally {
    timer.abort();
  }
}
