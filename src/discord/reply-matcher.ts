/**
 * Routes one gateway session's dispatches to the jobs waiting on it. A waiter is found by its
 * nonce (INTERACTION_CREATE/SUCCESS/FAILURE, or a message carrying it), then by the interaction id
 * learnt from those events (`interaction_metadata.id` of the bot's messages), then by the id of a
 * message already matched (partial MESSAGE_UPDATEs). The LOADING placeholder is not the answer:
 * its update (or a later message answering the interaction) is.
 */
import type { APIMessage } from 'discord-api-types/v10';
import { snowflakeTime } from './ids.js';
import type { AnswerRule } from './command-specs.js';
import { classifyReply } from './reply-classifier.js';
import type { BotMessage, Verdict } from './reply-classifier.js';
import { UserDispatchEvents } from './protocol.js';

export type ReplyOutcome =
  | {
      kind: 'reply';
      message: MatchedMessage;
      verdict: Extract<Verdict, { kind: 'result' | 'text' | 'botError' }>;
      interactionId: string | null;
    }
  | { kind: 'interactionFailure'; interactionId: string; reasonCode: number | null }
  /** The session ended under the waiter (fatal close or driver shutdown). */
  | { kind: 'sessionEnded'; error: Error };

/** A bot message as merged from its create and updates. */
export type MatchedMessage = BotMessage & Partial<Pick<APIMessage, 'timestamp' | 'channel_id' | 'author' | 'interaction_metadata'>>;

export interface WaitProgress {
  interactionId: string | null;
  acknowledged: boolean;
  placeholderId: string | null;
  lastText: string | null;
  orphaned: boolean;
}

export interface ReplyWaiter {
  readonly nonce: string;
  readonly outcome: Promise<ReplyOutcome>;
  readonly settled: boolean;
  progress(): WaitProgress;
  /** POST /interactions was accepted: from now on a new gateway session orphans this waiter. */
  markSent(): void;
  /** Called once when the waiter's events were lost to a new (not resumed) gateway session. */
  onOrphaned(listener: () => void): void;
  /** Called once with the interaction id when it is learnt (INTERACTION_CREATE or the bot's message). */
  onInteractionId(listener: (interactionId: string) => void): void;
  /** A message found by other means (GET messages), matched like a gateway update. */
  offer(message: APIMessage): void;
  dispose(): void;
}

export interface RegisterInit {
  nonce: string;
  channelId: string;
  /** When the command was sent (ms since epoch): orphaned waiters only match later messages. */
  sentAtMs: number;
  /** A command sent earlier, possibly from another session: its events may be gone already. */
  followed?: { interactionId: string | null };
  /** How the command's final answer looks (command-specs.ts); /picsi's rule by default. */
  answer?: AnswerRule;
}

interface Entry extends WaitProgress {
  nonce: string;
  answer: AnswerRule;
  channelId: string;
  sentAtMs: number;
  sent: boolean;
  /** Sent earlier, maybe by another holder: only messages created after the send may answer it. */
  followed: boolean;
  /** The matcher's session generation when registered (a later one means events were lost). */
  generation: number;
  settled: boolean;
  messages: Map<string, MatchedMessage>;
  resolve: (outcome: ReplyOutcome) => void;
  orphanListeners: (() => void)[];
  interactionListeners: ((interactionId: string) => void)[];
}

/** Clock skew allowed between our clock and Discord's snowflakes when matching orphaned waiters. */
const ORPHAN_SKEW_MS = 10_000;
/** Bot messages kept for an interaction id not (yet) known to any waiter. */
const RECENT_LIMIT = 100;

export class ReplyMatcher {
  private readonly byNonce = new Map<string, Entry>();
  private readonly byInteraction = new Map<string, Entry>();
  private readonly byMessage = new Map<string, Entry>();
  private readonly recent = new Map<string, MatchedMessage[]>();
  private generation = 0;

  constructor(
    private readonly applicationId: string,
    private readonly userId: () => string | undefined,
  ) {}

