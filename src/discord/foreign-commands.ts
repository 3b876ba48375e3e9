/**
 * Commands in an account's channel that this server did not send: a person using the account (the
 * hosted API warns its users against it), or anyone else running the bot there. The account's
 * gateway session sees the bot's "thinking" placeholder (flag LOADING) for an interaction none of
 * our commands waits on; the channel is then busy until the bot edits that placeholder into its
 * answer (docs/discord-protocol.md, "Foreign use"). While a command of ours waits in the channel,
 * a placeholder may be its own (its INTERACTION_CREATE can come later): nothing is reported then.
 */
import { MessageFlags, type APIMessage } from 'discord-api-types/v10';

export interface ForeignCommandEvent {
  channel: string;
  interactionId: string;
  /** True when the bot started on it (its placeholder), false once it answered. */
  running: boolean;
  /** What was seen: the message id and the invoking user's id. */
  evidence: Record<string, unknown>;
}

export interface ForeignCommandDeps {
  applicationId: string;
  /** The account's channels. */
  channels: ReadonlySet<string>;
  /** Whether a command of ours waits for its answer in the channel. */
  oursWaitIn(channel: string): boolean;
  report(event: ForeignCommandEvent): void;
}

/** Placeholders followed at once, at most (older ones are dropped: their channel's bound ends them). */
const TRACKED_LIMIT = 100;

export class ForeignCommands {
  /** Message id of a foreign placeholder → its interaction and channel. */
  private readonly running = new Map<string, { interactionId: string; channel: string }>();

  constructor(private readonly deps: ForeignCommandDeps) {}

  handleDispatch(t: string, d: unknown): void {
    if ((t !== 'MESSAGE_CREATE' && t !== 'MESSAGE_UPDATE') || typeof d !== 'object' || d === null) return;
    const m = d as Partial<APIMessage>;
    if (typeof m.id !== 'string' || typeof m.channel_id !== 'string') return;
    const interactionId = m.interaction_metadata?.id ?? m.interaction?.id;
    const loading = ((m.flags ?? 0) & MessageFlags.Loading) !== 0;
    // The answer: an edit of the placeholder, or a new message answering the same interaction.
    const placeholder = this.running.has(m.id) ? m.id : [...this.running].find(([, r]) => r.interactionId === interactionId)?.[0];
    if (placeholder !== undefined) {
      if (m.flags === undefined || loading) return;
      const tracked = this.running.get(placeholder)!;
      this.running.delete(placeholder);
      this.deps.report({ ...tracked, running: false, evidence: { messageId: m.id } });
      return;
    }
    if (t !== 'MESSAGE_CREATE' || !loading || !interactionId || m.author?.id !== this.deps.applicationId) return;
    if (!this.deps.channels.has(m.channel_id) || this.deps.oursWaitIn(m.channel_id)) return;
    if (this.running.size >= TRACKED_LIMIT) this.running.delete(this.running.keys().next().value ?? '');
    this.running.set(m.id, { interactionId, channel: m.channel_id });
    const invoker = m.interaction_metadata?.user.id ?? m.interaction?.user.id ?? null;
    this.deps.report({ channel: m.channel_id, interactionId, running: true, evidence: { messageId: m.id, invoker } });
  }
}
