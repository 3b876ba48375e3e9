/**
 * Runs one claimed job: drives Discord while holding the channel lease, renews it, stops acting
 * by its own clock when the lease may have lapsed, and writes the outcome through the fenced update.
 */
import type { Logger } from 'pino';
import { DriverError, type DiscordAccount, type PicsiDriver, type SpooledFile } from '../discord/types.js';
import type { Job } from '../jobs/model.js';
import type { Claimed, Coordinator, JobPatch } from './coordinator.js';
import { utcDay } from './coordinator.js';

export type AbortReason = 'cancel' | 'shutdown' | 'lease-lost';

export interface WorkerDeps {
  coordinator: Coordinator;
  driver: PicsiDriver;
  logger: Logger;
  now: () => number;
  leaseTtlMs: number;
  retentionSec: number;
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

/** Stop acting this long before the lease could expire, to absorb clock and network jitter. */
const SAFETY_MARGIN_RATIO = 0.2;

export function runJob(deps: WorkerDeps, claimed: Claimed, token: string, account: DiscordAccount, files: { source: SpooledFile; target: SpooledFile }): RunningJob {
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
    const change = { from: ['STARTED'] as const, patch: outcome, token, channel, retentionSec: deps.retentionSec };
    const giveUpAt = now() + WRITE_RETRY_WINDOW_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const written = await coordinator.updateJob(job.id, change);
        if (!written) log.warn({ status: patch.status }, 'late write rejected by the fence: this instance no longer holds the channel');
        return written;
      } catch (error) {
        if (now() >= giveUpAt) throw error;
        log.warn({ err: error }, 'could not write the job outcome; retrying');
        await new Promise((resolve) => setTimeout(resolve, writeBackoffMs(attempt)));
      }
    }
  };

  const done = (async (): Promise<Job | null> => {
    try {
      const result = await driver.picsi({ jobId: job.id, account, options: job.options, source: files.source, target: files.target }, controller.signal);
      if (abortReason) return await finishAborted();
      return await finish({ status: 'COMPLETED', messageId: result.messageId, content: result.content, attachments: result.attachments, timestamp: result.timestamp });
    } catch (error) {
      if (abortReason) return await finishAborted();
      if (error instanceof DriverError) {
        await applyAccountEffects(error).catch((e: unknown) => log.warn({ err: e }, 'could not record the account state'));
        return await finish({
          status: 'FAILED',
          code: error.code === 'ABORTED' ? 'CANCELLED' : error.code,
          error: error.message,
          errorDetails: JSON.stringify({ ...(error.reason ? { reason: error.reason } : {}), ...(typeof error.details === 'object' && error.details !== null ? error.details : { details: error.details ?? null }), commandSent: error.commandSent }),
        });
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
