/**
 * The fair queue: the one rule that decides which queued job a claim takes, applied by both stores
 * (the embedded one through this module, ./embedded/claims.ts and ./embedded/state.ts; Redis through
 * ./redis/lua/includes/fair-queue.lua, used by the claim, peek-next, create-job and restore-job scripts).
 * test/executor/coordinator-contract.test.ts and test/executor/fair-queue.test.ts run the same cases
 * on both.
 *
 * Queues. A job waits in the queue of the channel it asked for (pinned), or in the any-channel queue.
 *
 * Places. Every queued job has a place: its round, then its id (ids sort by creation time, so within
 * a round the older job goes first). A claim on channel C looks at two jobs only, the heads of C's
 * queue and of the any-channel queue, and takes the one with the earlier place, or the other one if
 * that one's credits do not fit (see Credits). `peekNext` answers which job that would be, by the same
 * rule, leaving aside what the claim checks first: the lease, the account's eligibility
 * (src/executor/store/eligibility.ts) and a job whose holder vanished. The cost does not grow with the queues (two zset heads, a few counters).
 *
 * Rounds: round-robin across owners (API tokens), FIFO within one. A new job's round is the later of
 *  - one past the round of its owner's newest queued job: an owner's jobs keep their order, and an
 *    owner has one job per round, whichever queue each waits in;
 *  - the current round where it waits: the highest round a claim took on its channel (pinned; a
 *    channel never claimed on: the global one), or on any channel (any-channel job); before the
 *    first claim, the earliest head round of the queues it competes in (0 when empty). A newcomer
 *    joins the round being served, after the jobs already in it.
 * So an owner who queues 12 jobs while another queues 1 gets rounds r…r+11, the other r: the other's
 * job runs second. A claim raises its channel's current round and the global one to the job's round.
 *
 * Hand-back. A job handed back (its account failed before the command was sent), or put back because
 * its holder died before sending, keeps its place: it is at the head of its owner's line, in the
 * round it had. It had its turn; an account's fault does not cost it the turn.
 *
 * Credits. A job fits on C when C's credits used today, plus its cost, plus the credits queued jobs
 * reserved on C (none unless TOKEN_DAILY_CREDITS is set, see ./credit-reservations.ts), minus its own
 * reservation on C, stay within CREDITS_PER_DAY.
 *
 * Position: the claims before the job's own if every channel takes jobs in place order and nothing new
 * arrives: 1 + the queued jobs with an earlier place among those its channels take (a pinned job: its
 * channel's queue and the any-channel queue; an any-channel job: every queue). A newcomer of another
 * owner joins the current round, so a job's position may grow by one when one arrives ahead of it.
 */
import type { Job } from '../../jobs/model.js';
import { creditCostOf } from './port.js';

/** A queued job's place: its round, and its id breaking ties. */
export interface Place {
  round: number;
  id: string;
}

/** Negative when `a` comes first. Ids compare by UTF-16 code units: byte order for the ASCII ids jobs have, as a zset orders equal scores. */
export function comparePlaces(a: Place, b: Place): number {
  if (a.round !== b.round) return a.round - b.round;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const ROUND_DIGITS = 16;

/** The place as one string that sorts like comparePlaces (the embedded store's queue entries). */
export const placeKey = ({ round, id }: Place): string => `${String(round).padStart(ROUND_DIGITS, '0')}|${id}`;

export const placeOfKey = (key: string): Place => ({ round: Number(key.slice(0, ROUND_DIGITS)), id: key.slice(ROUND_DIGITS + 1) });

/** The round of a new queued job (see Rounds above). */
export function roundOfNewJob(currentRound: number, ownerNewestRound: number | null): number {
  return ownerNewestRound === null ? currentRound : Math.max(currentRound, ownerNewestRound + 1);
}

/** The field of the current rounds a job's queue reads: its channel's, or the global one ('*'). */
export const roundField = (channel: string | null): string => (channel === null ? '*' : `ch:${channel}`);

/** A queue head a claim considers. */
export interface Head extends Place {
  job: Job;
}

export interface CreditRoom {
  channel: string;
  /** Credits charged on the channel today. */
  used: number;
  creditsPerDay: number;
  /** Credits queued jobs reserved on the channel. */
  reservedHere: number;
  /** The cost of a job without its own creditCost. */
  configuredCost: number;
}

/** Whether `job` fits the channel's credits left (see Credits above). */
export function fits(job: Job, room: CreditRoom): boolean {
  const cost = creditCostOf(job, room.configuredCost);
  const own = job.reservation?.channel === room.channel ? job.reservation.cost : 0;
  return room.used + cost + room.reservedHere - own <= room.creditsPerDay;
}

/** The head a claim takes: the earlier place first, the first that fits; undefined when none fits. */
export function pickHead(heads: readonly Head[], room: CreditRoom): Head | undefined {
  return [...heads].sort(comparePlaces).find((h) => fits(h.job, room));
}

/** A queued job's entry, for positions: its place and the channel it asked for (null: any). */
export interface QueueEntry extends Place {
  channel: string | null;
}

/** Every queued job's position (see Position above), in one pass over the entries of every queue. */
export function positionsOf(entries: readonly QueueEntry[]): Map<string, number> {
  const sorted = [...entries].sort(comparePlaces);
  const positions = new Map<string, number>();
  const pinnedAhead = new Map<string, number>();
  let anyAhead = 0;
  sorted.forEach((entry, ahead) => {
    if (entry.channel === null) {
      positions.set(entry.id, ahead + 1);
      anyAhead++;
    } else {
      const own = pinnedAhead.get(entry.channel) ?? 0;
      positions.set(entry.id, anyAhead + own + 1);
      pinnedAhead.set(entry.channel, own + 1);
    }
  });
  return positions;
}
