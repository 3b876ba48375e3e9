/** The REST failure table on errors the simulator cannot produce (captcha, 401, 5xx, local 429). */
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { describe, expect, it } from 'vitest';
import { isInvalidCommandVersion, restFailure } from '../../src/discord/rest-errors.js';

const apiError = (status: number, body: Record<string, unknown>): DiscordAPIError =>
  new DiscordAPIError(body as never, (body.code as number | undefined) ?? 0, status, 'POST', 'https://discord.com/api/v9/interactions', {
    body: undefined,
    files: undefined,
  });

const rateLimit = new RateLimitError({
  timeToReset: 1200,
  limit: 1,
  method: 'POST',
  hash: 'h',
  url: 'https://discord.com/api/v9/interactions',
  route: '/interactions',
  majorParameter: 'global',
  global: false,
  retryAfter: 1200,
  sublimitTimeout: 0,
  scope: 'user',
});

describe('restFailure', () => {
  it('captcha → DISCORD_UNAUTHORIZED with the CAPTCHA signal and its evidence; a refused POST did not run', () => {
    const error = restFailure(apiError(400, { captcha_key: ['captcha-required'], captcha_sitekey: 'k', captcha_service: 'hcaptcha' }), {
      step: 'POST /interactions',
      commandSent: true,
    });
    // It reached the wire, and Discord refused it: it did not run.
    expect(error).toMatchObject({ code: 'DISCORD_UNAUTHORIZED', commandSent: true });
    expect([error.disableAccount, error.commandMayHaveRun]).toEqual([true, false]);
    expect(error.details).toMatchObject({ captcha: true, captcha_service: 'hcaptcha' });
    expect(error.signal).toEqual({
      id: 'CAPTCHA',
      evidence: {
        status: 400,
        code: null,
        message: null,
        route: 'POST /interactions',
        captcha_key: ['captcha-required'],
        captcha_sitekey: 'k',
        captcha_service: 'hcaptcha',
      },
      refused: true,
    });
  });

  it.each([
    [401, 0, 'TOKEN_REJECTED'],
    [403, 40002, 'VERIFICATION_REQUIRED'],
    [403, 50001, 'ACCESS_LOST'],
    [403, 50013, 'ACCESS_LOST'],
    [403, 0, 'FORBIDDEN'],
  ])('%i code %i → DISCORD_UNAUTHORIZED, signal %s (the account needs a person)', (status, code, signal) => {
    const error = restFailure(apiError(status, { message: 'refused', code }), { step: 'x', commandSent: false });
    expect(error).toMatchObject({ code: 'DISCORD_UNAUTHORIZED', disableAccount: true, commandSent: false, signal: { id: signal } });
    expect(error.signal?.evidence).toMatchObject({ status, code });
  });

  it('5xx and other 4xx → DISCORD_ERROR, account kept', () => {
    expect(
      restFailure(new HTTPError(502, 'Bad Gateway', 'POST', 'u', { body: undefined, files: undefined }), { step: 'x', commandSent: true }),
    ).toMatchObject({
      code: 'DISCORD_ERROR',
      disableAccount: false,
      commandSent: true,
      details: { status: 502 },
    });
    // An unknown channel or guild: the account lost it.
    expect(restFailure(apiError(404, { message: 'Unknown Channel', code: 10003 }), { step: 'x', commandSent: false })).toMatchObject({
      code: 'DISCORD_ERROR',
      details: { status: 404, code: 10003 },
      signal: { id: 'ACCESS_LOST' },
    });
    expect(
      restFailure(apiError(400, { message: 'Invalid Form Body', code: 50035 }), { step: 'x', commandSent: false }).signal,
    ).toBeUndefined();
  });

  it("a 429 answered by Discord carries its body's retry_after; one refused locally says so", () => {
    const body = { message: 'The resource is being rate limited.', retry_after: 1.234, global: false };
    const answered = restFailure(rateLimit, { step: 'x', commandSent: true, invoke: { sent: true, rateLimitBody: body } });
    expect(answered).toMatchObject({
      code: 'DISCORD_RATE_LIMITED',
      retryAfterMs: 1234,
      details: body,
      commandSent: true,
      signal: { id: 'RATE_LIMITED', waitMs: 1234, refused: true },
    });
    expect(answered.commandMayHaveRun).toBe(false);
    const local = restFailure(rateLimit, { step: 'x', commandSent: false, invoke: { sent: false } });
    expect(local).toMatchObject({
      code: 'DISCORD_RATE_LIMITED',
      retryAfterMs: 1200,
      commandSent: false,
      details: { retry_after: 1.2, local: true },
      signal: { id: 'RATE_LIMITED', waitMs: 1200, refused: true },
    });
  });

  it('recognises the stale-version 50035 and nothing else', () => {
    const stale = apiError(400, {
      code: 50035,
      message: 'Invalid Form Body',
      errors: { data: { _errors: [{ code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION', message: 'outdated' }] } },
    });
    expect(isInvalidCommandVersion(stale)).toBe(true);
    expect(isInvalidCommandVersion(apiError(400, { code: 50035, message: 'Invalid Form Body', errors: {} }))).toBe(false);
    expect(isInvalidCommandVersion(new Error('x'))).toBe(false);
  });
});
