/**
 * The rules for identity names (saveid, swapid, setid, delid) checked before a job is accepted, so
 * a typo fails fast with a precise BAD_USER_INPUT instead of costing a command. From the bot's
 * README and public automation code (docs/discord-protocol.md): letters and digits, at most 10
 * characters, at most 20 saved per account. The bot owns the truth; these checks only refuse what
 * it would refuse too. Saved names are compared case-insensitively (inferred: the lenient choice,
 * a case the bot tells apart comes back as its own error).
 */
import { AppError, echoInput } from '../errors.js';

export const ID_NAME_MAX_LENGTH = 10;
export const MAX_SAVED_IDS = 20;
const ID_NAME_CHARS = /^[A-Za-z0-9]+$/;
const SETID_FLAGS = ['--greedy', '--nogreedy'] as const;

/** One face of a /setid selection: left alone (`_`), or one id or a mix of ids (`a+b`). */
export type SetIdSlot = { kind: 'skip' } | { kind: 'ids'; names: string[] };

export interface SetIdSelection {
  slots: SetIdSlot[];
  /** `--greedy` → true, `--nogreedy` → false, neither → undefined (the bot's default). */
  greedy: boolean | undefined;
  /** The value to send as the `idname` option: slots joined by commas, then the flag. */
  normalized: string;
}

const invalid = (message: string): AppError => new AppError('BAD_USER_INPUT', message, { field: 'idname' });

/** Checks one name; returns it trimmed. `what` names it in messages (e.g. `entry 2 of idname`). */
export function parseIdName(input: string | null | undefined, what = 'idname'): string {
  const name = (input ?? '').trim();
  if (name === '') throw invalid(`${what} is required`);
  if (!ID_NAME_CHARS.test(name)) throw invalid(`${what} "${echoInput(name)}" may contain only letters and digits (A-Z, a-z, 0-9)`);
  if (name.length > ID_NAME_MAX_LENGTH)
    throw invalid(`${what} "${echoInput(name)}" is ${name.length} characters long; at most ${ID_NAME_MAX_LENGTH} are allowed`);
  return name;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The name for /saveid; with the account's saved names, refuses a 21st (re-saving a name replaces it). */
export function parseSaveIdName(input: string | null | undefined, saved?: readonly string[]): string {
  const name = parseIdName(input);
  if (saved && saved.length >= MAX_SAVED_IDS && !saved.some((s) => sameName(s, name))) {
    throw invalid(
      `this account already has ${saved.length} saved ids (at most ${MAX_SAVED_IDS}); delete one with delid before saving "${name}"`,
    );
  }
  return name;
}

/** A name that must be saved on the account (delid, and each name of swapid/setid), when the saved list is known. */
export function requireSaved(name: string, saved: readonly string[] | undefined): void {
  if (saved && !saved.some((s) => sameName(s, name))) {
    const known = saved.length === 0 ? 'none saved' : `saved: ${saved.join(', ')}`;
    throw invalid(`idname "${name}" is not saved on this account (${known})`);
  }
}

/** /swapid's comma-separated names, in order (a name may repeat, one per face). */
export function parseSwapIdNames(input: string | null | undefined, saved?: readonly string[]): string[] {
  const text = (input ?? '').trim();
  if (text === '') throw invalid('idname is required: one saved id, or several separated by commas');
  const parts = text.split(',');
  const names = parts.map((part, i) => parseIdName(part, parts.length === 1 ? 'idname' : `entry ${i + 1} of idname`));
  if (names.length > MAX_SAVED_IDS) throw invalid(`idname lists ${names.length} ids; at most ${MAX_SAVED_IDS}`);
  for (const name of names) requireSaved(name, saved);
  return names;
}

/** /setid's value: `alice,_,bob+carol --greedy`. */
export function parseSetId(input: string | null | undefined, saved?: readonly string[]): SetIdSelection {
  const words = (input ?? '')
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const flags = words.filter((w) => w.startsWith('--'));
  const unknown = flags.find((f) => !(SETID_FLAGS as readonly string[]).includes(f));
  if (unknown !== undefined) throw invalid(`unknown setid flag "${echoInput(unknown)}"; known flags: ${SETID_FLAGS.join(', ')}`);
  if (flags.length > 1) throw invalid(`setid takes one of ${SETID_FLAGS.join(' or ')}, not ${flags.join(' and ')}`);
  const body = words.filter((w) => !w.startsWith('--')).join('');
  if (body === '') throw invalid('idname is required: saved ids separated by commas, _ to skip a face, a+b to mix');

  const parts = body.split(',');
  const slots = parts.map((part, i): SetIdSlot => {
    const where = parts.length === 1 ? 'idname' : `face ${i + 1} of idname`;
    if (part === '_') return { kind: 'skip' };
    if (part === '') throw invalid(`${where} is empty; use _ to leave a face alone`);
    const mixed = part.split('+');
    const names = mixed.map((n) => parseIdName(n, mixed.length === 1 ? where : `${where} (mix "${echoInput(part)}")`));
    for (const name of names) requireSaved(name, saved);
    return { kind: 'ids', names };
  });
  if (!slots.some((s) => s.kind === 'ids')) throw invalid('idname must name at least one saved id; _ only skips a face');

  const greedy = flags[0] === undefined ? undefined : flags[0] === '--greedy';
  const joined = slots.map((s) => (s.kind === 'skip' ? '_' : s.names.join('+'))).join(',');
  return { slots, greedy, normalized: flags[0] === undefined ? joined : `${joined} ${flags[0]}` };
}
