/**
 * Versioned job streams over at-most-once pub/sub (Redis pub/sub is at most once; README, Architecture): subscribe and wait for the
 * acknowledgement, read the stored job, then forward only newer versions; re-read after every
 * reconnect; end after the terminal state, so a watcher never misses the final state.
 */
import { AppError } from '../errors.js';
import { isTerminal, type Job } from '../jobs/model.js';
import { EVENT_ALL_JOBS, jobEventName, type Coordinator } from './coordinator.js';
import { decodeJob } from '../redis/job-json.js';

/** A tiny async queue fed by callbacks and drained by a generator. */
function channel<T>(signal: AbortSignal) {
  const items: T[] = [];
  let wake: (() => void) | null = null;
  signal.addEventListener('abort', () => wake?.(), { once: true });
  return {
    push(item: T) {
      items.push(item);
      wake?.();
    },
    async next(): Promise<T | undefined> {
      while (items.length === 0) {
        if (signal.aborted) return undefined;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return items.shift();
    },
  };
}

/** How long a watcher waits for a vanished record to be restored, re-reading at this period. */
const LOST_RECORD_WAIT_MS = 60_000;
const LOST_RECORD_REREAD_MS = 500;

type Signal = { kind: 'event'; job: Job } | { kind: 'reread' };

export async function* watchJob(coordinator: Coordinator, id: string, signal: AbortSignal): AsyncGenerator<Job> {
  const inbox = channel<Signal>(signal);
  const unsubscribe = await coordinator.subscribe(jobEventName(id), (payload) => inbox.push({ kind: 'event', job: decodeJob(payload) }));
  const stopReconnect = coordinator.onReconnect(() => inbox.push({ kind: 'reread' }));
  try {
    let lastVersion = 0;
    let missingSince: number | null = null;
    let pending: Signal | undefined = { kind: 'reread' };
    while (pending && !signal.aborted) {
      const job = pending.kind === 'event' ? pending.job : await coordinator.getJob(id);
      if (!job) {
        if (lastVersion === 0) return;
        // Seen before, gone now: the store lost its data and the owning instance restores the
        // record shortly (its event or our next re-read brings it back).
        missingSince ??= Date.now();
        if (Date.now() - missingSince > LOST_RECORD_WAIT_MS)
          throw new AppError('NOT_FOUND', 'The job record was lost by the job store and not restored');
        const retry = setTimeout(() => inbox.push({ kind: 'reread' }), LOST_RECORD_REREAD_MS);
        pending = await inbox.next();
        clearTimeout(retry);
        continue;
      }
      missingSince = null;
      if (job.version > lastVersion) {
        lastVersion = job.version;
        yield job;
        if (isTerminal(job.status)) return;
      }
      pending = await inbox.next();
    }
  } finally {
    stopReconnect();
    await unsubscribe().catch(() => undefined);
  }
}

/** Every change of every job matching the filter; never ends by itself. */
export async function* watchAllJobs(
  coordinator: Coordinator,
  filter: { channel?: string; owner?: string },
  signal: AbortSignal,
): AsyncGenerator<Job> {
  const inbox = channel<Job>(signal);
  const unsubscribe = await coordinator.subscribe(EVENT_ALL_JOBS, (payload) => {
    const job = decodeJob(payload);
    if (filter.owner !== undefined && job.owner !== filter.owner) return;
    if (filter.channel !== undefined && (job.channel ?? job.requestedChannel) !== filter.channel) return;
    inbox.push(job);
  });
  try {
    for (let job = await inbox.next(); job && !signal.aborted; job = await inbox.next()) yield job;
  } finally {
    await unsubscribe().catch(() => undefined);
  }
}
