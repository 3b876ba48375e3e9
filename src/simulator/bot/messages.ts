import { InteractionType, MessageFlags, MessageType } from 'discord-api-types/v10';
import type { APIAttachment, APIEmbed, APIMessage, APIUser } from 'discord-api-types/v10';

/** What every message of one interaction reply shares. */
export interface ReplyContext {
  messageId: string;
  channelId: string;
  guildId: string;
  bot: APIUser;
  applicationId: string;
  user: APIUser;
  interactionId: string;
  /** The command's name, as `interaction.name` shows it. */
  commandName: string;
  /** ISO time the placeholder was created. */
  timestamp: string;
}

const NO_FLAGS = 0 as MessageFlags;

/**
 * The deferred reply ("is thinking…"). Bot replies carry no nonce of ours: the link to our
 * request is `interaction_metadata.id`, the id we got in INTERACTION_CREATE/SUCCESS.
 */
export function loadingMessage(ctx: ReplyContext): APIMessage {
  return base(ctx, { flags: MessageFlags.Loading, edited_timestamp: null });
}

/** The edit of a deferred reply (`editedAt` set) or a direct answer (`editedAt` null). */
export function resultMessage(ctx: ReplyContext, content: string, attachments: APIAttachment[], editedAt: string | null): APIMessage {
  return {
    ...base(ctx, { flags: NO_FLAGS, edited_timestamp: editedAt }),
    content,
    mentions: content.includes(`<@${ctx.user.id}>`) ? [ctx.user] : [],
    attachments,
  };
}

export function errorMessage(ctx: ReplyContext, embed: APIEmbed, editedAt: string | null): APIMessage {
  return {
    ...base(ctx, { flags: NO_FLAGS, edited_timestamp: editedAt }),
    embeds: [embed],
  };
}

function base(ctx: ReplyContext, parts: Pick<APIMessage, 'flags' | 'edited_timestamp'>): APIMessage {
  return {
    id: ctx.messageId,
    type: MessageType.ChatInputCommand,
    channel_id: ctx.channelId,
    author: ctx.bot,
    content: '',
    timestamp: ctx.timestamp,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    webhook_id: ctx.applicationId,
    application_id: ctx.applicationId,
    interaction_metadata: {
      id: ctx.interactionId,
      type: InteractionType.ApplicationCommand,
      user: ctx.user,
      authorizing_integration_owners: { '0': ctx.guildId },
    },
    interaction: { id: ctx.interactionId, type: InteractionType.ApplicationCommand, name: ctx.commandName, user: ctx.user },
    ...parts,
  };
}
