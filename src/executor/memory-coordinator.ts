/**
 * The in-process coordinator: the same contract as Redis for a single instance (no REDIS_URL).
 * JavaScript runs one method body at a time, so each method is atomic like a Lua script.
 */
import { EventEmitter } from 'node:events';
import type { DiscordAccount } from '../discord/types.js';
import { isTerminal, type Job } from '../jobs/model.js';
import {
  EVENT_ALL_JOBS,
  EVENT_CHANNEL_FREED,
  jobEventName,
  type AccountRecord,
  type Claimed,
  type ClaimRequest,
  type Coordinator,
  type JobPatch,
  type Lease,
  type ListQuery,
} from './coordinator.js';
import { pageJobs } from './paging.js';

interface StoredLease extends Lease {
  expiresAt: number;
}

export function createMemoryCoordinator(now: () => number = Date.now): Coordinator {
  const jobs = new Map<string, { job: Job; expiresAt: number | null }>();
  const queue: string[] = [];
  const leases = new Map<string, StoredLease>();
  const fences = new Map<string, number>();
  const running = new Set<string>();
  const accounts = new Map<string, AccountRecord>();
  const credits = new Map<string, number>();
  const alive = new Map<string, number>();
  const events = new EventEmitter().setMaxListeners(0);

  const read = (id: string): Job | null => {
    const entry = jobs.get(id);
    if (!entry) return null;
    if (entry.expiresAt !== null && entry.expiresAt <= now()) {
      jobs.delete(id);
      return null;
    }
    return entry.job;
  };
  const liveLease = (channel: string): StoredLease | null => {
    const lease = leases.get(channel);
    if (lease && lease.expiresAt > now()) return lease;
    leases.delete(channel);
    return null;
  };
  const emitJob = (job: Job) => {
    const payload = JSON.stringify(job);
    events.emit(jobEventName(job.id), payload);
    events.emit(EVENT_ALL_JOBS, payload);
  };
  const write = (job: Job, patch: JobPatch, retentionSec: number): Job => {
    const next: Job = { ...job, ...patch, version: job.version + 1, updated: new Date(now()).toISOString() };
    const terminal = isTerminal(next.status);
    jobs.set(job.id, { job: next, expiresAt: terminal ? now() + retentionSec * 1000 : null });
    if (terminal) {
      running.delete(job.id);
      const index = queue.indexOf(job.id);
      if (index >= 0) queue.splice(index, 1);
      if (next.channel && liveLease(next.channel)?.jobId === job.id) leases.delete(next.channel);
      if (next.channel) events.emit(EVENT_CHANNEL_FREED, next.channel);
    }
    emitJob(next);
    return next;
  };

  return {
    async createJob(job, enqueue) {
      jobs.set(job.id, { job, expiresAt: null });
      if (enqueue) queue.push(job.id);
      emitJob(job);
    },
    async getJob(id) {
      return read(id);
    },
    async getJobs(ids) {
      return ids.map(read).filter((j): j is Job => j !== null);
    },
    async queuePosition(id) {
      const index = queue.indexOf(id);
      return index < 0 ? null : index + 1;
    },
    async queueSize(owner) {
      return { total: queue.length, owner: queue.filter((id) => read(id)?.owner === owner).length };
    },
    async queuedJobs() {
      return queue.map(read).filter((j): j is Job => j !== null);
    },
    async listJobs(query: ListQuery) {
      const all = [...jobs.keys()].map(read).filter((j): j is Job => j !== null);
      return pageJobs(all, query);
    },

    async claim(request: ClaimRequest): Promise<Claimed | null> {
      const account = accounts.get(request.channel);
      if (!account || !account.enabled || account.cooldownUntil > request.nowMs || account.exhaustedDay === request.day) return null;
      if (liveLease(request.channel)) return null;
      const creditKey = `${request.channel}:${request.day}`;
      if ((credits.get(creditKey) ?? 0) + request.creditCost > request.creditsPerDay) return null;
      const head = queue.map(read).find((j) => j && (j.requestedChannel === null || j.requestedChannel === request.channel));
      if (!head || head.instance !== request.instance) return null;
      const reaped = [...running]
        .map(read)
        .filter((j): j is Job => j !== null && j.status === 'STARTED' && j.channel === request.channel)
        .map((j) => write(j, request.lost.patch, request.lost.retentionSec));

      const fence = (fences.get(request.channel) ?? 0) + 1;
      fences.set(request.channel, fence);
      leases.set(request.channel, { token: request.token, jobId: head.id, expiresAt: request.nowMs + request.ttlMs });
      credits.set(creditKey, (credits.get(creditKey) ?? 0) + request.creditCost);
      queue.splice(queue.indexOf(head.id), 1);
      running.add(head.id);
      const job = write(head, { status: 'STARTED', channel: request.channel, attempt: head.attempt + 1, ...request.start }, 0);
      return { job, fence, reaped };
    },
    async renew(channel, token, ttlMs) {
      const lease = liveLease(channel);
      if (!lease || lease.token !== token) return false;
      lease.expiresAt = now() + ttlMs;
      return true;
    },
    async lease(channel) {
      const lease = liveLease(channel);
      return lease ? { token: lease.token, jobId: lease.jobId } : null;
    },
    async updateJob(id, { from, patch, token, channel, retentionSec }) {
      const job = read(id);
      if (!job || !from.includes(job.status)) return null;
      if (token !== undefined) {
        const lease = channel ? liveLease(channel) : null;
        if (!lease || lease.token !== token || lease.jobId !== id) return null;
      }
      return write(job, patch, retentionSec);
    },
    async failIfLost(id, patch, retentionSec) {
      const job = read(id);
      if (!job || job.status !== 'STARTED') return null;
      const lease = job.channel ? liveLease(job.channel) : null;
      if (lease && lease.jobId === id) return null;
      return write(job, patch, retentionSec);
    },
    async discardQueued(id) {
      const job = read(id);
      if (!job || job.status !== 'QUEUED') return false;
      queue.splice(queue.indexOf(id), 1);
      jobs.delete(id);
      return true;
    },
    async checkStore() {
      return 'same' as const; // an in-process store cannot lose its data and keep this process
    },
    async restoreJob(job, retentionSec) {
      if (read(job.id)) return false;
      const terminal = isTerminal(job.status);
      jobs.set(job.id, { job, expiresAt: terminal ? now() + retentionSec * 1000 : null });
      if (job.status === 'QUEUED') queue.push(job.id);
      emitJob(job);
      return true;
    },
    async runningJobIds() {
      return [...running];
    },

    async heartbeat(instance, ttlMs) {
      alive.set(instance, now() + ttlMs);
    },
    async isAlive(instance) {
      return (alive.get(instance) ?? 0) > now();
    },

    async upsertAccount(account: DiscordAccount, options = {}) {
      const previous = accounts.get(account.channel);
      const record: AccountRecord = {
        ...account,
        enabled: options.keepState && previous ? previous.enabled : true,
        disabledReason: options.keepState && previous ? previous.disabledReason : null,
        cooldownUntil: previous?.cooldownUntil ?? 0,
        exhaustedDay: options.keepState && previous ? previous.exhaustedDay : null,
      };
      accounts.set(account.channel, record);
      events.emit(EVENT_CHANNEL_FREED, account.channel);
      return record;
    },
    async getAccount(channel) {
      return accounts.get(channel) ?? null;
    },
    async listAccounts() {
      return [...accounts.values()];
    },
    async deleteAccount(channel) {
      return accounts.delete(channel);
    },
    async setAccountState(channel, state) {
      const account = accounts.get(channel);
      if (account) accounts.set(channel, { ...account, ...state });
    },
    async creditsUsed(channel, day) {
      return credits.get(`${channel}:${day}`) ?? 0;
    },

    async publish(event, payload) {
      events.emit(event, payload);
    },
    async subscribe(event, listener) {
      events.on(event, listener);
      return async () => {
        events.off(event, listener);
      };
    },
    onReconnect() {
      return () => {};
    },
    async ping() {
      return true;
    },
    async close() {
      events.removeAllListeners();
    },
  };
}
