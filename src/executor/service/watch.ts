/**
 * Versioned job streams over at-most-once pub/sub (Redis pub/sub is at most once; README, Architecture): subscribe and wait for the
 * acknowledgement, read the stored job, then forward only newer versions; re-read after every
 * reconnect; end after the terminal state, so a watcher never misses the final state.
 */
import { FixedBuffer, Repeater } from 'graphql-yoga';
import { AppError } from '../../errors.js';
import { isTerminal, type Job } from '../../jobs/model.js';
import { EVENT_ALL_JOBS, jobEventName, type Coordinator } from '../store/port.js';
import { decodeJob } from '../../redis/job-json.js';
import { systemClock, type Clock, type ClockTimer } from '../../timing/clock.js';

/** How long a watcher waits for a vanished record to be restored, re-reading at this period. */
const LOST_RECORD_WAIT_MS = 60_000;
const LOST_RECORD_REREAD_MS = 500;
/**
 * Events a watcher may fall behind by: this buffer, then the Repeater's own queue of 1024. Past
 * that its stream fails (the client sees an internal error) instead of growing without bound; a
 * watcher normally reads as fast as its client takes.
 */
const BACKLOG = 1024;

/**
 * The events `listen` delivers, queued until read (graphql-yoga's Repeater), from the moment it
 * resolves with its cleanup until `signal` aborts or the reader leaves; then the cleanup runs, at
 * once even while the reader waits. Delivering never throws into the publisher.
 */
export function inbox<T>(signal: AbortSignal, listen: (deliver: (item: T) => void) => Promise<() => Promise<void>>): Repeater<T> {
  return new Repeater<T>(async (push, stop) => {
    const onAbort = () => stop();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop();
    try {
      const cleanup = await listen((item) => {
        try {
          push(item).catch(() => undefined); // settles once read; nothing to wait for
        } catch (overflow) {
          stop(overflow);
        }
      });
      await stop;
      await cleanup();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }, new FixedBuffer(BACKLOG));
}

type Wake = { kind: 'event'; job: Job } | { kind: 'reread' };

export async function* watchJob(
  coordinator: Coordinator,
  id: string,
  signal: AbortSignal,
  clock: Clock = systemClock,
): AsyncGenerator<Job> {
  let wake: (item: Wake) => void = () => undefined;
  const wakes = inbox<Wake>(signal, async (deliver) => {
    wake = deliver;
    const unsubscribe = await coordinator.subscribe(jobEventName(id), (payload) => deliver({ kind: 'event', job: decodeJob(payload) }));
    const stopReconnect = coordinator.onReconnect(() => deliver({ kind: 'reread' }));
    // Subscribed: from here no change can be missed, so the stored job is read first.
    deliver({ kind: 'reread' });
    return async () => {
      stopReconnect();
      await unsubscribe().catch(() => undefined);
    };
  });
  let retry: ClockTimer | undefined;
  try {
    let lastVersion = 0;
    let missingSince: number | null = null;
    for await (const next of wakes) {
      if (signal.aborted) return;
      clock.clearTimeout(retry);
      const job = next.kind === 'event' ? next.job : await coordinator.getJob(id);
      if (!job) {
        if (lastVersion === 0) return;
        // Seen before, gone now: the store lost its data and the owning instance restores the
        // record shortly (its event or our next re-read brings it back).
        missingSince ??= clock.now();
        if (clock.now() - missingSince > LOST_RECORD_WAIT_MS)
          throw new AppError('NOT_FOUND', 'The job record was lost by the job store and not restored');
        retry = clock.setTimeout(() => wake({ kind: 'reread' }), LOST_RECORD_REREAD_MS);
        continue;
      }
      missingSince = null;
      if (job.version > lastVersion) {
        lastVersion = job.version;
        yield job;
        if (isTerminal(job.status)) return;
      }
    }
  } finally {
    clock.clearTimeout(retry);
  }
}

/** Every change of every job matching the filter; never ends by itself. */
export async function* watchAllJobs(
  coordinator: Coordinator,
  filter: { channel?: string; owner?: string },
  signal: AbortSignal,
): AsyncGenerator<Job> {
  const jobs = inbox<Job>(signal, async (deliver) => {
    const unsubscribe = await coordinator.subscribe(EVENT_ALL_JOBS, (payload) => {
      const job = decodeJob(payload);
      if (filter.owner !== undefined && job.owner !== filter.owner) return;
      if (filter.channel !== undefined && (job.channel ?? job.requestedChannel) !== filter.channel) return;
      deliver(job);
    });
    return () => unsubscribe().catch(() => undefined);
  });
  for await (const job of jobs) {
    if (signal.aborted) return;
    yield job;
  }
}
