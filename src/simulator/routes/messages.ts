import type { RESTGetAPIChannelMessagesResult } from 'discord-api-types/v10';
import type { Route } from '../http/router.js';
import type { RequestContext } from '../http/request.js';
import { canSee, caller } from '../http/request.js';
import type { HttpResponse } from '../http/responses.js';
import { fieldError, json, missingAccess, unauthorized, unknownChannel, unknownMessage } from '../http/responses.js';
import type { SimulatorContext } from '../context.js';
import type { SimChannel } from '../state/accounts.js';

const SNOWFLAKE = /^\d{1,20}$/;

export function visibleChannel(ctx: RequestContext, sim: SimulatorContext): { channel: SimChannel } | { response: HttpResponse } {
  const who = caller(ctx, sim);
  if (!who) return { response: unauthorized() };
  const channel = sim.accounts.channel(ctx.params.channelId ?? '');
  if (!channel) return { response: unknownChannel() };
  if (!canSee(who, channel.guildId, sim)) return { response: missingAccess() };
  return { channel };
}

export const messageRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/channels/:channelId/messages',
    handler: (ctx, sim) => {
      const found = visibleChannel(ctx, sim);
      if ('response' in found) return found.response;
      const limitText = ctx.query.get('limit') ?? '50';
      const limit = Number(limitText);
      if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) {
        return fieldError(['limit'], 'NUMBER_TYPE_MAX', 'Value must be between 1 and 100.');
      }
      const before = ctx.query.get('before') ?? undefined;
      const after = ctx.query.get('after') ?? undefined;
      for (const [name, value] of [
        ['before', before],
        ['after', after],
      ] as const) {
        if (value !== undefined && !SNOWFLAKE.test(value))
          return fieldError([name], 'NUMBER_TYPE_COERCE', `Value "${value}" is not snowflake.`);
      }
      const body: RESTGetAPIChannelMessagesResult = sim.messages.list(found.channel.channelId, {
        limit,
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      });
      return json(200, body);
    },
  },
  {
    method: 'GET',
    pattern: '/channels/:channelId/messages/:messageId',
    handler: (ctx, sim) => {
      const found = visibleChannel(ctx, sim);
      if ('response' in found) return found.response;
      const message = sim.messages.get(found.channel.channelId, ctx.params.messageId ?? '');
      return message ? json(200, message) : unknownMessage();
    },
  },
];
