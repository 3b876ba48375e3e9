/** The embedded store's jobs (JobStore): the same rules as the job scripts in ./lua. */
import { isTerminal, mayMove, type Job } from '../../../jobs/model.js';
import { copyLeaseName, type JobListPage, type JobStore, type JobWrite, type ListQuery } from '../port.js';
import { admit, reservedByField, reservedOnField } from '../credit-reservations.js';
import { positionsOf } from '../fair-queue.js';
import { indexNameOf } from '../keys.js';
import { tokenCreditsKey, type MemoryState } from './state.js';
import type { MemoryStore } from './writes.js';
import { cursorOf, entryOfCursor } from '../paging.js';

/** Newest first, from the sorted index of the query (entries whose job is gone are dropped). */
function listJobsIn(state: MemoryState, query: ListQuery): JobListPage {
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
}

/** updateJob (as ../redis/lua/update-job-11.lua): status rules, the holder's fence, pacing on release. */
function updateJobIn({ state, journal, writes }: MemoryStore, id: string, { from, patch, token, channel, retentionSec, pace }: JobWrite) {
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
  const releases = pace && job.channel && !job.copying && patch.status !== undefined && isTerminal(patch.status) && !isTerminal(job.status);
  const account = releases ? state.accounts.get(job.channel!) : undefined;
  if (account && pace) {
    state.accounts.set(account.channel, { ...account, readyAt: pace.readyAt });
    journal?.account(account.channel);
  }
  return writes.write(job, patch, retentionSec);
}

export function memoryJobs(store: MemoryStore): JobStore {
  const { state, journal, writes, journaled, now } = store;
  /** Stores a job that is new here (createJob, admitJob, restoreJob). */
  const insert = (job: Job, expiresAt: number | null, enqueue: boolean) => {
    state.put(job, null, expiresAt);
    if (enqueue) state.enqueue(job);
    journal?.job(job.id);
    writes.emitJob(job);
  };
  return {
    createJob: async (job, enqueue) => journaled(() => insert(job, null, enqueue))(),
    admitJob: async (job, terms) =>
      journaled(() => {
        const result = admit(job, terms, {
          spentToday: state.credits.get(tokenCreditsKey(job.owner, terms.day)) ?? 0,
          ownerReserved: state.reservedIn(reservedByField(job.owner)),
          usedOn: (channel) => state.credits.get(`${channel}:${terms.day}`) ?? 0,
          reservedOn: (channel) => state.reservedIn(reservedOnField(channel)),
        });
        if (result.admitted) insert({ ...job, reservation: result.reservation }, null, true);
        return result;
      })(),
    getJob: async (id) => state.read(id),
    getJobs: async (ids) => ids.map((id) => state.read(id)).filter((j): j is Job => j !== null),
    queuePosition: async (id) => state.position(id),
    queuePositions: async () => positionsOf(state.queueEntries()),
    queueSize: async (owner) => ({
      total: state.index(indexNameOf({ status: 'QUEUED' }))?.size ?? 0,
      owner: state.index(indexNameOf({ owner, status: 'QUEUED' }))?.size ?? 0,
    }),
    queuedJobs: async () =>
      state
        .queuedIds()
        .map((id) => state.read(id))
        .filter((j): j is Job => j !== null),
    listJobs: async (query) => listJobsIn(state, query),
    updateJob: async (id, write) => journaled(() => updateJobIn(store, id, write))(),
    discardQueued: async (id) =>
      journaled(() => {
        const job = state.read(id);
        if (!job || job.status !== 'QUEUED') return false;
        state.remove(job);
        journal?.job(id);
        return true;
      })(),
    restoreJob: async (job, retentionSec) =>
      journaled(() => {
        if (state.read(job.id)) return false;
        insert(job, isTerminal(job.status) ? now() + retentionSec * 1000 : null, job.status === 'QUEUED');
        return true;
      })(),
  };
}
