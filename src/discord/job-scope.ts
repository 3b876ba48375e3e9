/**
 * The life of one job: its deadline (JOB_TIMEOUT_MS) and the caller's AbortSignal, folded into
 * one internal signal passed to every Discord call. When either fires, every pending step rejects
 * at once (`guard`) and every in-flight request is aborted; nothing new starts (`check`).
 */
import { systemClock, type Clock, type ClockTimer } from '../timing/clock.js';

export type ScopeEnd = 'aborted' | 'timeout';

export class ScopeEndedError extends Error {
  override readonly name = 'ScopeEndedError';
  constructor(readonly end: ScopeEnd) {
    super(end === 'aborted' ? 'job aborted' : 'job timed out');
  }
}

export class JobScope {
  private readonly controller = new AbortController();
  private endValue: ScopeEnd | undefined;
  private readonly ended: Promise<never>;
  private rejectEnded!: (error: ScopeEndedError) => void;
  private readonly timer: ClockTimer;
  private readonly onAbort = (): void => this.end('aborted');

  constructor(
    private readonly external: AbortSignal,
    timeoutMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.ended = new Promise<never>((_, reject) => (this.rejectEnded = reject));
    this.ended.catch(() => undefined);
    this.timer = clock.setTimeout(() => this.end('timeout'), timeoutMs);
    if (external.aborted) this.end('aborted');
    else external.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Aborted when the job ends for any reason (including normal completion, on dispose). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the job was cut short, if it was. */
  get endReason(): ScopeEnd | undefined {
    return this.endValue;
  }

  /** Throws if the job was cut short: call before starting anything new. */
  check(): void {
    if (this.endValue) throw new ScopeEndedError(this.endValue);
  }

  /** `promise`, or a ScopeEndedError as soon as the job is cut short. */
  guard<T>(promise: Promise<T>): Promise<T> {
    promise.catch(() => undefined);
    return Promise.race([promise, this.ended]);
  }

  /** Clears the deadline and the caller's listener; aborts whatever is still running. */
  dispose(): void {
    this.clock.clearTimeout(this.timer);
    this.external.removeEventListener('abort', this.onAbort);
    if (!this.controller.signal.aborted) this.controller.abort(new Error('job finished'));
  }

  private end(kind: ScopeEnd): void {
    if (this.endValue) return;
    this.endValue = kind;
    const error = new ScopeEndedError(kind);
    this.controller.abort(error);
    this.rejectEnded(error);
  }
}
