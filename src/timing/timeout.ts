/**
 * The one bounded wait: `work` gets a signal, and the call settles as `work` does or, once `ms` have
 * passed, as `onTimeout()` does (a value, or a throw), whichever comes first. The signal aborts when
 * the time is up, so work that honours it stops and drops its listeners; work that ignores it cannot
 * hold the caller. The timer is a plain (ref'd) node:timers one, cleared when the race is over: not
 * AbortSignal.timeout(), whose timer holds its signal only weakly (a wait on it alone can be
 * collected before it fires, leaving the caller hanging), and not node:timers/promises' abortable
 * sleep, whose cancellation builds an AbortError and a DOMException (two stack traces) on every call
 * that finishes in time: every Redis call goes through here (src/executor/store/redis/availability.ts).
 * node:timers, not the globals: tests' fake timers do not stop these deadlines.
 */
import { clearTimeout, setTimeout } from 'node:timers';

export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, onTimeout: () => T): Promise<T> {
  const timeUp = new AbortController();
  return withinMs(ms, work(timeUp.signal), () => {
    timeUp.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
    return onTimeout();
  });
}

/** `withTimeout` for work already started that takes no signal (no AbortController made). */
export async function withinMs<T>(ms: number, work: Promise<T>, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))).then(onTimeout);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
