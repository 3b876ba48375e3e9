/**
 * Versioned job streams over at-most-once pub/sub (protocol.md §4): subscribe and wait for the
 * acknowledgement, read the stored job, then forward only newer versions; re-read after every
 * reconnect; end after the terminal state, so a watcher never misses the final state.
 */
import { isTerminal, type Job } from '../jobs/model.js';
import { EVENT_ALL_JOBS, jobEventName, type Coordinator } from './coordinator.js';

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

type Signal = { kind: 'event'; job: Job } | { kind: 'reread' };

export async function* watchJob(coordinator: Coordinator, id: string, signal: AbortSignal): AsyncGenerator<Job> {
  const inbox = channel<Signal>(signal);
  const unsubscribe = await coordinator.subscribe(jobEventName(id), (payload) => inbox.push({ kind: 'event', job: JSON.parse(payload) as Job }));
  const stopReconnect = coordinator.onReconnect(() => inbox.push({ kind: 'reread' }));
  try {
    let lastVersion = 0;
    let pending: Signal | undefined = { kind: 'reread' };
    while (pending && !signal.aborted) {
      const job = pending.kind === 'event' ? pending.job : await coordinator.getJob(id);
      if (!job) return;
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
export async function* watchAllJobs(coordinator: Coordinator, filter: { channel?: string; owner?: string }, signal: AbortSignal): AsyncGenerator<Job> {
  const inbox = channel<Job>(signal);
  const unsubscribe = await coordinator.subscribe(EVENT_ALL_JOBS, (payload) => {
    const job = JSON.parse(payload) as Job;
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
