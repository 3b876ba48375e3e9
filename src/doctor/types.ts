/** The shapes `npm run doctor` works with: checks as data, their outcomes, one report per account. */
import type { AccountSession } from '../discord/account-session.js';
import type { DiscordAccount } from '../discord/types.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';
export type CheckName = 'proxy' | 'token' | 'guild' | 'channel' | 'commands' | 'gateway' | 'upload';

export interface CheckOutcome {
  status: CheckStatus;
  /** Short text for the table cell (a user name, "READY", "401 Unauthorized"…). */
  summary: string;
  /** For a failure: what the operator should do, in words. */
  fix?: string;
  /** Facts for `--json` and the commands listing (never a token or a signed URL). */
  details?: Record<string, unknown>;
}

/** What a check may use: the configured account and a session (REST + gateway) of its token. */
export interface CheckContext {
  account: DiscordAccount;
  session: AccountSession;
}

export interface Check {
  name: CheckName;
  /** Checks that must pass first; otherwise this one is skipped. */
  needs: readonly CheckName[];
  /** What the check asks Discord, for messages ("GET /users/@me"). */
  request(account: DiscordAccount): string;
  /** The fix when Discord answers 403/404: the thing is not there or not visible to the account. */
  notVisibleFix?(account: DiscordAccount): string;
  /** Resolves with pass or a domain failure; REST and gateway errors are thrown and explained by the runner. */
  run(context: CheckContext, signal: AbortSignal): Promise<CheckOutcome>;
}

export interface AccountReport {
  channel: string;
  server: string;
  label: string | null;
  /** The token in its masked form (first 3 + … + last 3 characters). */
  discord: string;
  verdict: 'pass' | 'fail';
  checks: Record<CheckName, CheckOutcome>;
}

export interface DoctorReport {
  apiUrl: string;
  /** True when DISCORD_ACCOUNTS is unset and the built-in simulator's demo account was checked. */
  simulator: boolean;
  ok: boolean;
  accounts: AccountReport[];
}
