/**
 * When a gateway session could not be resumed, the events of a command in flight are lost: the
 * bot's answer may already be in the channel. Reads the channel's recent messages (GET
 * /channels/{id}/messages) and offers them to the waiter, then again every `pollMs` until the
 * waiter settles or the job ends. The new session's own MESSAGE_UPDATEs keep feeding it too.
 */
import type { APIMessage } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import { sleep, systemClock, type Clock } from '../timing/clock.js';
import type { ReplyWaiter } from './reply-matcher.js';

export interface HistoryFallbackOptions {
  fetchMessages: (signal: AbortSignal) => Promise<APIMessage[]>;
  pollMs: number;
  signal: AbortSignal;
  logger: Logger;
  clock?: Clock;
}

export async function pollHistory(waiter: ReplyWaiter, o: HistoryFallbackOptions): Promise<void> {
  while (!waiter.settled && !o.signal.aborted) {
    try {
      const messages = await o.fetchMessages(o.signal);
      // Oldest first, so a placeholder is seen before a later message answering the same interaction.
      for (const m of [...messages].reverse()) waiter.offer(m);
      o.logger.debug({ fetched: messages.length, settled: waiter.settled }, 'looked for the reply in channel history');
    } catch (err) {
      if (o.signal.aborted) return;
      o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'channel history lookup failed');
    }
    if (waiter.settled) return;
    await sleep(o.clock ?? systemClock, o.pollMs, o.signal);
  }
}
