/**
 * The POST /interactions body of one command (docs/discord-protocol.md): the option names and
 * types come from the command index entry, matched to the command's roles (command-specs.ts).
 */
import type { APIApplicationCommand, APIApplicationCommandOption } from 'discord-api-types/v10';
import type { BotCommand } from '../jobs/commands.js';
import type { OptionRole, OptionSpec } from './command-specs.js';
import { COMMAND_SPECS } from './command-specs.js';
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionType } from './protocol.js';
import type { InteractionAttachmentRef, PicsiInvokeOption, SlashCommandInvokeBody } from './protocol.js';

export interface InvokeParams {
  name: BotCommand;
  command: APIApplicationCommand;
  guildId: string;
  channelId: string;
  sessionId: string;
  nonce: string;
  /** The uploaded files by role (the command's attachment options). */
  attachments: Partial<Record<OptionRole, InteractionAttachmentRef>>;
  /** The text values by role; null or blank values are left out. */
  texts: Partial<Record<OptionRole, string | null>>;
}

export function commandInvokeBody(p: InvokeParams): SlashCommandInvokeBody {
  const spec = COMMAND_SPECS[p.name];
  const names = optionNamesFor(spec.options, p.command.options ?? []);
  const options: PicsiInvokeOption[] = [];
  const attachments: InteractionAttachmentRef[] = [];
  for (const option of spec.options) {
    const name = names.get(option.role) ?? option.fallbackName;
    if (option.type === ApplicationCommandOptionType.Attachment) {
      const ref = p.attachments[option.role];
      if (!ref) continue;
      options.push({ type: ApplicationCommandOptionType.Attachment, name, value: attachments.length });
      attachments.push({ ...ref, id: String(attachments.length) });
    } else {
      const value = p.texts[option.role];
      if (value === null || value === undefined || value.trim() === '') continue;
      options.push({ type: ApplicationCommandOptionType.String, name, value });
    }
  }
  return {
    type: InteractionType.ApplicationCommand,
    application_id: p.command.application_id,
    guild_id: p.guildId,
    channel_id: p.channelId,
    session_id: p.sessionId,
    nonce: p.nonce,
    data: {
      version: p.command.version,
      id: p.command.id,
      name: p.command.name,
      type: ApplicationCommandType.ChatInput,
      options,
      application_command: p.command,
      attachments,
    },
  };
}

/**
 * Each role's option name as the index declares it: the option of the role's type with the
 * fallback name if there is one, else the first of that type not taken yet, in declaration order.
 * A role the index has no option for keeps its fallback name (the bot's refusal then says why).
 */
export function optionNamesFor(specs: readonly OptionSpec[], defs: readonly APIApplicationCommandOption[]): Map<OptionRole, string> {
  const names = new Map<OptionRole, string>();
  const taken = new Set<string>();
  const ofType = (spec: OptionSpec) => defs.filter((d) => d.type === spec.type && !taken.has(d.name)).map((d) => d.name);
  // Exact names first, so a renamed option elsewhere cannot take another role's name.
  for (const spec of specs) {
    if (ofType(spec).includes(spec.fallbackName)) {
      names.set(spec.role, spec.fallbackName);
      taken.add(spec.fallbackName);
    }
  }
  for (const spec of specs) {
    if (names.has(spec.role)) continue;
    const name = ofType(spec)[0];
    if (name === undefined) continue;
    names.set(spec.role, name);
    taken.add(name);
  }
  return names;
}
