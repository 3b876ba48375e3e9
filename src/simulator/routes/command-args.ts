import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { APIApplicationCommandOption } from 'discord-api-types/v10';
import type { UploadedFile } from '../bot/bot.js';
import type { SimulatorContext } from '../context.js';
import type { HttpResponse } from '../http/responses.js';
import { fieldError } from '../http/responses.js';
import type { SimUser } from '../state/accounts.js';
import type { ParsedInvoke } from './interaction-body.js';

type Step<T> = { ok: true; value: T } | { ok: false; response: HttpResponse };

export interface ResolvedArgs {
  files: Map<string, UploadedFile>;
  strings: Map<string, string>;
  /** Upload slots to consume once the interaction is accepted. */
  uploadedFilenames: string[];
}

/**
 * Checks the given options against the command's declaration (names, types, required ones) and
 * resolves attachment options to their bytes: an upload slot of this user and channel, or an
 * inline `files[n]` part.
 */
export function resolveArgs(
  parsed: ParsedInvoke,
  defs: readonly APIApplicationCommandOption[],
  user: SimUser,
  channelId: string,
  sim: SimulatorContext,
): Step<ResolvedArgs> {
  const { body, inlineFiles } = parsed;
  const given = body.data.options;
  for (const [i, option] of given.entries()) {
    const def = defs.find((d) => d.name === option.name);
    if (!def)
      return { ok: false, response: fieldError(['data', 'options', i, 'name'], 'BASE_TYPE_CHOICES', `Unknown option "${option.name}".`) };
    const valueOk =
      def.type === ApplicationCommandOptionType.Attachment ? Number.isInteger(option.value) : typeof option.value === 'string';
    const declaredType: number = def.type; // the body's option type is any integer from the wire
    if (option.type !== declaredType || !valueOk) {
      return {
        ok: false,
        response: fieldError(['data', 'options', i], 'BASE_TYPE_BAD_TYPE', `Option "${option.name}" has the wrong type.`),
      };
    }
  }
  for (const def of defs) {
    if (def.required && !given.some((o) => o.name === def.name)) {
      return { ok: false, response: fieldError(['data', 'options'], 'BASE_TYPE_REQUIRED', `Option "${def.name}" is required.`) };
    }
  }
  const out: ResolvedArgs = { files: new Map(), strings: new Map(), uploadedFilenames: [] };
  for (const option of given) {
    if (typeof option.value === 'string') {
      out.strings.set(option.name, option.value);
      continue;
    }
    const index = body.data.attachments.findIndex((a) => a.id === String(option.value));
    const ref = body.data.attachments[index];
    if (!ref)
      return {
        ok: false,
        response: fieldError(['data', 'attachments'], 'ATTACHMENT_NOT_FOUND', `No attachment for option "${option.name}".`),
      };
    if (ref.uploaded_filename === undefined) {
      const bytes = inlineFiles.get(ref.id);
      if (!bytes)
        return {
          ok: false,
          response: fieldError(['data', 'attachments', index], 'ATTACHMENT_NOT_FOUND', 'Attachment has neither an upload nor a file part.'),
        };
      out.files.set(option.name, { bytes, filename: ref.filename });
      continue;
    }
    const slot = sim.uploads.uploaded(ref.uploaded_filename, user.token, channelId);
    if (!slot) {
      // Inferred wording: Discord answers 400 when an uploaded_filename was never uploaded.
      return {
        ok: false,
        response: fieldError(
          ['data', 'attachments', index, 'uploaded_filename'],
          'ATTACHMENT_NOT_FOUND',
          'Unknown or incomplete attachment upload.',
        ),
      };
    }
    out.files.set(option.name, { bytes: slot.bytes, filename: ref.filename });
    out.uploadedFilenames.push(slot.uploadFilename);
  }
  return { ok: true, value: out };
}
