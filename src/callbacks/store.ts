/**
 * Where delivery tasks live between attempts: one task per job (created once, whatever the number
 * of instances asking), a schedule of due attempts, and a lease per claimed attempt. The Redis store
 * shares this across instances and survives restarts; the in-memory store serves a single instance.
 *
 * Lease protocol: claiming an attempt increments the task's attempt count, pushes its due time to
 * the lease's end and hands out a token. Committing the attempt's result requires that token; an
 * attempt whose instance died becomes due again when the lease ends (and counts as an attempt).
 */
import type { CallbackState, Job } from '../jobs/model.js';
import { toHostedJson } from './payload.js';

export interface ClaimedAttempt {
  jobId: string;
  url: string;
  /** The exact body to POST (the same on every attempt). */
  body: string;
  /** This attempt's number, 1 for the first. */
  attempt: number;
  token: string;
  /** The previous attempt's error, if any. */
  lastError: string | null;
}

export interface StoredTask extends CallbackState {
  url: string;
  /** When the next attempt is due (or the claimed attempt's lease ends); null once finished. */
  dueAt: number | null;
}

export interface CallbackStore {
  /** Creates the job's task unless one exists (true when this call created it); first attempt due at `dueAt`. */
  create(jobId: string, url: string, body: string, dueAt: number): Promise<boolean>;
  /** Moves a not-yet-attempted task's first attempt to `at` (no effect once an attempt was claimed). */
  schedule(jobId: string, at: number): Promise<void>;
  /** Claims up to `limit` attempts due at `now`, each leased until `leaseUntil`. */
  claimDue(now: number, leaseUntil: number, limit: number, tokenBase: string): Promise<ClaimedAttempt[]>;
  /**
   * Records an attempt's result if `token` still holds the lease. `nextAt` schedules the next attempt;
   * null finishes the task (kept as a marker for `doneTtlMs` so the job is never delivered again).
   */
  commit(jobId: string, token: string, state: CallbackState, nextAt: number | null): Promise<boolean>;
  get(jobId: string): Promise<StoredTask | null>;
}

/** Where a terminal job's callback goes: its replyUrl, else the default (CALLBACK_DEFAULT_URL); null = none. */
export const callbackUrlOf = (job: Pick<Job, 'replyUrl'>, defaultUrl: string | null): string | null => job.replyUrl || defaultUrl || null;

export interface MemoryTask extends StoredTask {
  body: string;
  token: string | null;
  /** When a finished task is forgotten (epoch ms). */
  forgetAt?: number;
}

/** The in-process store, shared with the embedded coordinator: its terminal write creates tasks synchronously. */
export interface MemoryCallbackStore extends CallbackStore {
  /** Creates the task of a job that just ended (body made from it) unless one exists; true when created. */
  createFromTerminal(job: Job, url: string, dueAt: number): boolean;
}

export interface MemoryStoreOptions {
  doneTtlMs: number;
  now: () => number;
  /** Tasks to start from (the embedded coordinator's journal). */
  initial?: Iterable<[string, MemoryTask]>;
  /** Called after every change of a task (null: forgotten), to persist it. */
  onChange?: (jobId: string, task: MemoryTask | null) => void;
}

/** The single-instance store (no Redis configured): same semantics; persisted through `onChange` if given. */
export function createMemoryStore(options: MemoryStoreOptions): MemoryCallbackStore {
  const tasks = new Map<string, MemoryTask>(options.initial);
  const changed = (jobId: string) => options.onChange?.(jobId, tasks.get(jobId) ?? null);
  /** Unfinished tasks, so claiming does not scan the finished markers. */
  const pending = new Set([...tasks].filter(([, t]) => t.dueAt !== null).map(([id]) => id));
  /** Finished tasks in expiry order (the TTL is constant and time moves forward). */
  const expiries = [...tasks]
    .filter(([, t]) => t.forgetAt !== undefined)
    .map(([jobId, t]) => ({ jobId, at: t.forgetAt! }))
    .sort((a, b) => a.at - b.at);
  const sweep = () => {
    const now = options.now();
    while (expiries.length > 0 && (expiries[0] as { at: number }).at <= now) {
      const { jobId } = expiries.shift() as { jobId: string };
      if (tasks.get(jobId)?.dueAt === null) {
        tasks.delete(jobId);
        changed(jobId);
      }
    }
  };
  const createNow = (jobId: string, url: string, body: string, dueAt: number): boolean => {
    sweep();
    if (tasks.has(jobId)) return false;
    tasks.set(jobId, { url, body, status: 'PENDING', attempts: 0, lastError: null, deliveredAt: null, dueAt, token: null });
    pending.add(jobId);
    changed(jobId);
    return true;
  };

  return {
    createFromTerminal: (job, url, dueAt) => createNow(job.id, url, JSON.stringify(toHostedJson(job)), dueAt),
    async create(jobId, url, body, dueAt) {
      return createNow(jobId, url, body, dueAt);
    },
    async schedule(jobId, at) {
      const task = tasks.get(jobId);
      if (task && task.attempts === 0 && task.dueAt !== null) {
        task.dueAt = at;
        changed(jobId);
      }
    },
    async claimDue(now, leaseUntil, limit, tokenBase) {
      sweep();
      const due = [...pending]
        .map((jobId) => [jobId, tasks.get(jobId) as MemoryTask] as const)
        .filter(([, t]) => t.dueAt !== null && t.dueAt <= now)
        .sort(([, a], [, b]) => (a.dueAt as number) - (b.dueAt as number))
        .slice(0, limit);
      return due.map(([jobId, task]) => {
        const lastError = task.lastError;
        task.attempts += 1;
        task.dueAt = leaseUntil;
        task.token = `${tokenBase}:${jobId}:${task.attempts}`;
        changed(jobId);
        return { jobId, url: task.url, body: task.body, attempt: task.attempts, token: task.token, lastError };
      });
    },
    async commit(jobId, token, state, nextAt) {
      const task = tasks.get(jobId);
      if (!task || task.token !== token) return false;
      Object.assign(task, state, { token: null, dueAt: nextAt });
      if (nextAt === null) {
        pending.delete(jobId);
        task.body = '';
        task.forgetAt = options.now() + options.doneTtlMs;
        expiries.push({ jobId, at: task.forgetAt });
      }
      changed(jobId);
      return true;
    },
    async get(jobId) {
      const task = tasks.get(jobId);
      if (!task) return null;
      const { url, status, attempts, lastError, deliveredAt, dueAt } = task;
      return { url, status, attempts, lastError, deliveredAt, dueAt };
    },
  };
}
