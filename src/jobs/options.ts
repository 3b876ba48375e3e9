/**
 * The /picsi option flags, as one table (docs/discord-protocol.md, the hosted API). The bot owns the truth: we check syntax
 * and value ranges only, so a typo fails fast instead of costing credits.
 */

export interface PicsiOptionSpec {
  flags: readonly string[];
  description: string;
  paid: boolean;
  /** Integer value range when the flag takes an (optional) value. */
  value?: { min: number; max: number; default?: number };
}

export const PICSI_OPTIONS: readonly PicsiOptionSpec[] = [
  { flags: ['-m'], description: 'retain the mouth of the target', paid: false },
  { flags: ['--shut'], description: 'eyes closed', paid: false },
  { flags: ['--ch'], description: 'chin and jaw', paid: false },
  { flags: ['--hl'], description: 'hairline', paid: false },
  { flags: ['-f'], description: 'face texturizer', paid: true },
  { flags: ['-s'], description: 'sharpen', paid: true },
  { flags: ['-e'], description: 'expression', paid: true, value: { min: 1, max: 1000 } },
  { flags: ['-o', '--oldify'], description: 'oldify', paid: true, value: { min: 1, max: 1000, default: 300 } },
  { flags: ['-y'], description: 'youngify', paid: true, value: { min: 1, max: 1000 } },
  { flags: ['-a'], description: 'artify', paid: true },
  { flags: ['-x'], description: 'xtreme', paid: true },
];

export const MAX_OPTIONS_LENGTH = 200;

const byFlag = new Map(PICSI_OPTIONS.flatMap((spec) => spec.flags.map((flag) => [flag, spec] as const)));

export type ParsedOptions = { ok: true; normalized: string | null } | { ok: false; message: string };

/** Validates an options string such as `-m -o 500 --shut`; returns it normalised (single spaces). */
export function parsePicsiOptions(input: string | null | undefined): ParsedOptions {
  if (input == null || input.trim() === '') return { ok: true, normalized: null };
  if (input.length > MAX_OPTIONS_LENGTH) return { ok: false, message: `options must be at most ${MAX_OPTIONS_LENGTH} characters` };

  const tokens = input.trim().split(/\s+/);
  const seen = new Set<PicsiOptionSpec>();
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const spec = byFlag.get(token);
    if (!spec) {
      const known = PICSI_OPTIONS.flatMap((s) => s.flags).join(', ');
      return { ok: false, message: `unknown option "${token}"; known options: ${known}` };
    }
    if (seen.has(spec)) return { ok: false, message: `option "${token}" is given twice` };
    seen.add(spec);
    out.push(token);

    const next = tokens[i + 1];
    if (next !== undefined && /^-?\d+$/.test(next)) {
      if (!spec.value) return { ok: false, message: `option "${token}" takes no value (got ${next})` };
      const value = Number(next);
      if (value < spec.value.min || value > spec.value.max) {
        return {
          ok: false,
          message: `option "${token}" value must be an integer from ${spec.value.min} to ${spec.value.max} (got ${next})`,
        };
      }
      out.push(String(value));
      i++;
    }
  }
  return { ok: true, normalized: out.join(' ') };
}
