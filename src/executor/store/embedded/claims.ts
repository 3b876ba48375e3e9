/**
 * The embedded store's claims and leases (ClaimStore): claim, peek, renew, the holder's writes under
 * its lease, hand back, release for a copy, and the reaper. The same rules as ../redis/lua/claim-18.lua,
 * ../redis/lua/peek-next-12.lua, ../redis/lua/reap-10.lua and the other lease scripts; which queued job a claim takes:
 * ../fair-queue.ts. Jobs change only through ./writes.ts.
 */
import { activeHealth, TIMED_STATES } from '../../../jobs/account.js';
import type { Job } from '../../../jobs/model.js';
import {
  copyLeaseName,
  creditCostOf,
  EVENT_ACCOUNTS,
  EVENT_CHANNEL_FREED,
  gateOf,
  type ClaimRequest,
  type ClaimResult,
  type ClaimStore,
  type CopyRelease,
  type PeekRequest,
  type LostRule,
  type ReapRequest,
  type ReapResult,
  type SentCommand,
} from '../port.js';
import { ineligibility } from '../eligibility.js';
import { pickHead, type Head } from '../fair-queue.js';
import { reservedOnField } from '../credit-reservations.js';
import { commandsKey, tokenCreditsKey, type MemoryState } from './state.js';
import type { MemoryStore } from './writes.js';

type Fate = { kind: 'requeue' } | { kind: 'adopt'; leftMs: number } | { kind: 'lost' };

/** What becomes of a STARTED job whose holder is gone (the same rule as ../redis/lua/includes/job-writes.lua). */
function fateOf(job: Job, nowMs: number, timeoutMs: number): Fate {
  const command = (job as Job & { command?: SentCommand | null }).command;
  if (command === null) return { kind: 'requeue' };
  const sent = command ? Date.parse(command.sentAt) : NaN;
  if (Number.isNaN(sent) || nowMs - sent >= timeoutMs) return { kind: 'lost' };
  return { kind: 'adopt', leftMs: sent + timeoutMs - nowMs };
}

/**
 * The job the next claim on the channel takes (../fair-queue.ts): 'empty' when neither queue head may
 * run there, 'unaffordable' when none fits the channel's credits.
 */
export function nextJob(state: MemoryState, request: PeekRequest): { job: Job; round: number } | 'empty' | 'unaffordable' {
  const { channel } = request;
  const passed = new Set(request.passOver ?? []);
  const heads = [state.head(`ch:${channel}`, passed), state.head('any', passed)]
    .map((place) => (place ? { ...place, job: state.read(place.id) } : null))
    .filter((h): h is Head => h !== null && h.job !== null && (request.acceptedBy === undefined || h.job.instance === request.acceptedBy));
  if (heads.length === 0) return 'empty';
  const head = pickHead(heads, {
    channel,
    used: state.credits.get(`${channel}:${request.day}`) ?? 0,
    creditsPerDay: request.creditsPerDay,
    reservedHere: state.reservedIn(reservedOnField(channel)),
    configuredCost: request.creditCost,
  });
  return head ? { job: head.job, round: head.round } : 'unaffordable';
}

const lose = ({ writes }: MemoryStore, job: Job, lost: LostRule) => writes.write(job, lost.patch, lost.retentionSec);

function takeLease({ state, now }: MemoryStore, channel: string, token: string, jobId: string, ttlMs: number) {
  state.leases.set(channel, { token, jobId, expiresAt: now() + ttlMs });
  state.holders.set(channel, jobId);
  state.running.set(jobId, now() + ttlMs);
}

/** The account's own rules (../redis/lua/includes/eligibility.lua); a timed state that has ended is reset to ACTIVE. */
function refusal(store: MemoryStore, request: ClaimRequest): ClaimResult | null {
  const { state, now, journal, writes } = store;
  const { channel } = request;
  const lease = state.liveLease(channel);
  if (lease) return { missed: 'held', leftMs: lease.expiresAt - now(), reaped: [] };
  const account = state.accounts.get(channel);
  if (!account) return { missed: 'ineligible', retryInMs: null, reaped: [] };
  const gate = gateOf(request);
  const commandsToday = state.credits.get(commandsKey(channel, gate.commandDay)) ?? 0;
  const input = { health: account.health, readyAt: account.readyAt, foreignUntil: account.foreign?.until ?? 0, commandsToday };
  const held = ineligibility(input, gate, request.nowMs);
  if (held) return { missed: 'ineligible', retryInMs: held.retryInMs === 0 ? null : held.retryInMs, reaped: [] };
  if (TIMED_STATES.has(account.health.state)) {
    state.accounts.set(channel, { ...account, health: activeHealth(request.nowMs) });
    journal?.account(channel);
    writes.emit(EVENT_ACCOUNTS, channel);
  }
  return null;
}

/** The channel's previous job, if its holder vanished: adopted (returned), requeued, or lost (into `reaped`). */
function settlePrevious(store: MemoryStore, request: ClaimRequest, reaped: Job[]): Job | null {
  const { state, writes } = store;
  const { channel } = request;
  const heldId = state.holders.get(channel);
  const previous = heldId ? state.read(heldId) : null;
  if (previous && previous.status === 'STARTED' && previous.channel === channel) {
    const fate = fateOf(previous, request.nowMs, request.lost.jobTimeoutMs);
    if (fate.kind === 'adopt') {
      takeLease(store, channel, request.token, previous.id, request.ttlMs);
      return writes.write(previous, {}, 0);
    }
    if (fate.kind === 'requeue') writes.requeue(previous);
    else reaped.push(lose(store, previous, request.lost));
  } else if (heldId) {
    state.holders.delete(channel);
  }
  return null;
}