  /** Active waiters (for leak checks). */
  get size(): number {
    return this.byNonce.size;
  }

  /** Whether a command of ours waits for its answer in this channel. */
  waitsIn(channelId: string): boolean {
    for (const entry of this.byNonce.values()) if (entry.channelId === channelId) return true;
    return false;
  }

  register(init: RegisterInit): ReplyWaiter {
    const { promise: outcome, resolve } = Promise.withResolvers<ReplyOutcome>();
    const { followed, answer, ...where } = init;
    const entry: Entry = {
      ...where,
      answer: answer ?? 'image',
      interactionId: null,
      acknowledged: false,
      placeholderId: null,
      lastText: null,
      orphaned: false,
      sent: false,
      followed: followed !== undefined,
      generation: this.generation,
      settled: false,
      messages: new Map(),
      resolve,
      orphanListeners: [],
      interactionListeners: [],
    };
    this.byNonce.set(init.nonce, entry);
    if (followed) {
      // Sent and never seen by this session: only its later events, or the history, can answer it.
      entry.sent = true;
      entry.orphaned = true;
      if (followed.interactionId) this.bind(entry, followed.interactionId);
    }
    return {
      nonce: init.nonce,
      outcome,
      get settled() {
        return entry.settled;
      },
      progress: () => ({
        interactionId: entry.interactionId,
        acknowledged: entry.acknowledged,
        placeholderId: entry.placeholderId,
        lastText: entry.lastText,
        orphaned: entry.orphaned,
      }),
      markSent: () => {
        entry.sent = true;
        // The session was replaced while the POST was on its way: its events are already lost.
        if (entry.generation !== this.generation) this.orphan(entry);
      },
      onOrphaned: (listener) => {
        if (entry.orphaned) listener();
        else entry.orphanListeners.push(listener);
      },
      onInteractionId: (listener) => {
        if (entry.interactionId) listener(entry.interactionId);
        else entry.interactionListeners.push(listener);
      },
      offer: (message) => {
        if (!entry.settled) this.onMessage(message, false);
      },
      dispose: () => this.remove(entry),
    };
  }

  handleDispatch(t: string, d: unknown): void {
    if (typeof d !== 'object' || d === null) return;
    switch (t) {
      case UserDispatchEvents.InteractionCreate:
      case UserDispatchEvents.InteractionSuccess: {
        const { id, nonce } = d as { id?: unknown; nonce?: unknown };
        const entry = typeof nonce === 'string' ? this.byNonce.get(nonce) : undefined;
        if (!entry || typeof id !== 'string') return;
        if (t === UserDispatchEvents.InteractionSuccess) entry.acknowledged = true;
        this.bind(entry, id);
        return;
      }
      case UserDispatchEvents.InteractionFailure: {
        const { id, nonce, reason_code: reasonCode } = d as { id?: unknown; nonce?: unknown; reason_code?: unknown };
        const entry =
          (typeof nonce === 'string' ? this.byNonce.get(nonce) : undefined) ??
          (typeof id === 'string' ? this.byInteraction.get(id) : undefined);
        if (!entry) return;
        this.settle(entry, {
          kind: 'interactionFailure',
          interactionId: typeof id === 'string' ? id : (entry.interactionId ?? ''),
          reasonCode: typeof reasonCode === 'number' ? reasonCode : null,
        });
        return;
      }
      case 'MESSAGE_CREATE':
      case 'MESSAGE_UPDATE':
        this.onMessage(d, true);
        return;
      default:
        return;
    }
  }

  /** A new gateway session replaced the one our commands were sent on: their events are lost. */
  sessionReplaced(): void {
    this.generation += 1;
    for (const entry of [...this.byNonce.values()]) if (entry.sent) this.orphan(entry);
    this.recent.clear();
  }

  private orphan(entry: Entry): void {
    if (entry.orphaned || entry.settled) return;
    entry.orphaned = true;
    for (const listener of entry.orphanListeners.splice(0)) listener();
  }

