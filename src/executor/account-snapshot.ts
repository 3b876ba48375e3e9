/**
 * The account list as admission reads it: reused for a moment, because reading it costs a round
 * trip per account and every submit needs it. A stale list can only make admission accept a job
 * the claim then holds back (the claim re-checks each account atomically); admission re-reads the
 * list before it refuses anything, so no request is refused on stale data.
 */
import type { AccountRecord, Coordinator } from './coordinator.js';

export class AccountSnapshot {
  private accounts: AccountRecord[] | null = null;
  private readAt = -Infinity;

  constructor(
    private readonly coordinator: Pick<Coordinator, 'listAccounts'>,
    private readonly now: () => number,
    private readonly maxAgeMs: number,
  ) {}

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
