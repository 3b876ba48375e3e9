/**
 * Each command's text arguments, checked and normalised before a job is accepted, for GraphQL and
 * REST alike: /picsi's options (src/jobs/options.ts) and the identity commands' idname
 * (src/jobs/identity-names.ts). A refusal is a BAD_USER_INPUT naming the field.
 */
import { AppError } from '../errors.js';
import type { BotCommand } from './commands.js';
import { parseIdName, parseSaveIdName, parseSetId, parseSwapIdNames } from './identity-names.js';
import { parsePicsiOptions } from './options.js';

export interface RawCommandArguments {
  options?: string | null;
  idname?: string | null;
}

export interface CommandArguments {
  options: string | null;
  idname: string | null;
}

type Rule = (value: string | null | undefined) => string | null;

function picsiOptions(value: string | null | undefined): string | null {
  const options = parsePicsiOptions(value);
  if (!options.ok) throw new AppError('BAD_USER_INPUT', `Invalid options: ${options.message}`, { field: 'options' });
  return options.normalized;
}

const none: Rule = () => null;

/** What each command takes: its options rule and its idname rule (`none`: the command has no such argument). */
const ARGUMENT_RULES: Readonly<Record<BotCommand, { options: Rule; idname: Rule }>> = {
  picsi: { options: picsiOptions, idname: none },
  saveid: { options: none, idname: (v) => parseSaveIdName(v) },
  swapid: { options: none, idname: (v) => parseSwapIdNames(v).join(',') },
  setid: { options: none, idname: (v) => parseSetId(v).normalized },
  listid: { options: none, idname: none },
  delid: { options: none, idname: (v) => parseIdName(v) },
  delall: { options: none, idname: none },
};

export function commandArguments(command: BotCommand, raw: RawCommandArguments): CommandArguments {
  const rules = ARGUMENT_RULES[command];
  return { options: rules.options(raw.options), idname: rules.idname(raw.idname) };
}
