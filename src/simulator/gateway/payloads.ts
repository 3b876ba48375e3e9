import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
} from 'discord-api-types/v10';
import type {
  APIGuildMember,
  ApplicationFlags,
  GuildMemberFlags,
  RoleFlags,
  APITextChannel,
  APIUser,
  GatewayGuildCreateDispatchData,
  GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import type { UserReadyData } from '../wire.js';
import type { AccountRegistry, SimChannel, SimGuild } from '../state/accounts.js';
import type { GatewaySession } from './sessions.js';

const GATEWAY_VERSION = 10;
/** An empty bitfield: discord-api-types' flag enums have no member for 0. */
const NO_FLAGS = 0;
/** VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS | ATTACH_FILES. */
const EVERYONE_PERMISSIONS = String((1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 31n) | (1n << 15n));

export function userReady(session: GatewaySession, user: APIUser, guilds: SimGuild[], resumeUrl: string): UserReadyData {
  return {
    v: GATEWAY_VERSION,
    user,
    guilds: guilds.map((g) => ({ id: g.guildId, unavailable: true })),
    session_id: session.id,
    resume_gateway_url: resumeUrl,
    session_type: 'normal',
  };
}

export function botReady(
  session: GatewaySession,
  bot: APIUser,
  applicationId: string,
  guilds: SimGuild[],
  resumeUrl: string,
  shard: [number, number] | undefined,
): GatewayReadyDispatchData {
  return {
    v: GATEWAY_VERSION,
    user: bot,
    guilds: guilds.map((g) => ({ id: g.guildId, unavailable: true })),
    session_id: session.id,
    resume_gateway_url: resumeUrl,
    ...(shard ? { shard } : {}),
    application: { id: applicationId, flags: NO_FLAGS as ApplicationFlags, flags_new: '0' },
  };
}

export function textChannel(channel: SimChannel, position: number): APITextChannel & { guild_id: string } {
  return {
    id: channel.channelId,
    type: ChannelType.GuildText,
    guild_id: channel.guildId,
    name: channel.name,
    position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
  };
}

function member(user: APIUser, joinedAt: string): APIGuildMember {
  return { user, roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: NO_FLAGS as GuildMemberFlags };
}

/** GUILD_CREATE as a bot receives it: the guild's channels, the bot and the users as members. */
export function guildCreate(guild: SimGuild, accounts: AccountRegistry, bot: APIUser, joinedAt: string): GatewayGuildCreateDispatchData {
  const users = [...guild.memberTokens].flatMap((t) => {
    const u = accounts.userByToken(t);
    return u ? [u.user] : [];
  });
  const channels = guild.channelIds.flatMap((id, i) => {
    const c = accounts.channel(id);
    return c ? [textChannel(c, i)] : [];
  });
  const owner = users[0] ?? bot;
  return {
    id: guild.guildId,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: owner.id,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: [
      {
        id: guild.guildId,
        name: '@everyone',
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: EVERYONE_PERMISSIONS,
        managed: false,
        mentionable: false,
        flags: NO_FLAGS as RoleFlags,
      },
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: GuildPremiumTier.None,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    joined_at: joinedAt,
    large: false,
    unavailable: false,
    member_count: users.length + 1,
    voice_states: [],
    members: [...users, bot].map((u) => member(u, joinedAt)),
    channels,
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
