import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { APIApplicationCommandOption } from 'discord-api-types/v10';
import { PICSI } from '../bot/insightfaceswap.js';
import type { UploadedFile } from '../bot/picsi-bot.js';
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
import type { SimUser } from '../state/accounts.js';
import type { ParsedInvoke } from './interaction-body.js';
import { STALE_COMMAND_ERROR } from '../wire.js';
import { parseInvoke } from './interaction-body.js';

type Step<T> = { ok: true; value: T } | { ok: false; response: HttpResponse };

interface ResolvedFiles {
  source: UploadedFile & { uploadedFilename?: string };
  target: UploadedFile & { uploadedFilename?: string };
  optionsText: string | undefined;
}

/**
 * POST /interactions: checked in the order auth → body shape → application, guild, channel,
 * membership → gateway session → options and uploads. Only then is the channel's next scripted
 * behaviour consumed (so a malformed request never eats one): rateLimit answers 429,
 * staleCommandVersion bumps the version; the version check follows; then 204 and the bot runs.
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
  if (command.name !== PICSI.name || command.application_id !== sim.applicationId || body.data.name !== command.name) {
    return fieldError(['data', 'id'], 'BASE_TYPE_CHOICES', 'The simulator only runs InsightFaceSwap /picsi.');
  }
  const files = resolveFiles(parsed.value, command.options ?? [], who.user, body.channel_id, sim);
  if (!files.ok) return files.response;

  const behaviour = sim.scripts.next(channel.channelId);
  // Wall time, not the injected clock: clients compare X-RateLimit-Reset with their own.
  if (behaviour.kind === 'rateLimit') return rateLimited(behaviour.retryAfterSeconds, Date.now());
  if (behaviour.kind === 'staleCommandVersion') {
    sim.commands.bump();
    return invalidVersion();
  }
  if (body.data.version !== sim.commands.picsi.version) return invalidVersion();

  for (const f of [files.value.source, files.value.target]) if (f.uploadedFilename) sim.uploads.consume(f.uploadedFilename);
  const interactionId = sim.newId();
  const inFlight = sim.stats.begin(channel.channelId, body.nonce, interactionId);
  // Runs after the 204 is written: dispatches must not overtake the HTTP response.
  setImmediate(() => {
    sim.bot
      .run({ interactionId, nonce: body.nonce, session, channel, user: who.user, ...files.value, behaviour, inFlight })
      .catch((err: unknown) => {
        sim.logger.error({ err, interactionId }, 'simulated bot crashed');
        inFlight.end('silence', false);
      });
  });
  return noContent();
}

function resolveFiles(
  parsed: ParsedInvoke,
  defs: readonly APIApplicationCommandOption[],
  user: SimUser,
  channelId: string,
  sim: SimulatorContext,
): Step<ResolvedFiles> {
  const { body, inlineFiles } = parsed;
  const given = body.data.options;
  for (const [i, option] of given.entries()) {
    const def = defs.find((d) => d.name === option.name);
    if (!def) return { ok: false, response: fieldError(['data', 'options', i, 'name'], 'BASE_TYPE_CHOICES', `Unknown option "${option.name}".`) };
    const valueOk = def.type === ApplicationCommandOptionType.Attachment ? Number.isInteger(option.value) : typeof option.value === 'string';
    if (option.type !== def.type || !valueOk) {
      return { ok: false, response: fieldError(['data', 'options', i], 'BASE_TYPE_BAD_TYPE', `Option "${option.name}" has the wrong type.`) };
    }
  }
  for (const def of defs) {
    if (def.required && !given.some((o) => o.name === def.name)) {
      return { ok: false, response: fieldError(['data', 'options'], 'BASE_TYPE_REQUIRED', `Option "${def.name}" is required.`) };
    }
  }
  const file = (name: string): Step<ResolvedFiles['source']> => {
    const index = body.data.attachments.findIndex((a) => a.id === String(given.find((o) => o.name === name)?.value));
    const ref = body.data.attachments[index];
    if (!ref) return { ok: false, response: fieldError(['data', 'attachments'], 'ATTACHMENT_NOT_FOUND', `No attachment for option "${name}".`) };
    if (ref.uploaded_filename === undefined) {
      const bytes = inlineFiles.get(ref.id);
      if (bytes) return { ok: true, value: { bytes, filename: ref.filename } };
      return { ok: false, response: fieldError(['data', 'attachments', index], 'ATTACHMENT_NOT_FOUND', 'Attachment has neither an upload nor a file part.') };
    }
    const slot = sim.uploads.uploaded(ref.uploaded_filename, user.token, channelId);
    if (!slot) {
      // Inferred wording: Discord answers 400 when an uploaded_filename was never uploaded.
      return { ok: false, response: fieldError(['data', 'attachments', index, 'uploaded_filename'], 'ATTACHMENT_NOT_FOUND', 'Unknown or incomplete attachment upload.') };
    }
    return { ok: true, value: { bytes: slot.bytes, filename: ref.filename, uploadedFilename: slot.uploadFilename } };
  };
  const source = file(sim.commands.picsiOptionNames.source);
  if (!source.ok) return source;
  const target = file(sim.commands.picsiOptionNames.target);
  if (!target.ok) return target;
  const options = given.find((o) => o.name === sim.commands.picsiOptionNames.options)?.value;
  return { ok: true, value: { source: source.value, target: target.value, optionsText: typeof options === 'string' ? options : undefined } };
}

const invalidVersion = (): HttpResponse => fieldError(['data'], STALE_COMMAND_ERROR.code, STALE_COMMAND_ERROR.message);

export const interactionRoutes: Route[] = [{ method: 'POST', pattern: '/interactions', handler: invoke }];
