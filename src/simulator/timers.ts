/** Timeouts that `clearAll()` cancels at once, so close() leaves no pending timer behind. */
export class TimerSet {
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** Resolves after `ms`, or never if the set is cleared first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  after(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.stopped) return undefined;
    const timer = setTimeout(
      () => {
        this.pending.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    this.pending.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.pending.delete(timer);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  clearAll(): void {
    this.stopped = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
