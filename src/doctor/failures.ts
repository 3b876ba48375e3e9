/** Turns what a check threw (a REST error, a gateway close, a network error) into words and a fix. */
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { GatewayFatalError } from '../discord/user-gateway.js';
import type { DiscordAccount } from '../discord/types.js';
import type { Check, CheckOutcome } from './types.js';

const fail = (summary: string, fix: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: 'fail',
  summary,
  fix,
  ...(details ? { details } : {}),
});

export function timedOut(check: Check, account: DiscordAccount, timeoutMs: number): CheckOutcome {
  return fail(
    `timed out (${timeoutMs} ms)`,
    `${check.request(account)} got no answer within ${timeoutMs} ms: check DISCORD_API_URL and the network, or retry with a longer --timeout-ms`,
  );
}

export function explainFailure(error: unknown, check: Check, account: DiscordAccount, apiUrl: string): CheckOutcome {
  const request = check.request(account);
  if (error instanceof DiscordAPIError) {
    const raw = error.rawError as unknown as Record<string, unknown>;
    const message = typeof raw.message === 'string' ? raw.message : error.message;
    const details = { status: error.status, code: error.code, message };
    if ('captcha_key' in raw)
      return fail('captcha', 'Discord asks this account for a captcha: log in with it in a browser once, then retry', details);
    if (error.status === 401) return fail('401 Unauthorized', 'token rejected (401): copy a fresh user token', details);
    if ((error.status === 403 || error.status === 404) && check.notVisibleFix)
      return fail(`${error.status} ${message}`, check.notVisibleFix(account), details);
    return fail(
      `HTTP ${error.status}`,
      `${request} answered HTTP ${error.status} (${message}): retry later; if it persists, check the account in the Discord client`,
      details,
    );
  }
  if (error instanceof RateLimitError) {
    return fail(
      'rate limited',
      `Discord rate-limited ${request} (retry after ${Math.ceil(error.retryAfter / 1000)} s): wait and run doctor again`,
    );
  }
  if (error instanceof HTTPError) {
    return fail(`HTTP ${error.status}`, `${request} answered HTTP ${error.status}: Discord may be down, retry later`, {
      status: error.status,
    });
  }
  if (error instanceof GatewayFatalError) {
    const details = { closeCode: error.closeCode, closeReason: error.closeReason };
    if (error.unauthorized)
      return fail(`closed ${error.closeCode}`, `the gateway rejected the token (${error.closeCode}): copy a fresh user token`, details);
    return fail(
      `closed ${error.closeCode}`,
      `the gateway closed the session with ${error.closeCode} (${error.closeReason || 'no reason'}): check DISCORD_API_URL`,
      details,
    );
  }
  const code = networkCode(error);
  if (code) return fail(code, `cannot reach ${apiUrl} (${code}): check DISCORD_API_URL and the network`);
  const message = error instanceof Error ? error.message : String(error);
  return fail('error', `${request} failed: ${message}`);
}

/** The system error code of a failed connection (undici puts it on the error's cause). */
function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}
