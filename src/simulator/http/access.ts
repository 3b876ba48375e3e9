/**
 * Handlers for a route on one guild or channel, called only for a caller that may see it; any other
 * gets Discord's answer: 401 without a known token, then Unknown Guild/Channel, then 50001 Missing
 * Access when the caller is not in its guild.
 */
import type { SimulatorContext } from '../context.js';
import type { SimChannel, SimGuild } from '../state/accounts.js';
import { canSee, caller, type Caller, type RequestContext } from './request.js';
import { missingAccess, unauthorized, unknownChannel, unknownGuild, type HttpResponse } from './responses.js';
import type { Handler } from './router.js';

type VisibleHandler<T> = (ctx: RequestContext, sim: SimulatorContext, value: T, who: Caller) => HttpResponse | Promise<HttpResponse>;

function forVisible<T extends { guildId: string }>(
  find: (ctx: RequestContext, sim: SimulatorContext) => T | undefined,
  unknown: () => HttpResponse,
  handler: VisibleHandler<T>,
): Handler {
  return (ctx, sim) => {
    const who = caller(ctx, sim);
    if (!who) return unauthorized();
    const value = find(ctx, sim);
    if (!value) return unknown();
    if (!canSee(who, value.guildId, sim)) return missingAccess();
    return handler(ctx, sim, value, who);
  };
}

/** For a route on `:channelId`. */
export const forVisibleChannel = (handler: VisibleHandler<SimChannel>): Handler =>
  forVisible((ctx, sim) => sim.accounts.channel(ctx.params.channelId ?? ''), unknownChannel, handler);

/** For a route on `:guildId`. */
export const forVisibleGuild = (handler: VisibleHandler<SimGuild>): Handler =>
  forVisible((ctx, sim) => sim.accounts.guild(ctx.params.guildId ?? ''), unknownGuild, handler);
