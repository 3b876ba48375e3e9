import { jitteredDelayMs } from '../timing/backoff.js';
import { systemClock, type Clock, type ClockTimer } from '../timing/clock.js';

/**
 * When a user gateway reconnects: the first attempt after a drop at once (a dropped socket usually
 * resumes fine), then exponential backoff with jitter, reset by a READY/RESUMED. One timer at a time.
 */
export interface ReconnectPolicy {
  /** Delay before the second consecutive attempt; doubles up to maxMs, with jitter. */
  initialMs: number;
  /** Delay of the first attempt after a drop (default 0: a dropped socket usually resumes at once). */
  firstMs?: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { initialMs: 1000, maxMs: 60_000 };

export class ReconnectTimer {
  private attempt = 0;
  private timer: ClockTimer | undefined;

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly random: () => number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The next backoff delay; each call counts one more consecutive attempt. */
  nextBackoff(): { attempt: number; delayMs: number } {
    const n = this.attempt++;
    const { firstMs = 0, initialMs, maxMs } = this.policy;
    // Equal jitter: a lone client never retries at once, yet many dropped together spread out.
    const delayMs = n === 0 ? firstMs : jitteredDelayMs(n, { baseMs: initialMs, capMs: maxMs, jitter: 'equal' }, this.random);
    return { attempt: n + 1, delayMs };
  }

  /** The session is up again: the next drop starts from the first delay. */
  reset(): void {
    this.attempt = 0;
  }

  /** Runs `fn` after `delayMs`, replacing any pending run. */
  run(delayMs: number, fn: () => void): void {
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(fn, delayMs);
  }

  cancel(): void {
    this.clock.clearTimeout(this.timer);
  }
}
