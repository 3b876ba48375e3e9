/**
 * Reads the bot's /listid answer into the saved names and, when shown, the default. The bot's
 * wording is not public (docs/discord-protocol.md), so this is tolerant by design: the text may be
 * in the content or in an embed (title, description, fields, footer), on one line ("Your ids: a,
 * b (default: b)") or as a list (bullets, numbers, one per line), with Markdown, mentions and a
 * default marked inline ("bob (default)", "bob ⭐") or on its own line ("Default id: bob").
 * Checked against test/discord/fixtures/listid-replies.ts.
 */
import type { APIEmbed } from 'discord-api-types/v10';

export interface ListIdMessage {
  content?: string;
  embeds?: readonly Pick<APIEmbed, 'title' | 'description' | 'fields' | 'footer'>[];
}

export type ListIdParse =
  | { ok: true; names: string[]; defaultId: string | undefined }
  /** Neither names nor a "no ids saved" wording: not a /listid answer we understand. */
  | { ok: false };

const NAME = /^[A-Za-z0-9]{1,10}$/;
const KEYWORD = String.raw`(?:ids?|identit(?:y|ies)|idnames?|faces?)`;
/** A list header: "Your saved ids (2/20): …", "ID list: …", "Saved identities", "Saved: …". */
const HEADER = new RegExp(String.raw`\b(?:${KEYWORD}|saved|list)\b[^:\n]*?(?::\s*(.*))?$`, 'i');
/** "Default id: bob", "(default: bob)", "Current default is bob", "Currently using: a+b,_". */
const DEFAULT_CLAUSE = new RegExp(
  String.raw`[(\[]?\s*\b(?:(?:current(?:ly)?\s+)?(?:default|selected|active)(?:\s+${KEYWORD})?|current(?:ly)?\s+(?:${KEYWORD}|using))(?:\s+is\s+|\s*[:=]\s*|\s+-\s+)([A-Za-z0-9_+]+(?:,[A-Za-z0-9_+]+)*)\s*[)\]]?`,
  'i',
);
const INLINE_DEFAULT = /^(.*?)\s*(?:[([]\s*(?:default|current|selected)\s*[)\]]|⭐|🌟|✅|✔️?|(?:←|<-|-|–)\s*(?:default|current))\s*$/iu;
const EMPTY = [
  new RegExp(String.raw`\b(?:no|zero|0)\s+(?:saved\s+)?${KEYWORD}`, 'i'),
  new RegExp(String.raw`\b(?:don'?t|do not|haven'?t|have not)\s+(?:have\s+)?(?:any\s+)?(?:saved\s+)?(?:any\s+)?${KEYWORD}`, 'i'),
  /\bnothing (?:is )?saved\b/i,
  /\blist is empty\b/i,
  /\bnone\b/i,
  /\b0\s*\/\s*\d+\b/,
];
const BULLET = /^\s*(?:[-•*·▪◦>]|\d+[.)])\s+/;

/** Parses the answer; the names in the order shown, without duplicates. */
export function parseListIdReply(message: ListIdMessage): ListIdParse {
  const lines = textLines(message);
  let defaultId: string | undefined;
  let empty = false;
  const names: string[] = [];
  const add = (name: string): void => {
    if (!names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
  };
  const takeItems = (items: string[]): void => {
    for (const item of items) {
      const marked = INLINE_DEFAULT.exec(item);
      const name = (marked ? marked[1] : item)?.trim() ?? '';
      if (marked) defaultId ??= name;
      add(name);
    }
  };

  let inList = false;
  for (const raw of lines) {
    let line = raw;
    const clause = DEFAULT_CLAUSE.exec(line);
    if (clause?.[1]) {
      defaultId = clause[1].replace(/\s+/g, '');
      line = line.replace(clause[0], ' ').trim();
    }
    if (EMPTY.some((re) => re.test(line))) {
      empty = true;
      inList = false;
      continue;
    }
    const items = listItems(line.replace(BULLET, ''));
    if (items && (inList || BULLET.test(line))) {
      takeItems(items);
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      const rest = listItems(header[1] ?? '');
      if (rest) takeItems(rest);
      inList = true;
      continue;
    }
    if (line !== '') inList = false;
  }
  if (names.length === 0 && !empty && defaultId === undefined) return { ok: false };
  if (names.length === 0 && defaultId !== undefined && !empty && NAME.test(defaultId)) names.push(defaultId);
  return { ok: true, names, defaultId };
}

/** The pieces of a list line ("a, b | c and d"), or undefined when any piece is not a name. */
function listItems(line: string): string[] | undefined {
  const pieces = line
    .replace(/,?\s+(?:and|&)\s+/gi, ',')
    .split(/[,;|]/)
    .map((p) => p.trim().replace(/[.!]+$/, ''))
    .filter((p) => p !== '');
  if (pieces.length === 0) return undefined;
  const named = pieces.every((p) => {
    const marked = INLINE_DEFAULT.exec(p);
    return NAME.test((marked ? marked[1] : p)?.trim() ?? '');
  });
  return named ? pieces : undefined;
}

/** Every line of text the message shows, with Markdown, mentions and custom emoji removed. */
function textLines(message: ListIdMessage): string[] {
  const parts: string[] = [message.content ?? ''];
  for (const embed of message.embeds ?? []) {
    parts.push(embed.title ?? '', embed.description ?? '');
    for (const field of embed.fields ?? []) parts.push(`${field.name}: ${field.value}`);
    parts.push(embed.footer?.text ?? '');
  }
  return parts
    .join('\n')
    .replace(/<a?:\w+:\d+>|<@[!&]?\d+>|<#\d+>/g, ' ')
    .replace(/\*\*|__|~~|`+|\|\|/g, '')
    .replace(/(^|\s)\*(\S)/g, '$1$2')
    .split('\n')
    .map((l) => l.trim());
}
