/**
 * A run's two ways out of STARTED, both fenced by the channel lease token and retried while the
 * store is unreachable: the terminal write (finish), and the channel's release with the job handed
 * to the result copies (releaseForCopy). A null answer means the fence refused it: another holder
 * (or the reaper) owns the job now, and this run's outcome is discarded.
 */
import { randomBytes } from 'node:crypto';
import { nextCommandAt } from '../../jobs/account-pacing.js';
import type { Job, PendingCopy } from '../../jobs/model.js';
import type { JobPatch } from '../store/port.js';
import type { RunScope } from './scope.js';
import { writeRetrying } from '../store-retry.js';

export interface RunWrites {
  /** `ran`: a command of this run reached the bot (pacing counts from its end). */
  finish(patch: JobPatch, ran: boolean): Promise<Job | null>;
  releaseForCopy(answer: PendingCopy['answer']): Promise<Job | null>;
  /** The outcome this run tried to write last. */
  attempted(): JobPatch | null;
}

export function runWrites(scope: RunScope): RunWrites {
  const { deps, job, channel, token, log } = scope;
  const { coordinator } = deps;
  const now = () => deps.clock.now();
  let attempted: JobPatch | null = null;
  const paceFor = (ran: boolean) =>
    // Without a gap there is nothing to write (and no clock skew between instances to hold the next claim back).
    ran && deps.pacing.minGapMs + deps.pacing.jitterMs > 0 ? { readyAt: nextCommandAt(deps.pacing, now(), deps.random) } : undefined;

  return {
    async finish(patch, ran) {
      const outcome: JobPatch = { finishedAt: new Date(now()).toISOString(), ...patch };
      attempted = outcome;
      const pace = paceFor(ran);
      const write = () =>
        coordinator.updateJob(job.id, {
          from: ['STARTED'],
          patch: outcome,
          token,
          channel,
          retentionSec: deps.retentionSec,
          ...(pace ? { pace } : {}),
        });
      const written = await writeRetrying(write, deps.clock, log);
      if (!written) log.warn({ status: patch.status }, 'late write rejected by the fence: this instance no longer holds the channel');
      return written;
    },
    // The bot answered with result files: the job, still STARTED, goes to the result copies under a copy lease of its own.
    async releaseForCopy(answer) {
      const copyToken = randomBytes(12).toString('hex');
      const pace = paceFor(true);
      const release = () =>
        coordinator.releaseForCopy(job.id, {
          channel,
          token,
          copy: { answer, answeredAt: new Date(now()).toISOString() },
          copyToken,
          ttlMs: deps.leaseTtlMs,
          ...(pace ? { pace } : {}),
        });
      const released = await writeRetrying(release, deps.clock, log);
      if (!released) log.warn('late release rejected by the fence: this instance no longer holds the channel');
      else deps.copies.start(released, copyToken, deps.driver.dispatcherFor?.(scope.account));
      return released;
    },
    attempted: () => attempted,
  };
}
