import type { RESTGetAPIGatewayBotResult, RESTGetAPIGatewayResult } from 'discord-api-types/v10';
import type { Route } from '../http/router.js';
import { caller } from '../http/request.js';
import { json, unauthorized } from '../http/responses.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const gatewayRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/gateway',
    handler: (_ctx, sim) => {
      const body: RESTGetAPIGatewayResult = { url: sim.gatewayUrl() };
      return json(200, body);
    },
  },
  {
    method: 'GET',
    pattern: '/gateway/bot',
    handler: (ctx, sim) => {
      if (caller(ctx, sim)?.kind !== 'bot') return unauthorized();
      const body: RESTGetAPIGatewayBotResult = {
        url: sim.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: DAY_MS, max_concurrency: 1 },
      };
      return json(200, body);
    },
  },
];
