/**
 * The simulated bot's identity commands: how they are declared in the command index, the rules
 * for names, what they cost and the words they answer with. Declarations follow public automation
 * code (see docs/discord-protocol.md); the wordings, the multi-name limit of /swapid and the
 * free /saveid are the simulator's own inventions, kept here so a driver that depends on them
 * fails the end-to-end tests instead of agreeing with itself.
 */
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { APIApplicationCommandOption } from 'discord-api-types/v10';

export const IDENTITY_COMMAND_NAMES = ['saveid', 'swapid', 'setid', 'listid', 'delid', 'delall'] as const;
export type IdentityCommandName = (typeof IDENTITY_COMMAND_NAMES)[number];

const idname = (description: string): APIApplicationCommandOption => ({
  type: ApplicationCommandOptionType.String,
  name: 'idname',
  description,
  required: true,
});
const image = (description: string): APIApplicationCommandOption => ({
  type: ApplicationCommandOptionType.Attachment,
  name: 'image',
  description,
  required: true,
});

/** Each command as the command index declares it. */
export const IDENTITY_COMMANDS: Readonly<Record<IdentityCommandName, { description: string; options: APIApplicationCommandOption[] }>> = {
  saveid: { description: 'Save Identity Feature by Name and Image', options: [idname('idname to save'), image('id image')] },
  swapid: {
    description: 'Swap saved identities onto a target image or gif',
    options: [idname('saved idnames, comma separated'), image('target image or gif')],
  },
  setid: {
    description: 'Set the default identities: names, _ to skip a face, a+b to mix, --greedy',
    options: [idname('idnames and flags')],
  },
  listid: { description: 'List your saved identities', options: [] },
  delid: { description: 'Delete a saved identity', options: [idname('idname to delete')] },
  delall: { description: 'Delete all your saved identities', options: [] },
};

/** Letters and digits, at most 10 (bot README); at most 20 saved per account. */
export const ID_NAME_PATTERN = /^[A-Za-z0-9]{1,10}$/;
export const MAX_SAVED_IDS = 20;
/** The simulator's own rule: its stand-in renderer has four face slots, so /swapid takes at most 4 names. */
export const MAX_SWAPID_NAMES = 4;

/** Credits per command on a still target (inferred). GIF targets cost GIF_RULES instead. */
export const IDENTITY_CREDIT_COST: Readonly<Record<IdentityCommandName, number>> = {
  saveid: 0,
  swapid: 3,
  setid: 0,
  listid: 0,
  delid: 0,
  delall: 0,
};

export interface SetIdSlot {
  /** Names mixed into this face (`a+b`); empty for `_` (the face is left alone). */
  names: string[];
}

/** The bot's text answers. */
export const IDENTITY_TEXTS = {
  saved: (user: string, name: string) => `<@${user}> Identity **${name}** saved and set as your default id.`,
  swapped: (user: string, names: readonly string[]) => `<@${user}> swapped with ${names.map((n) => `**${n}**`).join(', ')}`,
  setid: (slots: readonly SetIdSlot[], greedy: boolean) =>
    `Current default id set to: ${slots.map((s) => (s.names.length === 0 ? '_' : s.names.join('+'))).join(', ')}${greedy ? ' (greedy)' : ''}`,
  listid: (names: readonly string[], defaultId: string | undefined) =>
    names.length === 0
      ? 'You have no saved ids. Use /saveid to save one.'
      : `Your saved ids (${names.length}/${MAX_SAVED_IDS}): ${names.join(', ')}${defaultId ? `\nDefault id: ${defaultId}` : ''}`,
  deleted: (name: string) => `Identity **${name}** deleted.`,
  deletedAll: (count: number) => `All your saved ids have been deleted (${count}).`,
} as const;

/** The bot's identity errors (red embeds, `describedErrorEmbed`); descriptions take the offending value. */
export const IDENTITY_ERRORS = {
  INVALID_ID_NAME: (name: string) => `Invalid idname "${name}". Use letters and digits only, at most 10 characters.`,
  ID_NO_FACE: () => 'No face detected in the id image. Please upload a photo with a clearly visible face.',
  TOO_MANY_IDS: () => `You can save at most ${MAX_SAVED_IDS} ids. Delete one with /delid first.`,
  UNKNOWN_ID: (name: string) => `Identity "${name}" not found. Use /listid to see your saved ids.`,
  TOO_MANY_NAMES: (count: number) => `Too many ids (${count}): at most ${MAX_SWAPID_NAMES} per swap.`,
  INVALID_SETID: (text: string) =>
    `Invalid setid value "${text}". Use names separated by commas, _ to skip a face, a+b to mix, --greedy or --nogreedy.`,
} as const;

export type IdentityErrorKind = keyof typeof IDENTITY_ERRORS;
