/**
 * A job as its subscriber sees it (jobUpdated over graphql-ws and SSE, the REST blocking calls): its
 * current state first, then each state once, with the queue position while it waits, pushed as the
 * position moves (./queue-feed.ts), and the end after the terminal state. A stored change a client
 * cannot see (the command recorded before and after the send, a reservation released, the bot's answer
 * kept while its result files are copied) is not sent
 * again: a view is sent only when something besides `version` and `updated` differs from the last
 * one sent. A position pushed on its own keeps the job's `version`.
 */
import { isTerminal, type Job } from '../../jobs/model.js';
import type { JobView } from '../../jobs/job-service.js';
import type { Coordinator } from '../store/port.js';
import type { QueueFeed } from './queue-feed.js';
import { inbox, watchJob } from './watch.js';
import type { Clock } from '../../timing/clock.js';

/**
 * Stored fields a client never reads, and the change markers: none of them makes a view new. The
 * position is compared on its own (a position pushed alone needs no serialization).
 */
const UNSEEN_FIELDS = ['version', 'updated', 'command', 'inputs', 'reservation', 'copying', 'queuePosition'] as const;

/** JSON with every object's keys in order (a record written by a Lua script has its own key order). */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : typeof value === 'object' && value !== null
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value;

/** What a client sees of a job besides its position: equal for two records that differ only in unseen fields. */
export function seenStateOf(view: JobView): string {
  const seen: Partial<JobView> = { ...view };
  for (const field of UNSEEN_FIELDS) delete seen[field];
  return JSON.stringify(canonical(seen));
}

export interface JobViewDeps {
  coordinator: Coordinator;
  /** The lost-record wait's time (default the system clock). */
  clock?: Clock;
  feed: QueueFeed;
  toView(job: Job): Promise<JobView>;
}

type Update = { kind: 'job'; job: Job } | { kind: 'position'; position: number } | { kind: 'end' } | { kind: 'failed'; error: unknown };

export async function* watchJobView(deps: JobViewDeps, id: string, signal: AbortSignal): AsyncGenerator<JobView> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();
  let deliver: (update: Update) => void = () => undefined;
  const updates = inbox<Update>(stop.signal, async (push) => {
    deliver = push;
    (async () => {
      for await (const job of watchJob(deps.coordinator, id, stop.signal, deps.clock)) push({ kind: 'job', job });
      push({ kind: 'end' });
    })().catch((error: unknown) => push({ kind: 'failed', error }));
    return async () => undefined;
  });
  // The queue is followed only while the job waits in it: a job running or done has no position.
  const following: { stop: (() => void) | null } = { stop: null };
  const follow = async (queued: boolean) => {
    if (queued && !following.stop) {
      following.stop = await deps.feed.follow(id, (position) => deliver({ kind: 'position', position }));
      // A move between the job's read and the subscription is read here.
      const position = await deps.coordinator.queuePosition(id);
      if (position !== null) deliver({ kind: 'position', position });
    } else if (!queued && following.stop) {
      following.stop();
      following.stop = null;
    }
  };
  try {
    let job: Job | null = null;
    let shown = { state: '', position: null as number | null };
    for await (const update of updates) {
      if (update.kind === 'end') return;
      if (update.kind === 'failed') throw update.error;
      if (update.kind === 'position') {
        if (job?.status !== 'QUEUED' || update.position === shown.position) continue;
        shown = { ...shown, position: update.position };
        yield { ...job, queuePosition: update.position };
        continue;
      }
      job = update.job;
      await follow(job.status === 'QUEUED');
      const view = await deps.toView(job);
      const state = seenStateOf(view);
      if (state === shown.state && view.queuePosition === shown.position) continue;
      shown = { state, position: view.queuePosition };
      yield view;
      if (isTerminal(view.status)) return;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
    following.stop?.();
  }
}
