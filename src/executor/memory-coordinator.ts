/**
 * The in-process coordinator: the same contract as Redis for a single instance (no REDIS_URL).
 * JavaScript runs one method body at a time, so each method is atomic like a Lua script. With a
 * journal (./journal.ts) every change is written to disk before the call returns.
 */
import { EventEmitter } from 'node:events';
import type { DiscordAccount } from '../discord/types.js';
import { activeHealth, HELD_STATES } from '../jobs/account.js';
import { isTerminal, mayMove, type Job } from '../jobs/model.js';
import { identityOf, normalizeAccount } from './account-record.js';
import {
  copyLeaseName,
  EVENT_ACCOUNTS,
  EVENT_ALL_JOBS,
  EVENT_CHANNEL_FREED,
  EVENT_QUEUE,
  jobEventName,
  type AccountRecord,
  type CallbackTaskRule,
  type Coordinator,
  type JobPatch,
  type SentCommand,
} from './coordinator.js';
import { indexNameOf } from './keys.js';
import { cursorOf, entryOfCursor } from './service/paging.js';
import { memoryClaims, nextJob } from './memory-claims.js';
import { commandsKey, MemoryState, tokenCreditsKey } from './memory-state.js';
import { admit, reservedByField, reservedOnField } from './credit-reservations.js';
import { positionsOf } from './fair-queue.js';
import type { Journal } from './journal.js';
import { callbackUrlOf, type MemoryCallbackStore } from '../callbacks/store.js';

export interface MemoryCoordinatorOptions {
  now?: () => number;
  callbacks?: CallbackTaskRule;
  /** The in-process callback store: terminal writes create their task in it in the same step. */
  callbackTasks?: MemoryCallbackStore;
  journal?: Journal;
}

