/** Callers waiting for a gateway session to be ready, each abortable by its own signal. */
import { abortReason } from './gateway-frames.js';

interface Waiter {
  resolve: (sessionId: string) => void;
  reject: (error: Error) => void;
}

export class ReadyWaiters {
  private readonly waiters = new Set<Waiter>();

  get size(): number {
    return this.waiters.size;
  }

  /** A promise settled by `resolveAll`/`rejectAll`, or rejected when `signal` aborts. */
  wait(signal: AbortSignal): Promise<string> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => done(() => reject(abortReason(signal)));
      const done = (settle: () => void): void => {
        this.waiters.delete(waiter);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const waiter: Waiter = { resolve: (id) => done(() => resolve(id)), reject: (e) => done(() => reject(e)) };
      this.waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  resolveAll(sessionId: string): void {
    for (const w of [...this.waiters]) w.resolve(sessionId);
  }

  rejectAll(error: Error): void {
    for (const w of [...this.waiters]) w.reject(error);
  }
}