/** Starts `job` on the channel: its lease, its charges, its next attempt. */
function start(store: MemoryStore, request: ClaimRequest, job: Job, round: number): Job {
  const { state, journal, writes } = store;
  const { channel } = request;
  const gate = gateOf(request);
  const cost = creditCostOf(job, request.creditCost);
  takeLease(store, channel, request.token, job.id, request.ttlMs);
  const charges: [string, number][] = [
    [`${channel}:${request.day}`, cost],
    [commandsKey(channel, gate.commandDay), 1],
    [tokenCreditsKey(job.owner, request.day), cost],
  ];
  for (const [key, amount] of charges) state.credits.set(key, (state.credits.get(key) ?? 0) + amount);
  for (const key of [...charges.map(([key]) => key), ...state.raiseRounds(channel, round)]) journal?.credits(key);
  state.dequeue(job);
  // A new attempt starts with no command of its own: none sent (null) when its holder records them,
  // unknown (no field) when it does not, never the attempt before's (as ../redis/lua/claim-18.lua).
  const fields = { status: 'STARTED' as const, channel, attempt: job.attempt + 1, reservation: null, ...request.start };
  return writes.write(job, { ...fields, command: request.recordsCommands ? null : undefined }, 0);
}

function claim(store: MemoryStore, request: ClaimRequest): ClaimResult {
  const refused = refusal(store, request);
  if (refused) return refused;
  const reaped: Job[] = [];
  const adopted = settlePrevious(store, request, reaped);
  if (adopted) return { job: adopted, adopted: true, reaped };
  const picked = nextJob(store.state, request);
  if (picked === 'empty') return { missed: 'empty', queued: store.state.queuedCount(), reaped };
  if (picked === 'unaffordable') return { missed: 'ineligible', retryInMs: null, reaped };
  return { job: start(store, request, picked.job, picked.round), adopted: false, reaped };
}

function reap(store: MemoryStore, { nowMs, lost, limit, copies: taker }: ReapRequest): ReapResult {
  const { state, now, writes } = store;
  const expired = [...state.running].filter(([, deadline]) => deadline <= now()).sort((a, b) => a[1] - b[1]);
  const result: ReapResult = { failed: [], requeued: [], copies: [], more: expired.length > limit };
  for (const [id] of expired.slice(0, limit)) {
    const job = state.read(id);
    if (!job || job.status !== 'STARTED' || !job.channel) {
      state.running.delete(id);
      continue;
    }
    const fence = job.copying ? copyLeaseName(id) : job.channel;
    const lease = state.liveLease(fence);
    if (lease?.jobId === id) {
      state.running.set(id, lease.expiresAt);
      continue;
    }
    if (job.copying) {
      // A result copy whose holder vanished: taken over by the caller, if it takes copies.
      if (taker) {
        const expiresAt = now() + taker.ttlMs;
        state.leases.set(fence, { token: taker.token, jobId: id, expiresAt });
        state.running.set(id, expiresAt);
        result.copies.push(job);
      }
      continue;
    }
    const fate = fateOf(job, nowMs, lost.jobTimeoutMs);
    if (fate.kind === 'adopt') state.running.set(id, now() + fate.leftMs);
    else if (fate.kind === 'requeue') {
      result.requeued.push(writes.requeue(job));
      writes.freed(job.channel);
    } else result.failed.push(lose(store, job, lost));
  }
  return result;
}

/** The STARTED job `id` on `channel` when `token` holds its lease; null otherwise. */
function held({ state }: MemoryStore, id: string, channel: string, token: string): Job | null {
  const job = state.read(id);
  const lease = state.liveLease(channel);
  if (!job || job.status !== 'STARTED' || job.channel !== channel || lease?.token !== token || lease.jobId !== id) return null;
  return job;
}

/** releaseForCopy (as ../redis/lua/release-for-copy-11.lua): the channel freed, with its pacing; a copy lease taken. */
function releaseForCopy(store: MemoryStore, id: string, { channel, token, copy, copyToken, ttlMs, pace }: CopyRelease) {
  const { state, now, journal, writes } = store;
  const job = held(store, id, channel, token);
  if (!job || job.copying) return null;
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
  const next = writes.write(job, { copying: copy }, 0);
  writes.emit(EVENT_CHANNEL_FREED, channel);
  return next;
}

export function memoryClaims(store: MemoryStore): ClaimStore {
  const { state, now, writes, journaled } = store;
  return {
    peekNext: async (request) => {
      const next = nextJob(state, request);
      return typeof next === 'string' ? null : next.job;
    },
    claim: async (request) => journaled(claim)(store, request),
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
    releaseForCopy: async (id, release) => journaled(releaseForCopy)(store, id, release),
    markCommandSent: async (id, channel, token, command) =>
      journaled(() => {
        const job = held(store, id, channel, token);
        return job ? writes.write(job, { command }, 0) : null;
      })(),
    handBack: async (id, channel, token) =>
      journaled(() => {
        const job = held(store, id, channel, token);
        if (!job) return null;
        state.leases.delete(channel);
        const back = writes.requeue(job);
        writes.freed(channel);
        return back;
      })(),
    reap: async (request) => journaled(reap)(store, request),
  };
}
