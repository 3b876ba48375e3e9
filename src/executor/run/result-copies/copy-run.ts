/**
 * One result copy: the files of a job whose bot answered (STARTED, the answer in `copying`, its channel
 * already released) are copied off Discord's CDN into the blob store under the copy's own lease, then
 * the job is written COMPLETED with the answer and each file's copy state, fenced by that lease; its
 * finishedAt is when the bot answered. A holder that loses the
 * lease (or shuts down) stops and writes nothing: the reaper of any instance takes the copy over.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Job } from '../../../jobs/model.js';
import { copyLeaseName, utcDay, type Coordinator } from '../../store/port.js';
import { keepLease } from '../lease-keeper.js';
import { copyResults, type CopyRemote } from '../results.js';
import { writeRetrying } from '../../store-retry.js';
import type { Clock } from '../../../timing/clock.js';

export interface CopyRunDeps {
  coordinator: Coordinator;
  copyResult: CopyRemote;
  logger: Logger;
  clock: Clock;
  leaseTtlMs: number;
  retentionSec: number;
}

export interface CopyRun {
  /** Stops the copy; the lease lapses and another instance (or this one's reaper) takes it over. */
  abort(): void;
  /** The COMPLETED job, or null when this holder stopped or the fence refused its write. */
  done: Promise<Job | null>;
}

export function runCopy(deps: CopyRunDeps, job: Job, token: string, through?: Dispatcher): CopyRun {
  const { coordinator, clock } = deps;
  const now = () => clock.now();
  const name = copyLeaseName(job.id);
  const log = deps.logger.child({ job: job.id, channel: job.channel, copy: true });
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('result copy stopped'));
  const lease = keepLease({ coordinator, channel: name, token, ttlMs: deps.leaseTtlMs, clock, logger: log, onLost: abort });

  const done = (async (): Promise<Job | null> => {
    try {
      const pending = job.copying;
      if (!pending) return null;
      // A record written by a Lua script holds an empty list as an object: the answer's lists are read as lists.
      const listed = <T>(value: T[] | null | undefined): T[] => (Array.isArray(value) ? value : []);
      const { answer } = pending;
      const attachments = await copyResults(
        job.id,
        utcDay(now()),
        listed(answer.attachments),
        deps.copyResult,
        controller.signal,
        log,
        through,
      );
      if (controller.signal.aborted) {
        log.warn('result copy stopped before it ended: left to the reaper of a live instance');
        return null;
      }
      const written = await writeRetrying(
        () =>
          coordinator.updateJob(job.id, {
            from: ['STARTED'],
            patch: {
              status: 'COMPLETED',
              ...answer,
              ...(answer.identities === undefined || answer.identities === null ? {} : { identities: listed(answer.identities) }),
              attachments,
              copying: null,
              finishedAt: pending.answeredAt,
            },
            token,
            channel: name,
            retentionSec: deps.retentionSec,
          }),
        clock,
        log,
      );
      if (!written) log.warn('result copy written too late: another instance holds the copy now');
      return written;
    } finally {
      lease.stop();
    }
  })().catch((error: unknown) => {
    log.error({ err: error }, 'could not write the outcome of a result copy');
    return null;
  });
  return { abort, done };
}
