/**
 * Runs one claimed job: drives Discord while holding the channel lease, renews it, stops acting
 * by its own clock when the lease may have lapsed, and writes the outcome through the fenced update.
 * The nonce is written on the job before POST /interactions, so a job whose holder dies after the
 * send is followed (adopted) by the channel's next holder instead of being sent twice; an adopted
 * job runs `driver.follow` instead of `driver.picsi`. Results are copied into the blob store before
 * COMPLETED is written (see results.ts).
 */
import type { Logger } from 'pino';
import { DriverError, type DiscordAccount, type PicsiDriver, type PicsiResult, type UploadInput } from '../discord/types.js';
import type { Job, SentCommand } from '../jobs/model.js';
import type { Claimed, Coordinator, JobPatch } from './coordinator.js';
import { utcDay } from './coordinator.js';
import { copyResults, type CopyRemote } from './results.js';

export type AbortReason = 'cancel' | 'shutdown' | 'lease-lost';

export interface WorkerDeps {
  coordinator: Coordinator;
  driver: PicsiDriver;
  logger: Logger;
  now: () => number;
  leaseTtlMs: number;
  retentionSec: number;
  copyResult: CopyRemote;
}

export interface RunningJob {
  jobId: string;
  abort(reason: AbortReason): void;
  /** Resolves with the written record, or null when the store refused or could not take it. */
  done: Promise<Job | null>;
  /** The outcome this run tried to write last (what to restore if the store lost the record). */
  attemptedOutcome(): JobPatch | null;
}

/**
 * The terminal write is retried while the store is unreachable, until it lands or the fence refuses
 * it, for at most this long (the reaper of a live instance covers the rest).
 */
const WRITE_RETRY_WINDOW_MS = 5 * 60_000;
const writeBackoffMs = (attempt: number) => Math.min(4000, 250 * 2 ** attempt);
/** Attempts at recording the command before the send (the send waits for it). */
const COMMAND_WRITE_ATTEMPTS = 3;

/** Stop acting this long before the lease could expire, to absorb clock and network jitter. */
const SAFETY_MARGIN_RATIO = 0.2;

