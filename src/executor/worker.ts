/**
 * Runs one claimed job: drives Discord while holding the channel lease (lease-keeper.ts) and
 * writes the outcome through the fenced update. The nonce is written on the job before POST
 * /interactions (command-record.ts), so a job whose holder dies after the send is followed (adopted)
 * by the channel's next holder instead of being sent twice; an adopted job runs `driver.follow`
 * instead of `driver.run`. Every kind of job (its bot command: the job's verb) runs the same way. The channel is held only
 * while the bot works: an answer with result files releases it at once (releaseForCopy) and the
 * files are copied into the blob store afterwards (./result-copies/); a text answer is COMPLETED.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { DriverError, type CommandResult, type DiscordAccount, type CommandDriver, type StagedUploads } from '../discord/types.js';
import { nextCommandAt, type Pacing } from '../jobs/account-pacing.js';
import { commandOf, COMMAND_INPUTS } from '../jobs/commands.js';
import type { Job, PendingCopy } from '../jobs/model.js';
import { accountFaultOutcome, type AccountFaultDeps } from './account-faults.js';
import { commandRecordHooks } from './command-record.js';
import type { Claimed, Coordinator, JobPatch } from './coordinator.js';
import { keepLease } from './lease-keeper.js';
import { confirmInputs, InputMissingError, type JobUploads } from './inputs.js';
import type { CopyStarter } from './result-copies/index.js';
import { writeRetrying } from './store-retry.js';

export type AbortReason = 'cancel' | 'shutdown' | 'lease-lost';

export interface WorkerDeps {
  coordinator: Coordinator;
  driver: CommandDriver;
  logger: Logger;
  now: () => number;
  leaseTtlMs: number;
  retentionSec: number;
  /** Where a job whose bot answered with result files goes once its channel is released. */
  copies: CopyStarter;
  /** Called right before the command is sent (POST /interactions): staging of the channel's next job starts. */
  onSending?: () => void;
  /** This account's pacing: the gap after each command it ran. */
  pacing: Pacing;
  random: () => number;
  /** What a failure says about the account: its state, and whether the job moves to another account. */
  faults: AccountFaultDeps;
}

export interface RunningJob {
  jobId: string;
  abort(reason: AbortReason): void;
  /** Resolves with the written record, or null when the store refused or could not take it. */
  done: Promise<Job | null>;
  /** The outcome this run tried to write last (what to restore if the store lost the record). */
  attemptedOutcome(): JobPatch | null;
}

