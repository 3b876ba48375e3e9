/**
 * What the driver sends for each InsightFaceSwap command and how its answer reads, as data. The
 * option names here are fallbacks only: the real names and types are read from the command index
 * entry at run time (command-options.ts). Names from public automation code (docs/discord-protocol.md):
 * /saveid and /swapid take `idname` + `image`, /setid `idname`; /delid's `idname` is inferred.
 */
import type { BotCommand } from '../jobs/commands.js';
import { ApplicationCommandOptionType, INFERRED } from './protocol.js';

/** What an option carries, by meaning: the run's images and texts (CommandRun in types.ts). */
export type OptionRole = 'source' | 'target' | 'options' | 'idname';

export interface OptionSpec {
  role: OptionRole;
  type: ApplicationCommandOptionType.Attachment | ApplicationCommandOptionType.String;
  /** Used only when the index entry has no option of this type left to take. */
  fallbackName: string;
}

/**
 * How the command's final answer looks. `image`: a message with attachments (a text-only message
 * is a progress note). `text`: any message that is neither the placeholder nor an error is the
 * answer (with or without attachments).
 */
export type AnswerRule = 'image' | 'text';

export interface CommandSpec {
  options: readonly OptionSpec[];
  answer: AnswerRule;
}

const { Attachment, String: Text } = ApplicationCommandOptionType;
const idname: OptionSpec = { role: 'idname', type: Text, fallbackName: INFERRED.identityOptionNames.idname };

export const COMMAND_SPECS: Readonly<Record<BotCommand, CommandSpec>> = {
  picsi: {
    options: [
      { role: 'source', type: Attachment, fallbackName: INFERRED.picsiOptionNames.source },
      { role: 'target', type: Attachment, fallbackName: INFERRED.picsiOptionNames.target },
      { role: 'options', type: Text, fallbackName: INFERRED.picsiOptionNames.options },
    ],
    answer: 'image',
  },
  saveid: { options: [idname, { role: 'source', type: Attachment, fallbackName: INFERRED.identityOptionNames.image }], answer: 'text' },
  swapid: { options: [idname, { role: 'target', type: Attachment, fallbackName: INFERRED.identityOptionNames.image }], answer: 'image' },
  setid: { options: [idname], answer: 'text' },
  listid: { options: [], answer: 'text' },
  delid: { options: [idname], answer: 'text' },
  delall: { options: [], answer: 'text' },
};
