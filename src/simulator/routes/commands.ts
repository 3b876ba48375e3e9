import type { Route } from '../http/router.js';
import { caller } from '../http/request.js';
import { json, missingAccess, unauthorized, unknownGuild } from '../http/responses.js';

export const commandRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/guilds/:guildId/application-command-index',
    handler: (ctx, sim) => {
      const who = caller(ctx, sim);
      if (who?.kind !== 'user') return unauthorized();
      const guildId = ctx.params.guildId ?? '';
      if (!sim.accounts.guild(guildId)) return unknownGuild();
      if (!sim.accounts.isMember(who.user.token, guildId)) return missingAccess();
      return json(200, sim.commands.index(guildId));
    },
  },
];
