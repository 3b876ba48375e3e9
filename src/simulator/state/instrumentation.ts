import { performance } from 'node:perf_hooks';
import type { ChannelStats, GatewayIdentification, InteractionLogEntry, InteractionOutcome, RecordedRequest } from '../types.js';

/** One accepted interaction; `end` is idempotent so every exit path may call it. */
export interface InFlightHandle {
  end(outcome: InteractionOutcome, completed: boolean): void;
}

const MAX_RECORDED_REQUESTS = 10_000;

/** Per-channel in-flight counters and logs for tests and benchmarks. Times are performance.now(). */
export class Instrumentation {
  private readonly channels = new Map<string, ChannelStats>();
  private readonly requestLog: RecordedRequest[] = [];
  private readonly interactionLog: InteractionLogEntry[] = [];
  /** Callers of `ended` waiting for an interaction, by nonce. */
  private readonly endWaiters = new Map<string, ((entry: InteractionLogEntry) => void)[]>();

  get requests(): readonly RecordedRequest[] {
    return this.requestLog;
  }

  /** User sessions that identified on the gateway, oldest first. */
  readonly identifications: (GatewayIdentification & { at: number })[] = [];

  identified(session: GatewayIdentification & { at: number }): void {
    this.identifications.push(session);
    if (this.identifications.length > MAX_RECORDED_REQUESTS) this.identifications.shift();
  }

  record(request: RecordedRequest): void {
    this.requestLog.push(request);
    if (this.requestLog.length > MAX_RECORDED_REQUESTS) this.requestLog.shift();
  }

  begin(channelId: string, nonce: string, interactionId: string): InFlightHandle {
    const stats = this.stats(channelId);
    stats.interactions += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const entry: InteractionLogEntry = { at: performance.now(), channelId, nonce, interactionId };
    this.interactionLog.push(entry);
    let ended = false;
    return {
      end: (outcome, completed) => {
        if (ended) return;
        ended = true;
        entry.endedAt = performance.now();
        entry.outcome = outcome;
        // Look the counters up again: resetStats() may have replaced them meanwhile.
        const current = this.stats(channelId);
        current.inFlight -= 1;
        if (completed) current.completed += 1;
        for (const wake of this.endWaiters.get(nonce) ?? []) wake(entry);
        this.endWaiters.delete(nonce);
      },
    };
  }

  /** Live counters of a channel (zeros for a channel never used). */
  stats(channelId: string): ChannelStats {
    let stats = this.channels.get(channelId);
    if (!stats) {
      stats = { inFlight: 0, maxInFlight: 0, interactions: 0, completed: 0 };
      this.channels.set(channelId, stats);
    }
    return stats;
  }

  /** Resolves once the interaction with this nonce has ended (at once if it already has). */
  ended(nonce: string): Promise<InteractionLogEntry> {
    const done = this.interactionLog.find((e) => e.nonce === nonce && e.endedAt !== undefined);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.endWaiters.set(nonce, [...(this.endWaiters.get(nonce) ?? []), resolve]));
  }

  interactions(channelId?: string): readonly InteractionLogEntry[] {
    return channelId === undefined ? this.interactionLog : this.interactionLog.filter((e) => e.channelId === channelId);
  }

  /** Clears counters and logs; jobs still in flight stay counted in `inFlight`. */
  reset(): void {
    for (const stats of this.channels.values()) {
      stats.maxInFlight = stats.inFlight;
      stats.interactions = 0;
      stats.completed = 0;
    }
    this.requestLog.length = 0;
    this.interactionLog.length = 0;
  }
}
