import { z } from 'zod';
import { ApplicationCommandType, InteractionType } from 'discord-api-types/v10';
import type { RequestContext } from '../http/request.js';
import { contentType, jsonBody } from '../http/request.js';
import type { HttpResponse } from '../http/responses.js';
import { fieldError, invalidJson } from '../http/responses.js';
import type { Validated } from '../http/validate.js';
import { validate } from '../http/validate.js';

const snowflake = z.string().regex(/^\d{1,20}$/, 'Value is not snowflake.');

const schema = z.object({
  type: z.literal(InteractionType.ApplicationCommand),
  application_id: snowflake,
  guild_id: snowflake,
  channel_id: snowflake,
  session_id: z.string().min(1).max(128),
  nonce: z.string().min(1).max(25),
  data: z.object({
    version: snowflake,
    id: snowflake,
    name: z.string().min(1).max(32),
    type: z.literal(ApplicationCommandType.ChatInput),
    options: z
      .array(z.object({ type: z.number().int(), name: z.string(), value: z.union([z.string(), z.number()]) }))
      .max(25)
      .default([]),
    application_command: z.unknown().optional(),
    attachments: z
      .array(
        z.object({
          id: z.union([z.string(), z.number().int()]).transform(String),
          filename: z.string().min(1).max(1024),
          uploaded_filename: z.string().min(1).optional(),
        }),
      )
      .max(10)
      .default([]),
  }),
});

export type InvokeBody = z.infer<typeof schema>;

export interface ParsedInvoke {
  body: InvokeBody;
  /** `files[n]` parts of a multipart body, by n (the attachment id). */
  inlineFiles: Map<string, Buffer>;
}

/** Reads POST /interactions: JSON, or multipart with `payload_json` and optional `files[n]`. */
export async function parseInvoke(ctx: RequestContext): Promise<Validated<ParsedInvoke>> {
  const inlineFiles = new Map<string, Buffer>();
  let payload: unknown;
  if (contentType(ctx) === 'multipart/form-data') {
    const form = await readForm(ctx);
    if (!form) return { ok: false, response: invalidMultipart() };
    const json = form.get('payload_json');
    payload = typeof json === 'string' ? safeJson(json) : undefined;
    for (const [key, value] of form.entries()) {
      const n = /^files\[(\d+)\]$/.exec(key)?.[1];
      if (n !== undefined && typeof value !== 'string') inlineFiles.set(n, Buffer.from(await value.arrayBuffer()));
    }
  } else {
    payload = jsonBody(ctx);
  }
  if (payload === undefined) return { ok: false, response: invalidJson() };
  const parsed = validate(schema, payload);
  return parsed.ok ? { ok: true, value: { body: parsed.value, inlineFiles } } : parsed;
}

async function readForm(ctx: RequestContext): Promise<FormData | undefined> {
  try {
    const request = new Request('http://simulator.invalid/', {
      method: 'POST',
      headers: { 'content-type': ctx.headers['content-type'] ?? '' },
      body: new Uint8Array(ctx.body),
    });
    return await request.formData();
  } catch {
    return undefined;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const invalidMultipart = (): HttpResponse => fieldError(['payload_json'], 'BASE_TYPE_REQUIRED', 'Malformed multipart body.');
