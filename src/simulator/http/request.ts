import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { SimUser } from '../state/accounts.js';
import type { SimulatorContext } from '../context.js';
import { invalidJson } from './responses.js';
import { validate, type Validated } from './validate.js';

export interface RequestContext {
  method: string;
  /** Route path: after `/api/v9|v10` for API routes, the full path otherwise. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  params: Readonly<Record<string, string>>;
  /** Channel to record the request under, set by handlers that learn it from the body. */
  channelId?: string;
}

export type Caller = { kind: 'user'; user: SimUser } | { kind: 'bot' };

/**
 * Who is calling: a user sends its raw token, a bot `Bot <token>`. A user token with a prefix,
 * or a bot token without one, is unknown to Discord and so is here.
 */
export function caller(ctx: RequestContext, sim: SimulatorContext): Caller | undefined {
  const header = ctx.headers.authorization;
  if (!header) return undefined;
  if (header.startsWith('Bot ')) return header.slice(4) === sim.botToken ? { kind: 'bot' } : undefined;
  const user = sim.accounts.userByToken(header);
  return user ? { kind: 'user', user } : undefined;
}

/** Whether the caller can see the channel's guild. */
export function canSee(who: Caller, guildId: string, sim: SimulatorContext): boolean {
  return who.kind === 'bot' || sim.accounts.isMember(who.user.token, guildId);
}

export function contentType(ctx: RequestContext): string {
  return (ctx.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The body as JSON, or undefined when it is not valid JSON. */
export function jsonBody(ctx: RequestContext): unknown {
  try {
    return JSON.parse(ctx.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON body checked against `schema`: 50109 when it is not JSON, 50035 when it does not fit. */
export function validJsonBody<T>(ctx: RequestContext, schema: z.ZodType<T>): Validated<T> {
  const body = jsonBody(ctx);
  return body === undefined ? { ok: false, response: invalidJson() } : validate(schema, body);
}
