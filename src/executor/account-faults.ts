/**
 * A job whose account failed, not the job: the account's state is recorded (account-health.ts),
 * and a job whose command never ran goes back to the head of its token's line for the other accounts, so
 * that it never fails for one account's fault while another can run it. It fails only when no other
 * account may run it (a job pinned to the channel, or the only account in rotation): with
 * ACCOUNT_UNAVAILABLE and the account's state when the account needs a person or is paused, with
 * the driver's own code otherwise (a cooldown's DISCORD_RATE_LIMITED, as the hosted API answers).
 * After the command was sent, the adoption rules hold: nothing here.
 */
import type { Logger } from 'pino';
import type { DriverError } from '../discord/types.js';
import { HELD_STATES, type AccountHealth, type DiscordAccount } from '../jobs/account.js';
import type { Job } from '../jobs/model.js';
import type { AccountHealthKeeper } from './account-health.js';
import type { ClaimStore, JobPatch } from './store/port.js';

export interface AccountFaultDeps {
  coordinator: ClaimStore;
  health: AccountHealthKeeper;
  /** Whether an account other than `channel` is in rotation (its state does not hold it back for good). */
  anotherAccountInRotation(channel: string): Promise<boolean>;
}

export interface AccountFault {
  job: Job;
  account: DiscordAccount;
  token: string;
  adopted: boolean;
  error: DriverError;
  log: Logger;
}

export type FaultOutcome =
  /** Not an account's fault, or its command ran: the job ends as the driver says. */
  | { kind: 'job' }
  /** Back in the queue (QUEUED) for the other accounts. */
  | { kind: 'handed back'; job: Job }
  | { kind: 'fail'; patch: JobPatch };

export async function accountFaultOutcome(deps: AccountFaultDeps, fault: AccountFault): Promise<FaultOutcome> {
  const { error, account, log } = fault;
  if (!error.signal) return { kind: 'job' };
  const health = await deps.health.report(account, error.signal).catch((e: unknown) => {
    log.warn({ err: e }, 'could not record the account state');
    return null;
  });
  if (error.commandMayHaveRun || fault.adopted) return { kind: 'job' };
  if (fault.job.requestedChannel === null && (await deps.anotherAccountInRotation(account.channel).catch(() => false))) {
    const back = await deps.coordinator.handBack(fault.job.id, account.channel, fault.token);
    if (back) {
      log.warn(
        { signal: error.signal.id },
        "the account failed and the command did not run: the job is back at the head of its token's line",
      );
      return { kind: 'handed back', job: back };
    }
  }
  if (!health || !HELD_STATES.has(health.state)) return { kind: 'job' };
  return { kind: 'fail', patch: accountUnavailable(account, health) };
}

/** The failure of a job whose only account needs a person or is paused. */
export function accountUnavailable(account: Pick<DiscordAccount, 'channel' | 'label'>, health: AccountHealth): JobPatch {
  const name = `${account.label ? `${account.label} (channel ${account.channel})` : `channel ${account.channel}`}`;
  const what = health.state === 'PAUSED' ? 'is paused by an operator' : 'needs a person';
  return {
    status: 'FAILED',
    code: 'ACCOUNT_UNAVAILABLE',
    error: `The account of ${name} ${what} (${health.reason ?? health.state}): ${health.message ?? ''}`.trim(),
    errorDetails: JSON.stringify({
      state: health.state,
      reason: health.reason,
      evidence: health.evidence,
      since: new Date(health.since).toISOString(),
    }),
  };
}
