/**
 * The account list, reused for a moment: reading it costs a round trip per account, and every
 * submit and every dispatch pass needs it. A stale list is safe where it is used: the claim
 * re-checks each account atomically, so a list a moment old can only make admission accept a job
 * the claim then holds back, or order dispatch's tries; admission re-reads the list before it
 * refuses anything, and dispatch before it claims on a channel the list does not know.
 */
import type { AccountRecord, Coordinator } from './store/port.js';

export class AccountSnapshot {
  private accounts: AccountRecord[] | null = null;
  private readAt = -Infinity;

  constructor(
    private readonly coordinator: Pick<Coordinator, 'listAccounts'>,
    private readonly now: () => number,
    private readonly maxAgeMs: number,
  ) {}

  /** An account changed (EVENT_ACCOUNTS): the next read goes to the store. */
  invalidate(): void {
    this.accounts = null;
  }

  /** The list, re-read when older than `maxAgeMs` or when `fresh`. */
  async get(fresh = false): Promise<AccountRecord[]> {
    if (fresh || this.accounts === null || this.now() - this.readAt > this.maxAgeMs) {
      const readAt = this.now();
      this.accounts = await this.coordinator.listAccounts();
      this.readAt = readAt;
    }
    return this.accounts;
  }
}
