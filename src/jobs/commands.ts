/**
 * The InsightFaceSwap commands a job may run, and what each takes: the job's kind. A job's `verb`
 * is `faceswap-<command>` (the hosted API's naming); its images are a face (`source`) and/or a
 * target (`target`), its text arguments `options` (/picsi) and `idname` (the identity commands).
 */

export const BOT_COMMANDS = ['picsi', 'saveid', 'swapid', 'setid', 'listid', 'delid', 'delall'] as const;
export type BotCommand = (typeof BOT_COMMANDS)[number];

export type JobVerb = `faceswap-${BotCommand}`;
export const verbOf = (command: BotCommand): JobVerb => `faceswap-${command}`;

/** The command of a verb; records written before the identity commands carry 'faceswap-picsi'. */
export function commandOf(verb: string): BotCommand {
  const command = BOT_COMMANDS.find((c) => verbOf(c) === verb);
  if (!command) throw new Error(`unknown job verb ${verb}`);
  return command;
}

export interface CommandInputs {
  /** The face image (/picsi's source_image, /saveid's image). */
  source: boolean;
  /** The target image or GIF (/picsi's target, /swapid's image). */
  target: boolean;
  /** The idname text argument. */
  idname: boolean;
}

export const COMMAND_INPUTS: Readonly<Record<BotCommand, CommandInputs>> = {
  picsi: { source: true, target: true, idname: false },
  saveid: { source: true, target: false, idname: true },
  swapid: { source: false, target: true, idname: true },
  setid: { source: false, target: false, idname: true },
  listid: { source: false, target: false, idname: false },
  delid: { source: false, target: false, idname: true },
  delall: { source: false, target: false, idname: false },
};

/**
 * Commands that act on the identities saved in one Discord account: with several accounts
 * configured they need `channel` (the hosted API's rule), since another account has other ids.
 */
export const IDENTITY_COMMANDS: ReadonlySet<BotCommand> = new Set(['saveid', 'swapid', 'setid', 'listid', 'delid', 'delall']);
