/**
 * The embedded coordinator's claim, peek and reap (the same rules as lua/claim-18.lua,
 * lua/peek-next-12.lua and lua/reap-10.lua; which queued job a claim takes: ./fair-queue.ts). They
 * change jobs only through the coordinator's own writes (`JobWrites`), so every record still bumps
 * its version, moves its indexes, journals and publishes in one place.
 */
import { activeHealth, TIMED_STATES } from '../jobs/account.js';
import type { Job } from '../jobs/model.js';
import {
  copyLeaseName,
  creditCostOf,
  EVENT_ACCOUNTS,
  gateOf,
  type ClaimRequest,
  type ClaimResult,
  type PeekRequest,
  type JobPatch,
  type LostRule,
  type ReapRequest,
  type ReapResult,
  type SentCommand,
} from './coordinator.js';
import { ineligibility } from './eligibility.js';
import { pickHead, type Head } from './fair-queue.js';
import type { Journal } from './journal.js';
import { reservedOnField } from './credit-reservations.js';
import { commandsKey, tokenCreditsKey, type MemoryState } from './memory-state.js';

export interface JobWrites {
  /** Stores the next record of `old` (version and time bumped), as write_job does in Lua. */
  write(old: Job, patch: JobPatch & { command?: SentCommand | null }, retentionSec: number): Job;
  /** Back to its queue at its own place, as if it never started. */
  requeue(job: Job): Job;
  /** A channel is free again (EVENT_CHANNEL_FREED). */
  freed(channel: string): void;
  /** An event for subscribers (EVENT_ACCOUNTS…). */
  emit(event: string, payload: string): void;
}

type Fate = { kind: 'requeue' } | { kind: 'adopt'; leftMs: number } | { kind: 'lost' };

/** What becomes of a STARTED job whose holder is gone (the same rule as lua/includes/job-writes.lua). */
function fateOf(job: Job, nowMs: number, timeoutMs: number): Fate {
  const command = (job as Job & { command?: SentCommand | null }).command;
  if (command === null) return { kind: 'requeue' };
  const sent = command ? Date.parse(command.sentAt) : NaN;
  if (Number.isNaN(sent) || nowMs - sent >= timeoutMs) return { kind: 'lost' };
  return { kind: 'adopt', leftMs: sent + timeoutMs - nowMs };
}

/**
 * The job the next claim on the channel takes (./fair-queue.ts): 'empty' when neither queue head may
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

export function memoryClaims(state: MemoryState, writes: JobWrites, now: () => number, journal?: Journal) {
  const lose = (job: Job, lost: LostRule) => writes.write(job, lost.patch, lost.retentionSec);
  const charge = (key: string, amount: number) => state.credits.set(key, (state.credits.get(key) ?? 0) + amount);
  const takeLease = (channel: string, token: string, jobId: string, ttlMs: number) => {
    state.leases.set(channel, { token, jobId, expiresAt: now() + ttlMs });
    state.holders.set(channel, jobId);
    state.running.set(jobId, now() + ttlMs);
  };

  const claim = (request: ClaimRequest): ClaimResult => {
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
    const reaped: Job[] = [];
    const heldId = state.holders.get(channel);
    const previous = heldId ? state.read(heldId) : null;
    if (previous && previous.status === 'STARTED' && previous.channel === channel) {
      const fate = fateOf(previous, request.nowMs, request.lost.jobTimeoutMs);
      if (fate.kind === 'adopt') {
        takeLease(channel, request.token, previous.id, request.ttlMs);
        return { job: writes.write(previous, {}, 0), adopted: true, reaped };
      }
      if (fate.kind === 'requeue') writes.requeue(previous);
      else reaped.push(lose(previous, request.lost));
    } else if (heldId) {
      state.holders.delete(channel);
    }
    const picked = nextJob(state, request);
    if (picked === 'empty') return { missed: 'empty', queued: state.queuedCount(), reaped };
    if (picked === 'unaffordable') return { missed: 'ineligible', retryInMs: null, reaped };
    const { job, round } = picked;
    const cost = creditCostOf(job, request.creditCost);
    takeLease(channel, request.token, job.id, request.ttlMs);
    const charges: [string, number][] = [
      [`${channel}:${request.day}`, cost],
      [commandsKey(channel, gate.commandDay), 1],
      [tokenCreditsKey(job.owner, request.day), cost],
    ];
    for (const [key, amount] of charges) charge(key, amount);
    for (const key of [...charges.map(([key]) => key), ...state.raiseRounds(channel, round)]) journal?.credits(key);
    state.dequeue(job);
    // A new attempt starts with no command of its own: none sent (null) when its holder records them,
    // unknown (no field) when it does not, never the attempt before's (as lua/claim-18.lua).
    const start = { status: 'STARTED' as const, channel, attempt: job.attempt + 1, reservation: null, ...request.start };
    return { job: writes.write(job, { ...start, command: request.recordsCommands ? null : undefined }, 0), adopted: false, reaped };
  };

  const reap = ({ nowMs, lost, limit, copies: taker }: ReapRequest): ReapResult => {
    const expired = [...state.running].filter(([, deadline]) => deadline <= now()).sort((a, b) => a[1] - b[1]);
    const failed: Job[] = [];
    const requeued: Job[] = [];
    const copies: Job[] = [];
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
          copies.push(job);
        }
        continue;
      }
      const fate = fateOf(job, nowMs, lost.jobTimeoutMs);
      if (fate.kind === 'adopt') state.running.set(id, now() + fate.leftMs);
      else if (fate.kind === 'requeue') {
        requeued.push(writes.requeue(job));
        writes.freed(job.channel);
      } else failed.push(lose(job, lost));
    }
    return { failed, requeued, copies, more: expired.length > limit };
  };

  return { claim, reap };
}
