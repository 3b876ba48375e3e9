import type { RESTGetAPIChannelResult, RESTGetAPICurrentUserResult, RESTGetAPIGuildResult } from 'discord-api-types/v10';
import type { SimulatorContext } from '../context.js';
import { guildCreate, textChannel } from '../gateway/payloads.js';
import type { Route } from '../http/router.js';
import { forVisibleChannel, forVisibleGuild } from '../http/access.js';
import { caller } from '../http/request.js';
import { json, unauthorized } from '../http/responses.js';
import type { SimGuild } from '../state/accounts.js';

/** Read-only lookups a client makes before using an account: who it is, a guild, a channel. */
export const lookupRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/users/@me',
    handler: (ctx, sim) => {
      const who = caller(ctx, sim);
      if (!who) return unauthorized();
      const body: RESTGetAPICurrentUserResult = who.kind === 'bot' ? sim.botUser : who.user.user;
      return json(200, body);
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guildId',
    handler: forVisibleGuild((_ctx, sim, guild) => json(200, restGuild(guild, sim))),
  },
  {
    method: 'GET',
    pattern: '/channels/:channelId',
    handler: forVisibleChannel((_ctx, sim, channel) => {
      const position = sim.accounts.guild(channel.guildId)?.channelIds.indexOf(channel.channelId) ?? 0;
      const body: RESTGetAPIChannelResult = textChannel(channel, Math.max(0, position));
      return json(200, body);
    }),
  },
];

/** The guild as REST returns it: GUILD_CREATE without its gateway-only fields. */
function restGuild(guild: SimGuild, sim: SimulatorContext): RESTGetAPIGuildResult {
  const {
    joined_at: _joinedAt,
    large: _large,
    unavailable: _unavailable,
    member_count: _memberCount,
    voice_states: _voiceStates,
    members: _members,
    channels: _channels,
    threads: _threads,
    presences: _presences,
    stage_instances: _stageInstances,
    guild_scheduled_events: _events,
    soundboard_sounds: _sounds,
    ...rest
  } = guildCreate(guild, sim.accounts, sim.botUser, sim.nowIso());
  return rest;
}
