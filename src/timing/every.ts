/** setInterval on a Clock: `fn` every `ms` until the returned stop is called. */
import type { Clock, ClockTimer } from './clock.js';

export function every(clock: Clock, ms: number, fn: () => void, options: { unref?: boolean } = {}): () => void {
  let timer: ClockTimer | null = null;
  let stopped = false;
  const schedule = () => {
    timer = clock.setTimeout(() => {
      if (stopped) return;
      schedule();
      fn();
    }, ms);
    if (options.unref) timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}
