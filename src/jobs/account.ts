/**
 * A configured Discord account as the domain knows it: shared by the job service (accounts API),
 * the executor and the driver, so none of them owns the others' types. Its health states and what
 * puts an account in each are described in docs/discord-protocol.md ("Account health").
 */

import type { BotPlan } from './command-costs.js';

/** Pacing of one account, each field overriding the ACCOUNT_* global of the same meaning. */
export interface AccountPacing {
  /** Least time between the end of a command and the next (ACCOUNT_MIN_GAP_MS). */
  minGapMs?: number;
  /** A random extra gap, 0 to this, drawn per command (ACCOUNT_JITTER_MS). */
  jitterMs?: number;
  /** Most commands per day in the account's time zone (ACCOUNT_DAILY_COMMANDS); null: no cap. */
  dailyCommands?: number | null;
  /** `HH:MM-HH:MM` (may wrap midnight) the account takes jobs in (ACCOUNT_ACTIVE_HOURS); null: always. */
  activeHours?: string | null;
  /** IANA time zone of activeHours and of the daily cap's day (ACCOUNT_TIMEZONE). */
  timezone?: string;
}

/** One configured Discord user account bound to one channel (DISCORD_ACCOUNTS entries). */
export interface DiscordAccount extends AccountPacing {
  channel: string;
  server: string;
  /** The raw user token. Never logged, never returned by the API. */
  discord: string;
  /** Optional operator label shown in logs and the accounts query. */
  label?: string;
  /** The account's InsightFaceSwap plan (its GIF limits and price, src/jobs/command-costs.ts); unset = DEFAULT_PLAN. */
  plan?: BotPlan;
  /**
   * Every connection of the account goes through this proxy: `http://`, `https://` or `socks5://`,
   * credentials in the URL. A secret like the token: only its masked form is logged or returned.
   */
  proxy?: string;
}

/** The account's pacing fields, without its identity. */
export const pacingFieldsOf = (a: AccountPacing): AccountPacing => ({
  ...(a.minGapMs !== undefined ? { minGapMs: a.minGapMs } : {}),
  ...(a.jitterMs !== undefined ? { jitterMs: a.jitterMs } : {}),
  ...(a.dailyCommands !== undefined ? { dailyCommands: a.dailyCommands } : {}),
  ...(a.activeHours !== undefined ? { activeHours: a.activeHours } : {}),
  ...(a.timezone !== undefined ? { timezone: a.timezone } : {}),
});

/** Who manages an account: DISCORD_ACCOUNTS (reconciled at every start) or the accounts API (kept). */
export type AccountManager = 'CONFIG' | 'API';

/**
 * The health states, in one place (docs/discord-protocol.md "Account health"):
 * - ACTIVE: takes jobs (within its pacing);
 * - COOLING_DOWN: skipped until `until` (a Discord 429's retry_after, a gateway or network outage);
 * - OUT_OF_CREDITS: skipped until the credits reset (`until`, 00:00 UTC);
 * - NEEDS_PERSON: skipped until a person fixed the cause (captcha, token, verification, access,
 *   moderation, proxy) and resumed the account; an alert is sent when it enters and leaves it;
 * - PAUSED: taken out of rotation by an operator (pauseAccount) until resumeAccount.
 */
export const ACCOUNT_STATES = ['ACTIVE', 'COOLING_DOWN', 'OUT_OF_CREDITS', 'NEEDS_PERSON', 'PAUSED'] as const;
export type AccountHealthState = (typeof ACCOUNT_STATES)[number];

/** States that end by themselves at `until`; the others need an operator (resumeAccount). */
export const TIMED_STATES: ReadonlySet<AccountHealthState> = new Set(['COOLING_DOWN', 'OUT_OF_CREDITS']);
/** States in which an account takes no job until a person acts: its pinned jobs fail, its others move. */
export const HELD_STATES: ReadonlySet<AccountHealthState> = new Set(['NEEDS_PERSON', 'PAUSED']);

export interface AccountHealth {
  state: AccountHealthState;
  /** Machine reason: a signal of src/discord/account-signals.ts (CAPTCHA, TOKEN_REJECTED…), OPERATOR, or null when ACTIVE. */
  reason: string | null;
  /** What happened and what to do, in words. */
  message: string | null;
  /** What Discord answered (status, code, body) or what the bot wrote; never a token or a proxy password. */
  evidence: Record<string, unknown> | null;
  /** Epoch ms the state was entered. */
  since: number;
  /** Epoch ms a timed state ends; null otherwise. */
  until: number | null;
}

export const activeHealth = (since: number): AccountHealth => ({
  state: 'ACTIVE',
  reason: null,
  message: null,
  evidence: null,
  since,
  until: null,
});

/** The state that holds at `nowMs`: a timed state whose end passed is ACTIVE again. */
export function currentHealth(health: AccountHealth, nowMs: number): AccountHealth {
  if (TIMED_STATES.has(health.state) && health.until !== null && health.until <= nowMs) return activeHealth(health.until);
  return health;
}

/** The account takes jobs now or later by itself (it neither needs a person nor is paused). */
export const inRotation = (account: { health: AccountHealth }, nowMs: number): boolean =>
  !HELD_STATES.has(currentHealth(account.health, nowMs).state);
