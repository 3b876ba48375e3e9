/**
 * What Discord, the gateway, the bot or the network say about an account (not about one job), as
 * one table: each signal, how it is recognised, the health state it puts the account in, whether the
 * fact is verified or inferred and where it comes from, and what the operator does about it. The
 * recognisers below are the only code that reads these answers; the executor applies the state
 * (src/executor/account-health.ts). docs/discord-protocol.md ("Account health") prints this table.
 */
import type { AccountHealthState } from '../jobs/account.js';

export type AccountSignalId =
  | 'TOKEN_REJECTED'
  | 'CAPTCHA'
  | 'VERIFICATION_REQUIRED'
  | 'ACCESS_LOST'
  | 'FORBIDDEN'
  | 'MODERATION'
  | 'PROXY_UNREACHABLE'
  | 'RATE_LIMITED'
  | 'GATEWAY_UNAVAILABLE'
  | 'CREDITS_EXHAUSTED';

export interface AccountSignalRow {
  state: AccountHealthState;
  /** How long a timed state lasts when the signal itself does not say ('credits reset': 00:00 UTC). */
  lasts?: number | 'credits reset';
  /** How it is recognised. */
  recognised: string;
  status: 'verified' | 'inferred' | 'our choice';
  source: string;
  /** What the operator does (alerts and the accounts API say it). */
  action: string;
}

export const ACCOUNT_SIGNALS: Readonly<Record<AccountSignalId, AccountSignalRow>> = {
  TOKEN_REJECTED: {
    state: 'NEEDS_PERSON',
    recognised: 'HTTP 401 `{"message": "401: Unauthorized", "code": 0}` on any REST call; gateway close 4004',
    status: 'verified',
    source: "Discord's API docs (HTTP response codes, gateway close codes)",
    action:
      'copy a fresh user token (a password change or a logout invalidates it), upsertAccount or update DISCORD_ACCOUNTS, then resumeAccount',
  },
  CAPTCHA: {
    state: 'NEEDS_PERSON',
    recognised: 'HTTP 400 whose body has `captcha_key` (with `captcha_sitekey`, `captcha_service`); the request was not carried out',
    status: 'inferred',
    source: 'public self-bot libraries (the body Discord sends the web client)',
    action: 'log in with the account in a browser (through its proxy, if it has one) and solve the captcha, then resumeAccount',
  },
  VERIFICATION_REQUIRED: {
    state: 'NEEDS_PERSON',
    recognised: 'HTTP 403 with code 40002 "You need to verify your account in order to perform this action"',
    status: 'verified',
    source: "Discord's API docs (JSON error codes)",
    action: 'log in with the account and verify its e-mail or phone as Discord asks, then resumeAccount',
  },
  ACCESS_LOST: {
    state: 'NEEDS_PERSON',
    recognised:
      'HTTP 403 with code 50001 (Missing Access) or 50013 (Missing Permissions); HTTP 404 with code 10003 (Unknown Channel) or 10004 (Unknown Guild)',
    status: 'verified',
    source: "Discord's API docs (JSON error codes)",
    action: 'add the account back to the server and channel (or fix "server"/"channel"), then resumeAccount',
  },
  FORBIDDEN: {
    state: 'NEEDS_PERSON',
    recognised: 'any other HTTP 403',
    status: 'our choice',
    source: 'a refusal Discord does not explain: a person looks at the account before it is used again',
    action: 'log in with the account in the Discord client and check for a notice, then resumeAccount',
  },
  MODERATION: {
    state: 'NEEDS_PERSON',
    recognised: 'a reply of the bot that warns, restricts or bans the account (src/discord/bot-replies.ts, ACCOUNT_WARNING)',
    status: 'inferred',
    source: "the hosted API puts an account on hold when a moderation message appears; the bot's wording is not public",
    action: "read the bot's message in the channel, acknowledge or appeal it as it asks, then resumeAccount",
  },
  PROXY_UNREACHABLE: {
    state: 'NEEDS_PERSON',
    recognised:
      "the account's proxy refuses or drops the connection, or cannot reach Discord (checked with a direct connection to the proxy)",
    status: 'our choice',
    source: "the account must never fall back to the server's own address",
    action: 'bring the proxy back or give the account another one (upsertAccount or DISCORD_ACCOUNTS), then resumeAccount',
  },
  RATE_LIMITED: {
    state: 'COOLING_DOWN',
    lasts: 10_000,
    recognised: 'HTTP 429 with `retry_after` (seconds, float) and `global`; the account waits that long',
    status: 'verified',
    source: "Discord's rate-limit docs",
    action: 'nothing: the account takes jobs again after retry_after (lower the pace if it recurs)',
  },
  GATEWAY_UNAVAILABLE: {
    state: 'COOLING_DOWN',
    lasts: 30_000,
    recognised: "the account's gateway session is not ready within 15 s when a job needs it, or Discord cannot be reached without a proxy",
    status: 'our choice',
    source: 'the job moves to another account instead of waiting for JOB_TIMEOUT_MS',
    action: 'nothing unless it recurs: check the network and DISCORD_API_URL, run npm run doctor',
  },
  CREDITS_EXHAUSTED: {
    state: 'OUT_OF_CREDITS',
    lasts: 'credits reset',
    recognised: 'a reply of the bot saying the credits or the daily limit are used up (CREDITS_EXHAUSTED, DAILY_LIMIT)',
    status: 'inferred',
    source: "the bot's README (credits renew at 00:00 UTC); wordings in src/discord/bot-replies.ts",
    action: 'nothing: the account takes jobs again after 00:00 UTC',
  },
};

