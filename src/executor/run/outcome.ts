/**
 * What a run writes once the driver is done: the bot's answer (a text answer is COMPLETED, result
 * files go to the copies), or the failure classified (missing inputs, an account fault, a driver
 * failure, anything else), or what an abort means (lease lost, shutdown, cancel).
 */
import type { CommandResult } from '../../discord/types.js';
import { DriverError } from '../../discord/types.js';
import type { Job, PendingCopy } from '../../jobs/model.js';
import { accountFaultOutcome } from '../account-faults.js';
import { InputMissingError } from './inputs.js';
import type { AbortReason, RunScope } from './scope.js';
import type { RunWrites } from './writes.js';

export interface OutcomeScope extends RunScope {
  writes: RunWrites;
  /** The job's command was sent by an earlier holder: this run follows it. */
  adopted: boolean;
  /** The command of this run reached the wire (POST /interactions). */
  sent(): boolean;
}

/** The ran flag of a run that ended without a usable answer from the driver. */
const ranOf = (s: OutcomeScope) => s.adopted || s.sent();

export function answeredOutcome(s: OutcomeScope, result: CommandResult): Promise<Job | null> {
  const answer: PendingCopy['answer'] = {
    messageId: result.messageId,
    content: result.content,
    attachments: result.attachments,
    timestamp: result.timestamp,
    ...(result.identities === undefined
      ? {}
      : { identities: result.identities?.names ?? null, defaultIdentity: result.identities?.defaultId ?? null }),
  };
  // A text answer is complete as it is; result files are copied after the channel is released.
  if (result.attachments.length === 0) return s.writes.finish({ status: 'COMPLETED', ...answer }, ranOf(s));
  return s.writes.releaseForCopy(answer);
}

export async function failedOutcome(s: OutcomeScope, error: unknown): Promise<Job | null> {
  const { writes, log, adopted } = s;
  const missing = inputMissing(error);
  if (missing) {
    // Nothing was sent. The images go only when a job ends, so this job had ended and a lost
    // store write (a Redis failover) rolled it back: it cannot run again.
    log.warn({ err: missing }, 'a job whose uploaded images are gone: it ended before a store write was lost');
    const error = `${missing.message}: the job had ended before the store lost its last writes, and cannot run again`;
    return writes.finish({ status: 'FAILED', code: 'EXECUTOR_LOST', error, errorDetails: null }, ranOf(s));
  }
  if (!(error instanceof DriverError)) {
    log.error({ err: error }, 'unexpected error while running a job');
    return writes.finish(
      { status: 'FAILED', code: 'DISCORD_ERROR', error: 'Unexpected error while driving Discord', errorDetails: null },
      ranOf(s),
    );
  }
  const fault = await accountFaultOutcome(s.deps.faults, { job: s.job, account: s.account, token: s.token, adopted, error, log });
  if (fault.kind === 'handed back') return fault.job;
  if (fault.kind === 'fail') return writes.finish(fault.patch, false);
  if (adopted && error.code === 'TIMEOUT') {
    const message = 'The instance that sent this command stopped, and no answer of the bot was found within the job timeout';
    return writes.finish({ status: 'FAILED', code: 'EXECUTOR_LOST', error: message, errorDetails: detailsOf(error) }, ranOf(s));
  }
  const code = error.code === 'ABORTED' ? 'CANCELLED' : error.code;
  const ran = adopted || (s.sent() && error.commandMayHaveRun);
  return writes.finish({ status: 'FAILED', code, error: error.message, errorDetails: detailsOf(error) }, ran);
}

export async function abortedOutcome(s: OutcomeScope, reason: AbortReason): Promise<Job | null> {
  if (reason === 'lease-lost') {
    s.log.warn('lease lost: stopped acting on Discord');
    const error = 'This instance lost its lease on the channel (Redis unreachable) and stopped';
    return s.writes.finish({ status: 'FAILED', code: 'EXECUTOR_LOST', error }, ranOf(s));
  }
  if (reason === 'shutdown') {
    // Handed over, not cancelled: once the lease lapses the job goes back to the queue (nothing
    // sent) or is adopted by the channel's next holder (command sent), here after a restart or elsewhere.
    s.log.info({ commandSent: s.sent() }, 'shutting down: the job is left to the next holder of the channel');
    return null;
  }
  return s.writes.finish({ status: 'CANCELLED', code: 'CANCELLED', error: 'Cancelled by request' }, ranOf(s));
}

/** The missing-input error behind a failure, when there is one (the driver keeps it as the cause). */
const inputMissing = (error: unknown): InputMissingError | null =>
  error instanceof InputMissingError ? error : error instanceof Error && error.cause !== undefined ? inputMissing(error.cause) : null;

export const detailsOf = (error: DriverError) =>
  JSON.stringify({
    ...(error.reason ? { reason: error.reason } : {}),
    ...(typeof error.details === 'object' && error.details !== null ? error.details : { details: error.details ?? null }),
    commandSent: error.commandSent,
  });
