/** The POST /interactions body of one /picsi (docs/discord-protocol.md), option names from the index entry. */
import type { APIApplicationCommand, APIApplicationCommandOption } from 'discord-api-types/v10';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionType,
  PICSI_COMMAND_NAME,
  PICSI_OPTION_NAMES,
} from './protocol.js';
import type { InteractionAttachmentRef, PicsiInvokeOption, SlashCommandInvokeBody } from './protocol.js';

export interface InvokeParams {
  command: APIApplicationCommand;
  guildId: string;
  channelId: string;
  sessionId: string;
  nonce: string;
  /** Source then target, as uploaded. */
  attachments: [InteractionAttachmentRef, InteractionAttachmentRef];
  options: string | null;
}

export function picsiInvokeBody(p: InvokeParams): SlashCommandInvokeBody {
  const names = optionNames(p.command.options ?? []);
  const options: PicsiInvokeOption[] = [
    { type: ApplicationCommandOptionType.Attachment, name: names.source, value: 0 },
    { type: ApplicationCommandOptionType.Attachment, name: names.target, value: 1 },
  ];
  if (p.options !== null && p.options.trim() !== '') {
    options.push({ type: ApplicationCommandOptionType.String, name: names.options, value: p.options });
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
      name: PICSI_COMMAND_NAME,
      type: ApplicationCommandType.ChatInput,
      options,
      application_command: p.command,
      attachments: p.attachments.map((a, i) => ({ ...a, id: String(i) })),
    },
  };
}

/**
 * The option names as the index declares them: the two attachment options in order (source, then
 * target) and the string option; the names in protocol.ts are only the fallback.
 */
export function optionNames(defs: readonly APIApplicationCommandOption[]): { source: string; target: string; options: string } {
  const attachments = defs.filter((d) => d.type === ApplicationCommandOptionType.Attachment).map((d) => d.name);
  const text = defs.find((d) => d.type === ApplicationCommandOptionType.String)?.name;
  const byName = (name: string): string | undefined => attachments.find((n) => n === name);
  const source = byName(PICSI_OPTION_NAMES.source) ?? attachments[0] ?? PICSI_OPTION_NAMES.source;
  const target = byName(PICSI_OPTION_NAMES.target) ?? attachments.find((n) => n !== source) ?? PICSI_OPTION_NAMES.target;
  return { source, target, options: text ?? PICSI_OPTION_NAMES.options };
}
