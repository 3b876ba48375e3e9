/**
 * What dispatch remembers of each channel's last claim, so that it claims only where a claim can
 * succeed. A memo is taken from a claim's miss and dropped by any event for the channel:
 * - held: skipped until its freed event, or until the lease would end (capped, so that a lost event
 *   costs at most `heldRecheckMs`; a reconnect of the event connection forgets every memo);
 * - ineligible: skipped until the known end (a cooldown, the store's hold) or the next sweep;
 * - empty: skipped until the next sweep (a job accepted here, the safety tick) or an event.
 * A freed event that arrives while a claim on its channel is out may have overtaken the claim's
 * reply (two connections): a miss sent before the channel's last event is not remembered.
 */
import type { ClaimMiss } from '../store/port.js';

type Memo = { kind: 'held'; until: number } | { kind: 'ineligible'; until: number | null } | { kind: 'empty' };

export class DispatchMemo {
  private clock = 0;
  private forgotAt = 0;
  private readonly lastEvent = new Map<string, number>();
  private readonly memos = new Map<string, Memo>();

  constructor(
    private readonly now: () => number,
    private readonly heldRecheckMs: number,
  ) {}

  /** The moment a claim is sent (a logical clock, compared with the channel's events). */
  sending(): number {
    return ++this.clock;
  }

  freed(channel: string): void {
    this.lastEvent.set(channel, ++this.clock);
    this.memos.delete(channel);
  }

  forgetAll(): void {
    this.memos.clear();
    this.forgotAt = ++this.clock;
  }

  /** This instance holds the channel now: its own run's end (or the lease's) frees it. */
  claimed(channel: string): void {
    this.memos.set(channel, { kind: 'held', until: this.now() + this.heldRecheckMs });
  }

  missed(channel: string, sentAt: number, miss: ClaimMiss): void {
    if (Math.max(this.forgotAt, this.lastEvent.get(channel) ?? 0) > sentAt) return;
    const now = this.now();
    if (miss.missed === 'held') this.memos.set(channel, { kind: 'held', until: now + Math.min(miss.leftMs, this.heldRecheckMs) });
    else if (miss.missed === 'ineligible')
      this.memos.set(channel, { kind: 'ineligible', until: miss.retryInMs === null ? null : now + miss.retryInMs });
    else this.memos.set(channel, { kind: 'empty' });
  }

  /** The earliest known end of a channel's ineligibility (a pacing gap, a cooldown, closed hours); null if none. */
  nextRetryAt(): number | null {
    let next: number | null = null;
    for (const memo of this.memos.values())
      if (memo.kind === 'ineligible' && memo.until !== null && (next === null || memo.until < next)) next = memo.until;
    return next;
  }

  mayClaim(channel: string, sweep: boolean): boolean {
    const memo = this.memos.get(channel);
    if (!memo) return true;
    if (memo.kind === 'held') return this.now() >= memo.until;
    if (memo.kind === 'ineligible') return sweep || (memo.until !== null && this.now() >= memo.until);
    return sweep;
  }
}