export function runJob(deps: WorkerDeps, claimed: Claimed, token: string, account: DiscordAccount, inputs: { source: UploadInput; target: UploadInput } | null): RunningJob {
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

  let lastRenew = now();
  const deadlineGuard = setInterval(() => {
    if (now() > lastRenew + leaseTtlMs * (1 - SAFETY_MARGIN_RATIO)) abort('lease-lost');
  }, Math.max(20, Math.floor(leaseTtlMs / 10)));
  const renewer = setInterval(() => {
    const sentAt = now();
    coordinator
      .renew(channel, token, leaseTtlMs)
      .then((ok) => {
        if (ok) lastRenew = sentAt;
        else abort('lease-lost');
      })
      .catch((error: unknown) => log.warn({ err: error }, 'lease renewal failed; will stop acting if it keeps failing'));
  }, Math.max(50, Math.floor(leaseTtlMs / 3)));


  /**
   * The fenced terminal write, retried while Redis is unreachable. A null answer means the fence
   * refused it: another holder (or the reaper) owns the job now, and our outcome is discarded.
   */
  let attempted: JobPatch | null = null;
  const finish = async (patch: JobPatch): Promise<Job | null> => {
    const outcome: JobPatch = { finishedAt: new Date(now()).toISOString(), ...patch };
    attempted = outcome;
    const giveUpAt = now() + WRITE_RETRY_WINDOW_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const written = await coordinator.updateJob(job.id, { from: ['STARTED'], patch: outcome, token, channel, retentionSec: deps.retentionSec });
        if (!written) log.warn({ status: patch.status }, 'late write rejected by the fence: this instance no longer holds the channel');
        return written;
      } catch (error) {
        if (now() >= giveUpAt) throw error;
        log.warn({ err: error }, 'could not write the job outcome; retrying');
        await new Promise((resolve) => setTimeout(resolve, writeBackoffMs(attempt)));
      }
    }
  };

  /** Recorded before the send: if it cannot be, nothing is sent (the run stops as if its lease were lost). */
  let command: SentCommand | null = job.command ?? null;
  const recordCommand = async (sent: SentCommand): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        if (await coordinator.markCommandSent(job.id, channel, token, sent)) {
          command = sent;
          return;
        }
        break;
      } catch (error) {
        if (attempt >= COMMAND_WRITE_ATTEMPTS || controller.signal.aborted) break;
        await new Promise((resolve) => setTimeout(resolve, writeBackoffMs(attempt)));
      }
    }
    abort('lease-lost');
    throw new Error('could not record the command on the job; not sending it');
  };
  const recordInteractionId = (interactionId: string) => {
    if (!command) return;
    command = { ...command, interactionId };
    coordinator.markCommandSent(job.id, channel, token, command).catch((error: unknown) => log.debug({ err: error }, 'could not record the interaction id (the nonce and history still find the reply)'));
  };
  const hooks = { onCommandSending: recordCommand, onInteractionId: recordInteractionId };

  const adopted = claimed.adopted && job.command != null;
  const drive = (): Promise<PicsiResult> => {
    if (adopted) return driver.follow({ jobId: job.id, account, command: job.command! }, controller.signal, hooks);
    if (!inputs) throw new DriverError('DISCORD_ERROR', 'The job has no input images in the blob store', { commandSent: false });
    return driver.picsi({ jobId: job.id, account, options: job.options, source: inputs.source, target: inputs.target }, controller.signal, hooks);
  };

  const done = (async (): Promise<Job | null> => {
    try {
      if (adopted) log.warn({ nonce: job.command!.nonce }, 'adopted a job whose command an earlier holder sent: following it');
      const result = await drive();
      if (abortReason) return await finishAborted();
      const attachments = await copyResults(job.id, utcDay(now()), result.attachments, deps.copyResult, controller.signal, log);
      if (abortReason) return await finishAborted();
      return await finish({ status: 'COMPLETED', messageId: result.messageId, content: result.content, attachments, timestamp: result.timestamp });
    } catch (error) {
      if (abortReason) return await finishAborted();
      if (error instanceof DriverError) {
        await applyAccountEffects(error).catch((e: unknown) => log.warn({ err: e }, 'could not record the account state'));
        if (adopted && error.code === 'TIMEOUT') {
          return await finish({ status: 'FAILED', code: 'EXECUTOR_LOST', error: 'The instance that sent this command stopped, and no answer of the bot was found within the job timeout', errorDetails: detailsOf(error) });
        }
        return await finish({ status: 'FAILED', code: error.code === 'ABORTED' ? 'CANCELLED' : error.code, error: error.message, errorDetails: detailsOf(error) });
      }
      log.error({ err: error }, 'unexpected error while running a job');
      return await finish({ status: 'FAILED', code: 'DISCORD_ERROR', error: 'Unexpected error while driving Discord', errorDetails: null });
    } finally {
      clearInterval(deadlineGuard);
      clearInterval(renewer);
    }
  })().catch((error: unknown) => {
    // The store is unreachable: the reaper of a live instance finishes the job (EXECUTOR_LOST).
    log.error({ err: error }, 'could not write the job outcome');
    return null;
  });

  async function finishAborted(): Promise<Job | null> {
    if (abortReason === 'lease-lost') {
      log.warn('lease lost: stopped acting on Discord');
      return finish({ status: 'FAILED', code: 'EXECUTOR_LOST', error: 'This instance lost its lease on the channel (Redis unreachable) and stopped' });
    }
    const message = abortReason === 'shutdown' ? 'Cancelled: the server is shutting down' : 'Cancelled by request';
    return finish({ status: 'CANCELLED', code: 'CANCELLED', error: message });
  }

  async function applyAccountEffects(error: DriverError) {
    if (error.disableAccount) {
      await coordinator.setAccountState(channel, { enabled: false, disabledReason: `${error.code}: ${error.message}` });
      log.error('Discord refused the account: taken out of rotation');
    } else if (error.code === 'DISCORD_RATE_LIMITED') {
      await coordinator.setAccountState(channel, { cooldownUntil: now() + (error.retryAfterMs ?? 10_000) });
    } else if (error.code === 'BOT_ERROR' && (error.reason === 'CREDITS_EXHAUSTED' || error.reason === 'DAILY_LIMIT')) {
      await coordinator.setAccountState(channel, { exhaustedDay: utcDay(now()) });
    }
  }

  return { jobId: job.id, abort, done, attemptedOutcome: () => attempted };
}

const detailsOf = (error: DriverError) =>
  JSON.stringify({ ...(error.reason ? { reason: error.reason } : {}), ...(typeof error.details === 'object' && error.details !== null ? error.details : { details: error.details ?? null }), commandSent: error.commandSent });
