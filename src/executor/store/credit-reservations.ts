/**
 * Credit reservations: a token's share of each day's credits (TOKEN_DAILY_CREDITS), and credits set
 * aside for queued jobs, so that a queued job never fails because another token's jobs spent the
 * credits it was admitted on. One rule, applied by both stores in the step that creates the job (the
 * embedded store through `admit` below, Redis through ./redis/lua/includes/credit-reservations.lua in the
 * create-job script); unset TOKEN_DAILY_CREDITS: nothing is reserved and nothing here applies.
 *
 * At admission, in that order:
 * 1. Share: the credits the token's jobs were charged today (UTC, across accounts), plus the credits
 *    its queued jobs reserved, plus the job's cost, must stay within the share (else
 *    TOKEN_CREDITS_SPENT, refused at submit).
 * 2. Reservation: the job's cost is set aside on one account it may run on, the one with the most
 *    room (CREDITS_PER_DAY − credits used today − credits reserved on it), if that room covers the cost
 *    (else PAYMENT_REQUIRED). A job that costs nothing reserves nothing.
 * At the claim (./fair-queue.ts, Credits), a channel takes a job only if the credits reserved on it
 * stay covered; the claimed job's reservation, wherever it was, is released, the channel is charged
 * its cost, and so is its token (the share counts from that). A job that leaves the queue otherwise
 * (cancelled, failed while queued, discarded) releases its reservation.
 *
 * Limits: a job handed back is charged again at its next claim, without a reservation (its account's
 * first charge is not refunded either); an account out of rotation keeps what was reserved on it
 * until it returns or the day ends (its jobs wait, or run elsewhere where room is left).
 */
import type { Job } from '../../jobs/model.js';
import { creditCostOf, type AdmissionTerms, type AdmitResult } from './port.js';

/** The counters the rule reads. */
export interface ReservationCounters {
  /** Credits the token's jobs were charged on the day. */
  spentToday: number;
  /** Credits the token's queued jobs reserved. */
  ownerReserved: number;
  /** Credits used on the channel on the day, and reserved on it. */
  usedOn(channel: string): number;
  reservedOn(channel: string): number;
}

/** The counter fields of reservations: per channel and per owner (both stores). */
export const reservedOnField = (channel: string) => `c:${channel}`;
export const reservedByField = (owner: string) => `o:${owner}`;

export function admit(job: Pick<Job, 'creditCost'>, terms: AdmissionTerms, counters: ReservationCounters): AdmitResult {
  const cost = creditCostOf(job, terms.configuredCost);
  const { spentToday: spent, ownerReserved: reserved } = counters;
  if (spent + reserved + cost > terms.share) return { admitted: false, refusal: 'token-share', share: terms.share, spent, reserved, cost };
  if (cost === 0) return { admitted: true, reservation: null };
  let best: { channel: string; room: number } | null = null;
  for (const channel of terms.channels) {
    const room = terms.creditsPerDay - counters.usedOn(channel) - counters.reservedOn(channel);
    if (!best || room > best.room) best = { channel, room };
  }
  if (!best || best.room < cost) return { admitted: false, refusal: 'credits', room: Math.max(0, best?.room ?? 0), cost };
  return { admitted: true, reservation: { channel: best.channel, cost } };
}
