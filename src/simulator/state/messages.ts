import type { APIMessage } from 'discord-api-types/v10';

const KEEP_PER_CHANNEL = 200;

export interface ListOptions {
  limit: number;
  before?: string;
  after?: string;
}

/** Recent messages per channel, oldest first; edits replace in place. */
export class MessageStore {
  private readonly byChannel = new Map<string, APIMessage[]>();

  upsert(message: APIMessage): void {
    const list = this.byChannel.get(message.channel_id) ?? [];
    const at = list.findIndex((m) => m.id === message.id);
    if (at >= 0) list[at] = message;
    else list.push(message);
    if (list.length > KEEP_PER_CHANNEL) list.shift();
    this.byChannel.set(message.channel_id, list);
  }

  get(channelId: string, messageId: string): APIMessage | undefined {
    return this.byChannel.get(channelId)?.find((m) => m.id === messageId);
  }

  /** Newest first, like GET /channels/{id}/messages. */
  list(channelId: string, options: ListOptions): APIMessage[] {
    const all = this.byChannel.get(channelId) ?? [];
    const { before, after } = options;
    const inRange = all.filter(
      (m) => (before === undefined || BigInt(m.id) < BigInt(before)) && (after === undefined || BigInt(m.id) > BigInt(after)),
    );
    // With `after`, Discord returns the oldest messages after the id (still newest first).
    const window = after !== undefined && before === undefined ? inRange.slice(0, options.limit) : inRange.slice(-options.limit);
    return window.reverse();
  }
}
