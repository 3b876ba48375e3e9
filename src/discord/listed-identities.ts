/** /listid's answer message → the names it lists (listid-parser.ts reads the text). */
import type { MatchedMessage } from './reply-matcher.js';
import { parseListIdReply } from './listid-parser.js';
import type { ListedIdentities } from './types.js';

/** The listed names and default, or null when the answer does not read as a list. */
export function readListedIdentities(message: MatchedMessage): ListedIdentities | null {
  const parsed = parseListIdReply({ content: message.content ?? '', embeds: message.embeds ?? [] });
  return parsed.ok ? { names: parsed.names, defaultId: parsed.defaultId ?? null } : null;
}
