/**
 * What a bot message means for the job, decided by one ordered table of rules (first match wins);
 * the wordings and colours are the data of bot-replies.ts. Adding a rule is a data change.
 */
import { MessageFlags } from 'discord-api-types/v10';
import type { APIAttachment, APIEmbed, APIMessage } from 'discord-api-types/v10';
import { BOT_REPLIES, ERROR_EMBED_COLOURS, ERROR_WORDING, UNKNOWN_BOT_ERROR } from './bot-replies.js';
import type { AnswerRule } from './command-specs.js';

export { UNKNOWN_BOT_ERROR };

/** The parts of a message the classifier reads (gateway updates may be partial). */
export type BotMessage = Pick<APIMessage, 'id'> & Partial<Pick<APIMessage, 'content' | 'embeds' | 'attachments' | 'flags'>>;

export type Verdict =
  /** The "is thinking…" placeholder: the reply is still to come. */
  | { kind: 'loading' }
  /** A message that is neither a result nor an error (e.g. a progress or queue note). */
  | { kind: 'progress'; text: string }
  | { kind: 'result'; attachments: APIAttachment[] }
  /** The final answer of a text command (saveid, setid, listid, delid, delall): a message, no attachments. */
  | { kind: 'text'; text: string }
  | { kind: 'botError'; reason: string; text: string };

interface Rule {
  readonly name: string;
  readonly verdict: (m: BotMessage, text: string, answer: AnswerRule) => Verdict | undefined;
}

const isLoading = (m: BotMessage): boolean => ((m.flags ?? 0) & MessageFlags.Loading) !== 0;
const unknownError = (text: string): Verdict => ({ kind: 'botError', reason: UNKNOWN_BOT_ERROR, text });

/**
 * Attachments are the result even on a message still flagged LOADING (a partial update merged
 * onto the placeholder); a known refusal is an error even there. Unknown error signs (a red embed,
 * error wording) count only once the placeholder is gone. What is left is the answer of a text
 * command, and a progress note of an image command.
 */
export const REPLY_RULES: readonly Rule[] = [
  {
    name: 'result attachments',
    verdict: (m) => (m.attachments && m.attachments.length > 0 ? { kind: 'result', attachments: m.attachments } : undefined),
  },
  ...BOT_REPLIES.map((row): Rule => ({
    name: `bot error ${row.code}`,
    verdict: (_m, text) => (row.pattern.test(text) ? { kind: 'botError', reason: row.code, text } : undefined),
  })),
  { name: 'loading placeholder', verdict: (m) => (isLoading(m) ? { kind: 'loading' } : undefined) },
  {
    name: 'unrecognised error embed',
    verdict: (m, text) =>
      (m.embeds ?? []).some((e) => e.color !== undefined && ERROR_EMBED_COLOURS.includes(e.color)) ? unknownError(text) : undefined,
  },
  { name: 'unrecognised error wording', verdict: (_m, text) => (ERROR_WORDING.test(text) ? unknownError(text) : undefined) },
  { name: 'text answer', verdict: (_m, text, answer) => (answer === 'text' && text !== '' ? { kind: 'text', text } : undefined) },
];

/** `answer`: how the command's final answer looks (command-specs.ts); /picsi's rule by default. */
export function classifyReply(message: BotMessage, answer: AnswerRule = 'image'): Verdict {
  const text = messageText(message);
  for (const rule of REPLY_RULES) {
    const verdict = rule.verdict(message, text, answer);
    if (verdict) return verdict;
  }
  return { kind: 'progress', text };
}

/** Content plus every embed's visible text, one part per line. */
export function messageText(message: BotMessage): string {
  const parts = [message.content ?? '', ...(message.embeds ?? []).flatMap(embedText)];
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .join('\n');
}

function embedText(e: APIEmbed): string[] {
  return [
    e.author?.name ?? '',
    e.title ?? '',
    e.description ?? '',
    ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
    e.footer?.text ?? '',
  ];
}