/** A signal as the driver saw it: which one, what Discord or the bot said, and a wait it named. */
export interface AccountSignal {
  id: AccountSignalId;
  /** Discord's status, code and body, or the bot's text; never a token or a proxy password. */
  evidence: Record<string, unknown>;
  /** A wait the signal named itself (a 429's retry_after), in ms. */
  waitMs?: number;
  /** Read from Discord's refusal of a request: that request (a command in it too) was not carried out. */
  refused?: boolean;
}

/** JSON error codes of Discord that say the account lost its channel or guild. */
const ACCESS_CODES: ReadonlySet<number> = new Set([50001, 50013, 10003, 10004]);
const VERIFY_CODE = 40002;

/** The signal of an error answer of Discord's REST API, or null when it says nothing about the account. */
export function signalOfRestAnswer(status: number, body: Record<string, unknown>, route: string): AccountSignal | null {
  const code = typeof body['code'] === 'number' ? body['code'] : null;
  const evidence = { status, code, message: typeof body['message'] === 'string' ? body['message'] : null, route };
  // Every one of these is Discord refusing the request: it was not carried out.
  const refused = true;
  if ('captcha_key' in body) {
    const { captcha_key, captcha_sitekey, captcha_service } = body;
    return { id: 'CAPTCHA', evidence: { ...evidence, captcha_key, captcha_sitekey, captcha_service }, refused };
  }
  if (status === 401) return { id: 'TOKEN_REJECTED', evidence, refused };
  if (code !== null && ACCESS_CODES.has(code)) return { id: 'ACCESS_LOST', evidence, refused };
  if (status === 403) return { id: code === VERIFY_CODE ? 'VERIFICATION_REQUIRED' : 'FORBIDDEN', evidence, refused };
  const retryAfter = body['retry_after'];
  if (status === 429 && typeof retryAfter === 'number') {
    const waitMs = Math.ceil(retryAfter * 1000);
    return { id: 'RATE_LIMITED', evidence: { ...evidence, retry_after: retryAfter, global: body['global'] ?? null }, waitMs, refused };
  }
  return null;
}

/** Gateway close 4004 (authentication failed): the token. */
const AUTHENTICATION_FAILED = 4004;

/** The signal of a gateway close, or null when the close says nothing about the account. */
export function signalOfGatewayClose(closeCode: number, closeReason: string): AccountSignal | null {
  return closeCode === AUTHENTICATION_FAILED ? { id: 'TOKEN_REJECTED', evidence: { closeCode, closeReason } } : null;
}

/** `{ signal }` for a DriverError of a fatal gateway close, `{}` when it says nothing about the account. */
export function signalField(err: { closeCode: number; closeReason: string }): { signal?: AccountSignal } {
  const signal = signalOfGatewayClose(err.closeCode, err.closeReason);
  return signal ? { signal } : {};
}