export function runJob(
  deps: WorkerDeps,
  claimed: Claimed,
  token: string,
  account: DiscordAccount,
  inputs: JobUploads | null,
  staged: Promise<StagedUploads | null> | null = null,
): RunningJob {
  const { coordinator, driver, now, leaseTtlMs } = deps;
  const job = claimed.job;
  const channel = job.channel!;
  const log = deps.logger.child({ job: job.id, channel });
  const controller = new AbortController();
  let abortReason: AbortReason | null = null;
  const abort = (reason: AbortReason) => {
    if (controller.signal.aborted) return;
    abortReason = reason;
    controller.abort(new Error(reason));
  };

  const lease = keepLease({ coordinator, channel, token, ttlMs: leaseTtlMs, now, logger: log, onLost: () => abort('lease-lost') });

  /**
   * The fenced terminal write, retried while Redis is unreachable. A null answer means the fence
   * refused it: another holder (or the reaper) owns the job now, and our outcome is discarded.
   */
  let attempted: JobPatch | null = null;
  /** Pacing counts from the end of a command that reached the bot: `ran` false when none did. */
  const paceFor = (ran: boolean) =>
    // Without a gap there is nothing to write (and no clock skew between instances to hold the next claim back).
    ran && deps.pacing.minGapMs + deps.pacing.jitterMs > 0 ? { readyAt: nextCommandAt(deps.pacing, now(), deps.random) } : undefined;
  const finish = async (patch: JobPatch, ran = adopted || hooks.sent()): Promise<Job | null> => {
    const outcome: JobPatch = { finishedAt: new Date(now()).toISOString(), ...patch };
    attempted = outcome;
    const pace = paceFor(ran);
    const written = await writeRetrying(
      () =>
        coordinator.updateJob(job.id, {
          from: ['STARTED'],
          patch: outcome,
          token,
          channel,
          retentionSec: deps.retentionSec,
          ...(pace ? { pace } : {}),
        }),
      now,
      log,
    );
    if (!written) log.warn({ status: patch.status }, 'late write rejected by the fence: this instance no longer holds the channel');
    return written;
  };

  /**
   * The bot answered with result files: the channel is released now and the job, still STARTED,
   * goes to the result copies (./result-copies/) under a copy lease of its own.
   */
  const releaseForCopy = async (answer: PendingCopy['answer']): Promise<Job | null> => {
    const copyToken = randomBytes(12).toString('hex');
    const pace = paceFor(true);
    const released = await writeRetrying(
      () =>
        coordinator.releaseForCopy(job.id, {
          channel,
          token,
          copy: { answer, answeredAt: new Date(now()).toISOString() },
          copyToken,
          ttlMs: leaseTtlMs,
          ...(pace ? { pace } : {}),
        }),
      now,
      log,
    );
    if (!released) log.warn('late release rejected by the fence: this instance no longer holds the channel');
    else deps.copies.start(released, copyToken, driver.dispatcherFor?.(account));
    return released;
  };

  const recorded = commandRecordHooks(
    { coordinator, jobId: job.id, channel, token, signal: controller.signal, logger: log, onUnrecorded: () => abort('lease-lost') },
    job.command ?? null,
  );
  const hooks: typeof recorded = {
    ...recorded,
    async onCommandSending(sent) {
      await recorded.onCommandSending(sent);
      deps.onSending?.();
    },
  };

  const adopted = claimed.adopted && job.command != null;
  const kind = commandOf(job.verb);
  const drive = async (): Promise<CommandResult> => {
    if (adopted) return driver.follow({ jobId: job.id, account, command: job.command!, kind }, controller.signal, hooks);
    const needs = COMMAND_INPUTS[kind];
    if ((needs.source && !inputs?.source) || (needs.target && !inputs?.target))
      throw new InputMissingError('The job has no input images in the blob store');
    const uploads = staged ? await staged : null;
    if (uploads) await confirmInputs(inputs, controller.signal);
    return driver.run(
      { jobId: job.id, account, command: kind, options: job.options, idname: job.idname ?? null, ...inputs, staged: uploads },
      controller.signal,
      hooks,
    );
  };

  const done = (async (): Promise<Job | null> => {
    try {
      if (adopted) log.warn({ nonce: job.command!.nonce }, 'adopted a job whose command an earlier holder sent: following it');
      const result = await drive();
      if (abortReason) return await finishAborted();
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
      if (result.attachments.length === 0) return await finish({ status: 'COMPLETED', ...answer });
      return await releaseForCopy(answer);
    } catch (error) {
      if (abortReason) return await finishAborted();
      const missing = inputMissing(error);
      if (missing) {
        // Nothing was sent. The images go only when a job ends, so this job had ended and a lost
        // store write (a Redis failover) rolled it back: it cannot run again.
        log.warn({ err: missing }, 'a job whose uploaded images are gone: it ended before a store write was lost');
        return await finish({
          status: 'FAILED',
          code: 'EXECUTOR_LOST',
          error: `${missing.message}: the job had ended before the store lost its last writes, and cannot run again`,
          errorDetails: null,
        });
      }
      if (error instanceof DriverError) {
        const fault = await accountFaultOutcome(deps.faults, { job, account, token, adopted, error, log });
        if (fault.kind === 'handed back') return fault.job;
        if (fault.kind === 'fail') return await finish(fault.patch, false);
        if (adopted && error.code === 'TIMEOUT') {
          return await finish({
            status: 'FAILED',
            code: 'EXECUTOR_LOST',
            error: 'The instance that sent this command stopped, and no answer of the bot was found within the job timeout',
            errorDetails: detailsOf(error),
          });
        }
        return await finish(
          {
            status: 'FAILED',
            code: error.code === 'ABORTED' ? 'CANCELLED' : error.code,
            error: error.message,
            errorDetails: detailsOf(error),
          },
          adopted || (hooks.sent() && error.commandMayHaveRun),
        );
      }
      log.error({ err: error }, 'unexpected error while running a job');
      return await finish({ status: 'FAILED', code: 'DISCORD_ERROR', error: 'Unexpected error while driving Discord', errorDetails: null });
    } finally {
      lease.stop();
    }
  })().catch((error: unknown) => {
    // The store is unreachable: the reaper of a live instance finishes the job (EXECUTOR_LOST).
    log.error({ err: error }, 'could not write the job outcome');
    return null;
  });

  async function finishAborted(): Promise<Job | null> {
    if (abortReason === 'lease-lost') {
      log.warn('lease lost: stopped acting on Discord');
      return finish({
        status: 'FAILED',
        code: 'EXECUTOR_LOST',
        error: 'This instance lost its lease on the channel (Redis unreachable) and stopped',
      });
    }
    if (abortReason === 'shutdown') {
      // Handed over, not cancelled: once the lease lapses the job goes back to the queue (nothing
      // sent) or is adopted by the channel's next holder (command sent), here after a restart or elsewhere.
      log.info({ commandSent: hooks.sent() }, 'shutting down: the job is left to the next holder of the channel');
      return null;
    }
    return finish({ status: 'CANCELLED', code: 'CANCELLED', error: 'Cancelled by request' });
  }

  return { jobId: job.id, abort, done, attemptedOutcome: () => attempted };
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
