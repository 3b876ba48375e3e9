import { IDENTITY_ERRORS, IDENTITY_TEXTS, ID_NAME_PATTERN } from '../insightfaceswap-ids.js';
import type { SetIdSlot } from '../insightfaceswap-ids.js';
import { refuse } from './types.js';
import type { CommandHandler, Final } from './types.js';

type ParsedSetId = { ok: true; slots: SetIdSlot[]; greedy: boolean } | { ok: false; error: Final };

/** `alice,_,bob+carol --greedy`: one slot per face, `_` skips it, `+` mixes ids; one flag at most. */
function parseSetId(text: string, known: (name: string) => string | undefined): ParsedSetId {
  const invalid = { ok: false, error: refuse(IDENTITY_ERRORS.INVALID_SETID(text)) } as const;
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const flags = words.filter((w) => w.startsWith('--'));
  if (flags.length > 1 || flags.some((f) => f !== '--greedy' && f !== '--nogreedy')) return invalid;
  const body = words.filter((w) => !w.startsWith('--')).join('');
  if (body === '') return invalid;
  const slots: SetIdSlot[] = [];
  for (const part of body.split(',')) {
    if (part === '_') {
      slots.push({ names: [] });
      continue;
    }
    const names = part.split('+');
    if (names.some((n) => !ID_NAME_PATTERN.test(n))) return invalid;
    const spelled: string[] = [];
    for (const name of names) {
      const saved = known(name);
      if (saved === undefined) return { ok: false, error: refuse(IDENTITY_ERRORS.UNKNOWN_ID(name)) };
      spelled.push(saved);
    }
    slots.push({ names: spelled });
  }
  if (slots.every((s) => s.names.length === 0)) return invalid;
  return { ok: true, slots, greedy: flags[0] === '--greedy' };
}

/** /setid idname:<selection>: the ids later swaps use, face by face. */
export const setid: CommandHandler = {
  deferred: false,
  async run(job, deps) {
    const token = job.user.token;
    const parsed = parseSetId(job.args.strings.get('idname') ?? '', (n) => deps.identities.get(token, n)?.name);
    if (!parsed.ok) return parsed.error;
    deps.identities.select(token, parsed.slots, parsed.greedy);
    return { kind: 'text', content: IDENTITY_TEXTS.setid(parsed.slots, parsed.greedy) };
  },
};

export const listid: CommandHandler = {
  deferred: false,
  async run(job, deps) {
    const { names, defaultId } = deps.identities.snapshot(job.user.token);
    return { kind: 'text', content: IDENTITY_TEXTS.listid(names, defaultId) };
  },
};

export const delid: CommandHandler = {
  deferred: false,
  async run(job, deps) {
    const name = (job.args.strings.get('idname') ?? '').trim();
    const saved = deps.identities.get(job.user.token, name);
    if (!saved) return refuse(IDENTITY_ERRORS.UNKNOWN_ID(name));
    deps.identities.delete(job.user.token, name);
    return { kind: 'text', content: IDENTITY_TEXTS.deleted(saved.name) };
  },
};

export const delall: CommandHandler = {
  deferred: false,
  async run(job, deps) {
    return { kind: 'text', content: IDENTITY_TEXTS.deletedAll(deps.identities.clear(job.user.token)) };
  },
};
