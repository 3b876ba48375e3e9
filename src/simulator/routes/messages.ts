import type { RESTGetAPIChannelMessagesResult } from 'discord-api-types/v10';
import type { Route } from '../http/router.js';
import { forVisibleChannel } from '../http/access.js';
import { fieldError, json, unknownMessage } from '../http/responses.js';

const SNOWFLAKE = /^\d{1,20}$/;

export const messageRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/channels/:channelId/messages',
    handler: forVisibleChannel((ctx, sim, channel) => {
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
      const body: RESTGetAPIChannelMessagesResult = sim.messages.list(channel.channelId, {
        limit,
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      });
      return json(200, body);
    }),
  },
  {
    method: 'GET',
    pattern: '/channels/:channelId/messages/:messageId',
    handler: forVisibleChannel((ctx, sim, channel) => {
      const message = sim.messages.get(channel.channelId, ctx.params.messageId ?? '');
      return message ? json(200, message) : unknownMessage();
    }),
  },
];