export function createMemoryCoordinator(options: MemoryCoordinatorOptions = {}): Coordinator {
  const now = options.now ?? Date.now;
  const state = options.journal?.state ?? new MemoryState(now);
  const journal = options.journal;
  // Records journaled by an earlier version read in the current shape.
  for (const [channel, record] of state.accounts)
    state.accounts.set(channel, normalizeAccount(record as unknown as Record<string, unknown>));
  const events = new EventEmitter().setMaxListeners(0);
  state.onQueueChange = () => events.emit(EVENT_QUEUE, '');
  const iso = () => new Date(now()).toISOString();

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
  /** Stores the next record of `old` (version and time bumped): the mirror of write_job in Lua. */
  const write = (old: Job, patch: JobPatch & { command?: SentCommand | null }, retentionSec: number): Job => {
    let next: Job = { ...old, ...patch, version: old.version + 1, updated: iso() };
    const terminal = isTerminal(next.status);
    const entering = terminal && !isTerminal(old.status);
    if (entering) next = createCallback(next);
    state.put(next, old, terminal ? now() + retentionSec * 1000 : null);
    if (terminal) {
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
    }
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

  const claims = memoryClaims(
    state,
    {
      write,
      requeue,
      freed: (channel) => events.emit(EVENT_CHANNEL_FREED, channel),
      emit: (event, payload) => events.emit(event, payload),
    },
    now,
    journal,
  );
  const setAccount = (channel: string, change: Partial<AccountRecord>) => {
    const account = state.accounts.get(channel);
    if (!account) return null;
    const next = { ...account, ...change };
    state.accounts.set(channel, next);
    journal?.account(channel);
    events.emit(EVENT_ACCOUNTS, channel);
    return next;
  };

  const coordinator: Coordinator = {
    createJob: async (job, enqueue) =>
      journaled(() => {
        state.put(job, null, null);
        if (enqueue) state.enqueue(job);
        journal?.job(job.id);
        emitJob(job);
      })(),
    admitJob: async (job, terms) =>
      journaled(() => {
        const result = admit(job, terms, {
          spentToday: state.credits.get(tokenCreditsKey(job.owner, terms.day)) ?? 0,
          ownerReserved: state.reservedIn(reservedByField(job.owner)),
          usedOn: (channel) => state.credits.get(`${channel}:${terms.day}`) ?? 0,
          reservedOn: (channel) => state.reservedIn(reservedOnField(channel)),
        });
        if (!result.admitted) return result;
        const admitted: Job = { ...job, reservation: result.reservation };
        state.put(admitted, null, null);
        state.enqueue(admitted);
        journal?.job(job.id);
        emitJob(admitted);
        return result;
      })(),
    getJob: async (id) => state.read(id),
    getJobs: async (ids) => ids.map((id) => state.read(id)).filter((j): j is Job => j !== null),
    queuePosition: async (id) => state.position(id),
    queuePositions: async () => positionsOf(state.queueEntries()),
    peekNext: async (request) => {
      const next = nextJob(state, request);
      return typeof next === 'string' ? null : next.job;
    },
    queueSize: async (owner) => ({
      total: state.index(indexNameOf({ status: 'QUEUED' }))?.size ?? 0,
      owner: state.index(indexNameOf({ owner, status: 'QUEUED' }))?.size ?? 0,
    }),
    queuedJobs: async () =>
      state
        .queuedIds()
        .map((id) => state.read(id))
        .filter((j): j is Job => j !== null),
    listJobs: async (query) => {
      let below = query.after ? entryOfCursor(query.after) : undefined;
      const index = state.index(indexNameOf(query));
      const jobs: Job[] = [];
      while (index && jobs.length <= query.first) {
        const entries = index.descendingBelow(below, query.first + 1 - jobs.length);
        if (entries.length === 0) break;
        for (const entry of entries) {
          const job = state.read(entry.slice(entry.indexOf('|') + 1));
          if (job) jobs.push(job);
          else index.delete(entry);
        }
        below = entries.at(-1);
      }
      const page = jobs.slice(0, query.first);
      return {
        edges: page.map((job) => ({ job, cursor: cursorOf(job) })),
        endCursor: page.length ? cursorOf(page.at(-1)!) : null,
        hasNextPage: jobs.length > query.first,
      };
    },

    claim: async (request) => journaled(claims.claim)(request),
    renew: async (channel, token, ttlMs) => {
      const lease = state.liveLease(channel);
      if (!lease || lease.token !== token) return false;
      lease.expiresAt = now() + ttlMs;
      state.running.set(lease.jobId, lease.expiresAt);
      return true;
    },
    lease: async (channel) => {
      const lease = state.liveLease(channel);
      return lease ? { token: lease.token, jobId: lease.jobId } : null;
    },
    updateJob: async (id, { from, patch, token, channel, retentionSec, pace }) =>
      journaled(() => {
        const job = state.read(id);
        if (!job || (from && !from.includes(job.status))) return null;
        if (patch.status !== undefined && patch.status !== job.status && (!isTerminal(patch.status) || !mayMove(job.status, patch.status)))
          return null;
        if (job.status === 'STARTED' || token !== undefined) {
          // A job whose result is being copied is fenced by its copy lease, not the channel's.
          const fence = job.copying ? copyLeaseName(id) : job.channel;
          const lease = fence && (channel === undefined || channel === fence) ? state.liveLease(fence) : null;
          if (!lease || lease.token !== token || lease.jobId !== id) return null;
        }
        // Pacing goes in before the release's freed event is emitted (write emits it).
        const releases =
          pace && job.channel && !job.copying && patch.status !== undefined && isTerminal(patch.status) && !isTerminal(job.status);
        const account = releases ? state.accounts.get(job.channel!) : undefined;
        if (account && pace) {
          state.accounts.set(account.channel, { ...account, readyAt: pace.readyAt });
          journal?.account(account.channel);
        }
        return write(job, patch, retentionSec);
      })(),
    releaseForCopy: async (id, { channel, token, copy, copyToken, ttlMs, pace }) =>
      journaled(() => {
        const job = state.read(id);
        const lease = state.liveLease(channel);
        if (!job || job.status !== 'STARTED' || job.copying || job.channel !== channel || lease?.token !== token || lease.jobId !== id)
          return null;
        state.leases.delete(channel);
        if (state.holders.get(channel) === id) state.holders.delete(channel);
        const expiresAt = now() + ttlMs;
        state.leases.set(copyLeaseName(id), { token: copyToken, jobId: id, expiresAt });
        state.running.set(id, expiresAt);
        const account = pace ? state.accounts.get(channel) : undefined;
        if (account && pace) {
          state.accounts.set(channel, { ...account, readyAt: pace.readyAt });
          journal?.account(channel);
        }
        const next = write(job, { copying: copy }, 0);
        events.emit(EVENT_CHANNEL_FREED, channel);
        return next;
      })(),
    markCommandSent: async (id, channel, token, command) =>
      journaled(() => {
        const job = state.read(id);
        const lease = state.liveLease(channel);
        if (!job || job.status !== 'STARTED' || job.channel !== channel || lease?.token !== token || lease.jobId !== id) return null;
        return write(job, { command }, 0);
      })(),
    handBack: async (id, channel, token) =>
      journaled(() => {
        const job = state.read(id);
        const lease = state.liveLease(channel);
        if (!job || job.status !== 'STARTED' || job.channel !== channel || lease?.token !== token || lease.jobId !== id) return null;
        state.leases.delete(channel);
        const back = requeue(job);
        events.emit(EVENT_CHANNEL_FREED, channel);
        return back;
      })(),
    reap: async (request) => journaled(claims.reap)(request),
    discardQueued: async (id) =>
      journaled(() => {
        const job = state.read(id);
        if (!job || job.status !== 'QUEUED') return false;
        state.remove(job);
        journal?.job(id);
        return true;
      })(),
    checkStore: async () => 'same' as const, // an in-process store cannot lose its data and keep this process
    restoreJob: async (job, retentionSec) =>
      journaled(() => {
        if (state.read(job.id)) return false;
        state.put(job, null, isTerminal(job.status) ? now() + retentionSec * 1000 : null);
        if (job.status === 'QUEUED') state.enqueue(job);
        journal?.job(job.id);
        emitJob(job);
        return true;
      })(),

    heartbeat: async (instance, ttlMs) => void state.alive.set(instance, now() + ttlMs),
    isAlive: async (instance) => (state.alive.get(instance) ?? 0) > now(),

    upsertAccount: async (account: DiscordAccount, { managed = 'API', keepState = false } = {}) =>
      journaled(() => {
        const previous = state.accounts.get(account.channel);
        const keep = keepState && previous;
        const record: AccountRecord = {
          ...identityOf(account),
          managed,
          health: keep ? previous.health : activeHealth(now()),
          readyAt: keep ? previous.readyAt : 0,
          foreign: keep ? previous.foreign : null,
        };
        state.accounts.set(account.channel, record);
        journal?.account(account.channel);
        events.emit(EVENT_ACCOUNTS, account.channel);
        events.emit(EVENT_CHANNEL_FREED, account.channel);
        return record;
      })(),
    getAccount: async (channel) => state.accounts.get(channel) ?? null,
    listAccounts: async () => [...state.accounts.values()],
    deleteAccount: async (channel) =>
      journaled(() => {
        const deleted = state.accounts.delete(channel);
        journal?.account(channel);
        if (deleted) events.emit(EVENT_ACCOUNTS, channel);
        return deleted;
      })(),
    setAccountHealth: async (channel, health, unless = []) =>
      journaled(() => {
        const account = state.accounts.get(channel);
        if (!account) return null;
        if (unless.includes(account.health.state)) return { applied: false, previous: account.health, record: account };
        const record = setAccount(channel, { health })!;
        if (!HELD_STATES.has(health.state)) events.emit(EVENT_CHANNEL_FREED, channel);
        return { applied: true, previous: account.health, record };
      })(),
    setForeignCommand: async (channel, foreign, interactionId) =>
      journaled(() => {
        const account = state.accounts.get(channel);
        if (!account) return;
        if (foreign) {
          setAccount(channel, { foreign });
          return;
        }
        if (account.foreign?.interactionId !== interactionId) return;
        setAccount(channel, { foreign: null });
        events.emit(EVENT_CHANNEL_FREED, channel);
      })(),
    creditsUsed: async (channel, day) => state.credits.get(`${channel}:${day}`) ?? 0,
    tokenCreditsUsed: async (owner, day) => state.credits.get(tokenCreditsKey(owner, day)) ?? 0,
    recountReservations: async () => undefined, // counted as jobs enter and leave the queues: always exact
    creditsUsedOn: async (channels, day) => channels.map((channel) => state.credits.get(`${channel}:${day}`) ?? 0),
    commandsStartedOn: async (accounts) => accounts.map(({ channel, day }) => state.credits.get(commandsKey(channel, day)) ?? 0),

    publish: async (event, payload) => void events.emit(event, payload),
    subscribe: async (event, listener) => {
      events.on(event, listener);
      return async () => void events.off(event, listener);
    },
    onReconnect: () => () => {},
    ping: async () => true,
    // The journal is closed by its opener (./stores.ts): the callback store writes to it until the end.
    close: async () => void events.removeAllListeners(),
  };
  return coordinator;
}
