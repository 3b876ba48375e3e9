/**
 * Turns what a REST call threw into the driver's typed failure. What it says about the account comes
 * from one table (account-signals.ts: a captcha, a rejected token, lost access, a 429's cooldown…);
 * a refusal that names the account is DISCORD_UNAUTHORIZED, a 429 carries Discord's retry_after, the
 * rest is DISCORD_ERROR with Discord's code and message. Details never hold a token (none is in these
 * errors: the library keeps headers out of them).
 */
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { signalOfRestAnswer } from './account-signals.js';
import { DriverError } from './types.js';
import { INVALID_COMMAND_VERSION_ERROR, INVALID_FORM_BODY_CODE } from './protocol.js';
import type { InvokeTrace } from './rest-client.js';

export interface FailureContext {
  /** What the driver was doing ("upload slots", "POST /interactions"…), for the message. */
  step: string;
  commandSent: boolean;
  /** For POST /interactions: what reached the wire and Discord's 429 body. */
  invoke?: InvokeTrace;
}

/** True for 50035 INTERACTION_APPLICATION_COMMAND_INVALID_VERSION (refresh the index, retry once). */
export function isInvalidCommandVersion(err: unknown): boolean {
  return (
    err instanceof DiscordAPIError &&
    err.code === INVALID_FORM_BODY_CODE &&
    JSON.stringify(err.rawError).includes(INVALID_COMMAND_VERSION_ERROR)
  );
}

export function restFailure(err: unknown, ctx: FailureContext): DriverError {
  if (err instanceof DriverError) return err;
  if (err instanceof RateLimitError) return rateLimited(err, ctx);
  if (err instanceof DiscordAPIError) {
    const raw = err.rawError as unknown as Record<string, unknown>;
    const { commandSent } = ctx;
    const signal = signalOfRestAnswer(err.status, raw, ctx.step) ?? undefined;
    if (signal?.id === 'CAPTCHA') {
      return new DriverError('DISCORD_UNAUTHORIZED', `Discord asked for a captcha on ${ctx.step}`, {
        commandSent,
        signal,
        details: { status: err.status, captcha: true, captcha_key: raw.captcha_key, captcha_service: raw.captcha_service },
        cause: err,
      });
    }
    const details = {
      status: err.status,
      code: err.code,
      message: typeof raw.message === 'string' ? raw.message : err.message,
      ...('errors' in raw ? { errors: raw.errors } : {}),
    };
    if (err.status === 401 || err.status === 403) {
      return new DriverError('DISCORD_UNAUTHORIZED', `Discord refused the account on ${ctx.step} (HTTP ${err.status})`, {
        commandSent,
        ...(signal ? { signal } : {}),
        details,
        cause: err,
      });
    }
    return new DriverError('DISCORD_ERROR', `Discord answered ${ctx.step} with HTTP ${err.status}: ${details.message}`, {
      commandSent,
      ...(signal ? { signal } : {}),
      details,
      cause: err,
    });
  }
  if (err instanceof HTTPError) {
    return new DriverError('DISCORD_ERROR', `Discord answered ${ctx.step} with HTTP ${err.status}`, {
      commandSent: ctx.commandSent,
      details: { status: err.status },
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new DriverError('DISCORD_ERROR', `${ctx.step} failed: ${message}`, {
    commandSent: ctx.commandSent,
    details: { message },
    cause: err,
  });
}

function rateLimited(err: RateLimitError, ctx: FailureContext): DriverError {
  const body = ctx.invoke?.rateLimitBody;
  const retryAfter = typeof body === 'object' && body !== null ? (body as { retry_after?: unknown }).retry_after : undefined;
  if (typeof retryAfter === 'number') {
    const signal = signalOfRestAnswer(429, body as Record<string, unknown>, ctx.step) ?? undefined;
    return new DriverError('DISCORD_RATE_LIMITED', `Discord /interactions failed with HTTP status 429`, {
      commandSent: ctx.commandSent,
      retryAfterMs: Math.ceil(retryAfter * 1000),
      details: body,
      ...(signal ? { signal } : {}),
      cause: err,
    });
  }
  // The library refused before sending: the bucket is still exhausted from an earlier 429.
  const waitMs = Math.max(0, Math.ceil(err.retryAfter));
  return new DriverError('DISCORD_RATE_LIMITED', `Discord rate limit on ${ctx.step} not yet reset`, {
    commandSent: ctx.commandSent,
    retryAfterMs: waitMs,
    signal: { id: 'RATE_LIMITED', evidence: { route: ctx.step, local: true, retry_after: waitMs / 1000 }, waitMs, refused: true },
    details: {
      message: 'The resource is being rate limited.',
      retry_after: Math.max(0, err.retryAfter) / 1000,
      global: err.global,
      local: true,
    },
    cause: err,
  });
}
