/**
 * What a bot message means for the job, decided by one ordered table of rules (first match wins),
 * with the error wordings from bot-replies.ts. Editing a wording or adding a rule is a data change.
 */
import type { APIAttachment, APIEmbed, APIMessage } from 'discord-api-types/v10';
import { BOT_REPLIES } from './bot-replies.js';
import { ERROR_EMBED_COLOUR, LOADING_MESSAGE_FLAG } from './protocol.js';

/** The parts of a message the classifier reads (gateway updates may be partial). */
export type BotMessage = Pick<APIMessage, 'id'> & Partial<Pick<APIMessage, 'content' | 'embeds' | 'attachments' | 'flags'>>;

export type Verdict =
  /** The "is thinking…" placeholder: the reply is still to come. */
  | { kind: 'loading' }
  /** A message that is neither a result nor a recognisable error (e.g. a progress note). */
  | { kind: 'progress'; text: string }
  | { kind: 'result'; attachments: APIAttachment[] }
  | { kind: 'botError'; reason: string; text: string };

/** Reason of a red-embed error whose text matches no row of the table. */
export const UNKNOWN_BOT_ERROR = 'UNKNOWN';

interface Rule {
  readonly name: string;
  readonly verdict: (m: BotMessage, text: string) => Verdict | undefined;
}

export const REPLY_RULES: readonly Rule[] = [
  { name: 'loading placeholder', verdict: (m) => (((m.flags ?? 0) & LOADING_MESSAGE_FLAG) !== 0 ? { kind: 'loading' } : undefined) },
  { name: 'result attachments', verdict: (m) => (m.attachments && m.attachments.length > 0 ? { kind: 'result', attachments: m.attachments } : undefined) },
  ...BOT_REPLIES.map((row): Rule => ({
    name: `bot error ${row.kind}`,
    verdict: (_m, text) => (row.pattern.test(text) ? { kind: 'botError', reason: row.code, text } : undefined),
  })),
  {
    name: 'unrecognised error embed',
    verdict: (m, text) => ((m.embeds ?? []).some((e) => e.color === ERROR_EMBED_COLOUR) ? { kind: 'botError', reason: UNKNOWN_BOT_ERROR, text } : undefined),
  },
];

export function classifyReply(message: BotMessage): Verdict {
  const text = messageText(message);
  for (const rule of REPLY_RULES) {
    const verdict = rule.verdict(message, text);
    if (verdict) return verdict;
  }
  return { kind: 'progress', text };
}

/** Content plus every embed's visible text, one part per line. */
export function messageText(message: BotMessage): string {
  const parts = [message.content ?? '', ...(message.embeds ?? []).flatMap(embedText)];
  return parts.map((p) => p.trim()).filter((p) => p !== '').join('\n');
}

function embedText(e: APIEmbed): string[] {
  return [e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text ?? ''];
}
