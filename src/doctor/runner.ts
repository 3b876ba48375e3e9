/**
 * Runs the checks of every account (accounts at once, one account's checks in order), each within
 * its own timeout, skipping a check whose prerequisites did not pass.
 */
import type { Logger } from 'pino';
import { AccountSession } from '../discord/account-session.js';
import type { DiscordAccount } from '../discord/types.js';
import { maskToken } from '../jobs/model.js';
import { CHECKS } from './checks.js';
import { explainFailure, timedOut } from './failures.js';
import type { AccountReport, Check, CheckContext, CheckName, CheckOutcome, DoctorReport } from './types.js';
import { withTimeout } from '../timing/timeout.js';

export interface RunOptions {
  apiUrl: string;
  accounts: readonly DiscordAccount[];
  simulator: boolean;
  /** Longest wait for one check (one request, or the gateway's READY). */
  timeoutMs: number;
  logger: Logger;
  checks?: readonly Check[];
}

export async function runDoctor(options: RunOptions): Promise<DoctorReport> {
  const accounts = await Promise.all(options.accounts.map((account) => checkAccount(account, options)));
  return { apiUrl: options.apiUrl, simulator: options.simulator, ok: accounts.every((a) => a.verdict === 'pass'), accounts };
}

export async function checkAccount(account: DiscordAccount, options: RunOptions): Promise<AccountReport> {
  const session = new AccountSession({
    token: account.discord,
    apiUrl: options.apiUrl,
    logger: options.logger,
    ...(account.label ? { label: account.label } : {}),
    ...(account.proxy ? { proxy: account.proxy } : {}),
    // Quick retries inside the check's timeout: a session that cannot reach READY in time is the finding.
    gateway: { handshakeTimeoutMs: options.timeoutMs, reconnect: { initialMs: 250, maxMs: 1000 } },
  });
  const results = new Map<CheckName, CheckOutcome>();
  try {
    for (const check of options.checks ?? CHECKS) {
      const blocker = check.needs.find((name) => results.get(name)?.status !== 'pass');
      const outcome = blocker
        ? { status: 'skip' as const, summary: `skipped (${blocker} failed)` }
        : await runCheck(check, { account, session }, options);
      results.set(check.name, outcome);
    }
  } finally {
    await session.close();
  }
  const checks = Object.fromEntries(results) as Record<CheckName, CheckOutcome>;
  return {
    channel: account.channel,
    server: account.server,
    label: account.label ?? null,
    discord: maskToken(account.discord),
    verdict: [...results.values()].some((r) => r.status === 'fail') ? 'fail' : 'pass',
    checks,
  };
}

/** A call that ignores its signal cannot hang doctor either: the check's outcome is then "timed out". */
function runCheck(check: Check, context: CheckContext, options: RunOptions): Promise<CheckOutcome> {
  return withTimeout(
    options.timeoutMs,
    (signal) => check.run(context, signal).catch((error: unknown) => explainFailure(error, check, context.account, options.apiUrl)),
    () => timedOut(check, context.account, options.timeoutMs),
  );
}
