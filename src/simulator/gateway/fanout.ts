import type { APIMessage, GatewayMessageCreateDispatchData } from 'discord-api-types/v10';
import { GatewayIntentBits } from 'discord-api-types/v10';
import type { AccountRegistry } from '../state/accounts.js';
import type { GatewaySession, SessionRegistry } from './sessions.js';

/**
 * Sends a guild message event to everyone who would see it on Discord: sessions of users in the
 * guild, and bot sessions with the GUILD_MESSAGES intent. Without MESSAGE_CONTENT a bot gets
 * content, embeds and attachments blanked unless it wrote the message, as on Discord.
 */
export function dispatchGuildMessage(
  sessions: SessionRegistry,
  accounts: AccountRegistry,
  t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE',
  message: APIMessage,
  guildId: string,
): void {
  const full: GatewayMessageCreateDispatchData = { ...message, guild_id: guildId };
  for (const session of sessions.live()) {
    if (!seesGuildMessages(session, accounts, guildId)) continue;
    session.dispatch(t, canReadContent(session, message) ? full : { ...full, content: '', embeds: [], attachments: [], components: [] });
  }
}

function seesGuildMessages(session: GatewaySession, accounts: AccountRegistry, guildId: string): boolean {
  if (session.kind === 'user') return accounts.isMember(session.token, guildId);
  return (session.intents & GatewayIntentBits.GuildMessages) !== 0;
}

function canReadContent(session: GatewaySession, message: APIMessage): boolean {
  return session.kind === 'user' || message.author.id === session.userId || (session.intents & GatewayIntentBits.MessageContent) !== 0;
}