  /** Settles every waiter: the session is gone for good. */
  failAll(error: Error): void {
    for (const entry of [...this.byNonce.values()]) this.settle(entry, { kind: 'sessionEnded', error });
  }

  private onMessage(m: Partial<APIMessage>, buffer: boolean): void {
    if (typeof m.id !== 'string') return;
    if (m.author && m.author.id !== this.applicationId) return;
    const interactionId = m.interaction_metadata?.id ?? m.interaction?.id;
    const entry =
      (typeof m.nonce === 'string' ? this.byNonce.get(m.nonce) : undefined) ??
      (interactionId ? this.byInteraction.get(interactionId) : undefined) ??
      this.byMessage.get(m.id) ??
      this.orphanFor(m, interactionId);
    if (entry) {
      this.apply(entry, m as MatchedMessage);
    } else if (buffer && interactionId && m.author) {
      const list = this.recent.get(interactionId) ?? [];
      list.push(m as MatchedMessage);
      this.recent.set(interactionId, list);
      if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value ?? '');
    }
  }

  /**
   * An orphaned waiter that never learnt its interaction id: the bot's answer in the same channel,
   * to our user, created after the command was sent (the executor runs one job per channel).
   */
  private orphanFor(m: Partial<APIMessage>, interactionId: string | undefined): Entry | undefined {
    if (!m.author || (interactionId && this.byInteraction.has(interactionId))) return undefined;
    const created = snowflakeTime(m.id ?? '');
    const user = this.userId();
    for (const entry of this.byNonce.values()) {
      if (!entry.orphaned || entry.interactionId !== null || entry.channelId !== m.channel_id) continue;
      // A followed command's channel may hold the previous job's answer from just before the send:
      // no skew allowance there (a missed answer ends in a timeout, a wrong one in a wrong result).
      if (created === undefined || created < entry.sentAtMs - (entry.followed ? 0 : ORPHAN_SKEW_MS)) continue;
      const invoker = m.interaction_metadata?.user.id ?? m.interaction?.user.id;
      if (user && invoker && invoker !== user) continue;
      return entry;
    }
    return undefined;
  }

  private apply(entry: Entry, m: MatchedMessage): void {
    if (entry.settled) return;
    const merged: MatchedMessage = { ...entry.messages.get(m.id), ...m };
    entry.messages.set(m.id, merged);
    this.byMessage.set(m.id, entry);
    const interactionId = merged.interaction_metadata?.id;
    if (interactionId && entry.interactionId === null) this.bind(entry, interactionId);
    const verdict = classifyReply(merged, entry.answer);
    switch (verdict.kind) {
      case 'loading':
        entry.placeholderId = merged.id;
        return;
      case 'progress':
        entry.lastText = verdict.text;
        return;
      default:
        this.settle(entry, { kind: 'reply', message: merged, verdict, interactionId: entry.interactionId });
    }
  }

  private bind(entry: Entry, interactionId: string): void {
    if (entry.interactionId === null) {
      entry.interactionId = interactionId;
      for (const listener of entry.interactionListeners.splice(0)) listener(interactionId);
    }
    this.byInteraction.set(interactionId, entry);
    const early = this.recent.get(interactionId);
    this.recent.delete(interactionId);
    for (const m of early ?? []) this.apply(entry, m);
  }

  private settle(entry: Entry, outcome: ReplyOutcome): void {
    if (entry.settled) return;
    this.remove(entry);
    entry.settled = true;
    entry.resolve(outcome);
  }

  private remove(entry: Entry): void {
    if (this.byNonce.get(entry.nonce) === entry) this.byNonce.delete(entry.nonce);
    if (entry.interactionId && this.byInteraction.get(entry.interactionId) === entry) this.byInteraction.delete(entry.interactionId);
    for (const id of entry.messages.keys()) if (this.byMessage.get(id) === entry) this.byMessage.delete(id);
    entry.orphanListeners.length = 0;
    entry.interactionListeners.length = 0;
  }
}
