import type { SimulatorContext } from '../context.js';
import type { Route } from '../http/router.js';
import { caller } from '../http/request.js';
import type { HttpResponse } from '../http/responses.js';
import {
  botsCannotUse,
  fieldError,
  missingAccess,
  noContent,
  rateLimited,
  unauthorized,
  unknownApplication,
  unknownChannel,
  unknownCommand,
  unknownGuild,
} from '../http/responses.js';
import { STALE_COMMAND_ERROR } from '../wire.js';
import { resolveArgs } from './command-args.js';
import { parseInvoke } from './interaction-body.js';

/**
 * POST /interactions: checked in the order auth → body shape → application, guild, channel,
 * membership → gateway session → the command's options and uploads. Only then is the channel's
 * next scripted behaviour consumed (so a malformed request never eats one), whatever the command:
 * rateLimit answers 429, staleCommandVersion bumps the versions; the version check follows; then
 * 204 and the bot runs.
 */
async function invoke(ctx: Parameters<Route['handler']>[0], sim: SimulatorContext): Promise<HttpResponse> {
  const who = caller(ctx, sim);
  if (!who) return unauthorized();
  if (who.kind === 'bot') return botsCannotUse();
  const parsed = await parseInvoke(ctx);
  if (!parsed.ok) return parsed.response;
  const { body } = parsed.value;
  ctx.channelId = body.channel_id;

  if (body.application_id !== sim.applicationId) return unknownApplication();
  if (!sim.accounts.guild(body.guild_id)) return unknownGuild();
  const channel = sim.accounts.channel(body.channel_id);
  if (!channel || channel.guildId !== body.guild_id) return unknownChannel();
  if (!sim.accounts.isMember(who.user.token, body.guild_id)) return missingAccess();

  const session = sim.sessions.get(body.session_id);
  if (!session || session.invalidated || session.token !== who.user.token) {
    // The real code is not public (inferred); what matters is a 400 before anything runs.
    return fieldError(['session_id'], 'INTERACTION_SESSION_INVALID', 'Unknown or expired gateway session.');
  }

  const command = sim.commands.find(body.data.id);
  if (!command) return unknownCommand();
  if (command.application_id !== sim.applicationId || !sim.bot.runs(command.name) || body.data.name !== command.name) {
    return fieldError(['data', 'id'], 'BASE_TYPE_CHOICES', 'The simulator only runs InsightFaceSwap commands.');
  }
  const args = resolveArgs(parsed.value, command.options ?? [], who.user, body.channel_id, sim);
  if (!args.ok) return args.response;

  const behaviour = sim.scripts.next(channel.channelId);
  // Wall time, not the injected clock: clients compare X-RateLimit-Reset with their own.
  if (behaviour.kind === 'rateLimit') return rateLimited(behaviour.retryAfterSeconds, Date.now());
  if (behaviour.kind === 'staleCommandVersion') {
    sim.commands.bump();
    return invalidVersion();
  }
  if (body.data.version !== command.version) return invalidVersion();

  for (const uploaded of args.value.uploadedFilenames) sim.uploads.consume(uploaded);
  const interactionId = sim.newId();
  const inFlight = sim.stats.begin(channel.channelId, body.nonce, interactionId);
  // Runs after the 204 is written: dispatches must not overtake the HTTP response.
  setImmediate(() => {
    sim.bot
      .run({
        interactionId,
        nonce: body.nonce,
        session,
        channel,
        user: who.user,
        command: command.name,
        args: args.value,
        behaviour,
        inFlight,
      })
      .catch((err: unknown) => {
        sim.logger.error({ err, interactionId }, 'simulated bot crashed');
        inFlight.end('silence', false);
      });
  });
  return noContent();
}

const invalidVersion = (): HttpResponse => fieldError(['data'], STALE_COMMAND_ERROR.code, STALE_COMMAND_ERROR.message);

export const interactionRoutes: Route[] = [{ method: 'POST', pattern: '/interactions', handler: invoke }];
