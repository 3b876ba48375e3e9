/**
 * The embedded store's one way to change a job (the mirror of write_job and requeue in
 * ../redis/lua/includes/job-writes.lua), and what every part of it shares: the state, its events, the
 * journal. Each part (./jobs.ts, ./claims.ts, ./accounts.ts) changes jobs only
 * through these writes, so every record bumps its version, moves its indexes, journals and
 * publishes in one place.
 */
import { EventEmitter } from 'node:events';
import { isTerminal, type Job } from '../../../jobs/model.js';
import { callbackUrlOf, type MemoryCallbackStore } from '../../../callbacks/store.js';
import {
  copyLeaseName,
  EVENT_ALL_JOBS,
  EVENT_CHANNEL_FREED,
  jobEventName,
  type CallbackTaskRule,
  type JobPatch,
  type SentCommand,
} from '../port.js';
import type { Journal } from './disk-journal.js';
import type { MemoryState } from './state.js';

export interface JobWrites {
  /**
   * Stores the next record of `old` (version and time bumped), as write_job does in Lua.
   * `command: undefined` removes the field (Lua's `j.command = nil`).
   */
  write(old: Job, patch: JobPatch & { command?: SentCommand | null }, retentionSec: number): Job;
  /** Back to its queue at its own place, as if it never started. */
  requeue(job: Job): Job;
  /** Publishes a job's record to its subscribers. */
  emitJob(job: Job): void;
  /** A channel is free again (EVENT_CHANNEL_FREED). */
  freed(channel: string): void;
  /** An event for subscribers (EVENT_ACCOUNTS…). */
  emit(event: string, payload: string): void;
}

export interface MemoryStore {
  state: MemoryState;
  events: EventEmitter;
  now: () => number;
  journal: Journal | undefined;
  writes: JobWrites;
  /** Runs `fn`, then writes what it journaled to disk (also when it throws). */
  journaled: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => R;
}

export interface MemoryWriteOptions {
  now: () => number;
  callbacks?: CallbackTaskRule | undefined;
  /** The in-process callback store: terminal writes create their task in it in the same step. */
  callbackTasks?: MemoryCallbackStore | undefined;
  journal?: Journal | undefined;
}

export function memoryStore(state: MemoryState, options: MemoryWriteOptions): MemoryStore {
  const { now, journal } = options;
  const events = new EventEmitter().setMaxListeners(0);
  const emitJob = (job: Job) => {
    const payload = JSON.stringify(job);
    events.emit(jobEventName(job.id), payload);
    events.emit(EVENT_ALL_JOBS, payload);
  };
  const createCallback = (job: Job): Job => {
    const url = callbackUrlOf(job, options.callbacks?.defaultUrl ?? null);
    if (!url || !options.callbackTasks) return job;
    const withCallback: Job = { ...job, callback: { status: 'PENDING', attempts: 0, lastError: null, deliveredAt: null } };
    return options.callbackTasks.createFromTerminal(withCallback, url, now()) ? withCallback : job;
  };
  /** A job entering a terminal status leaves the queue, the running set and its channel. */
  const leave = (next: Job, old: Job, entering: boolean) => {
    state.running.delete(next.id);
    state.dequeue(old);
    state.seqOf.delete(next.id);
    if (entering) state.leases.delete(copyLeaseName(next.id));
    // A job that was being copied had released its channel already (releaseForCopy).
    if (entering && next.channel && !old.copying) {
      if (state.leases.get(next.channel)?.jobId === next.id) state.leases.delete(next.channel);
      if (state.holders.get(next.channel) === next.id) state.holders.delete(next.channel);
      events.emit(EVENT_CHANNEL_FREED, next.channel);
    }
  };
  const write: JobWrites['write'] = (old, patch, retentionSec) => {
    let next: Job = { ...old, ...patch, version: old.version + 1, updated: new Date(now()).toISOString() };
    if ('command' in patch && patch.command === undefined) delete (next as Job & { command?: unknown }).command;
    const terminal = isTerminal(next.status);
    const entering = terminal && !isTerminal(old.status);
    if (entering) next = createCallback(next);
    state.put(next, old, terminal ? now() + retentionSec * 1000 : null);
    if (terminal) leave(next, old, entering);
    journal?.job(next.id);
    emitJob(next);
    return next;
  };
  const requeue = (job: Job): Job => {
    state.running.delete(job.id);
    if (job.channel && state.holders.get(job.channel) === job.id) state.holders.delete(job.channel);
    const next = write(job, { status: 'QUEUED', channel: job.requestedChannel, server: null, discord: null, startedAt: null }, 0);
    state.enqueue(next);
    return next;
  };
  const journaled =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } finally {
        journal?.flush();
      }
    };
  const writes: JobWrites = {
    write,
    requeue,
    emitJob,
    freed: (channel) => events.emit(EVENT_CHANNEL_FREED, channel),
    emit: (event, payload) => events.emit(event, payload),
  };
  return { state, events, now, journal, writes, journaled };
}
