/**
 * Credit reservations and a token's daily share (src/executor/store/credit-reservations.ts) on both
 * stores: admitJob refuses over the share and where no account has room left unreserved, reserves
 * on the roomiest account, and a claim never spends credits reserved for another job; a reservation
 * is released by the claim, a cancel or a discard; the embedded store keeps them across a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { utcDay, type AdmissionTerms, type Coordinator } from '../../src/executor/store/port.js';
import type { Job } from '../../src/jobs/model.js';
import { Redis } from 'ioredis';
import { type Backend, BACKENDS, claimRequest, newJob, REDIS_URL } from './coordinator-backends.js';

const X = '100000000000000001';
const Y = '100000000000000002';
const PER_DAY = 6;

describe.each(BACKENDS)('credit reservations: %s', (name, makeBackend) => {
  let backend: Backend;
  let c: Coordinator;
  const day = utcDay(Date.now());
  const terms = (share: number, channels = [X, Y]): AdmissionTerms => ({ share, channels, day, creditsPerDay: PER_DAY, configuredCost: 3 });
  const setUp = async () => {
    backend = await makeBackend();
    c = await backend.open();
    await c.upsertAccount({ channel: X, server: 'srv', discord: 'token-x-0123456789' });
    await c.upsertAccount({ channel: Y, server: 'srv', discord: 'token-y-0123456789' });
  };
  afterEach(async () => backend?.cleanup());
  const admit = (owner: string, share: number, overrides: Partial<Job> = {}) =>
    c.admitJob(newJob({ owner, creditCost: 3, ...overrides }), terms(share));
  /** Claims on the channel and completes the job; its id (or the miss). */
  const runOn = async (channel: string) => {
    const request = claimRequest(channel, { creditsPerDay: PER_DAY });
    const result = await c.claim(request);
    if (typeof result !== 'object' || !('job' in result)) return result;
    await c.updateJob(result.job.id, { patch: { status: 'COMPLETED' }, token: request.token, channel, retentionSec: 60 });
    return result.job.id;
  };

  it('reserves on the roomiest account, refuses over the token’s share and where no room is left unreserved', async () => {
    await setUp();
    expect(await admit('owner-a', 9)).toEqual({ admitted: true, reservation: { channel: X, cost: 3 } });
    expect(await admit('owner-a', 9)).toEqual({ admitted: true, reservation: { channel: Y, cost: 3 } });
    expect(await admit('owner-a', 9)).toEqual({ admitted: true, reservation: { channel: X, cost: 3 } });
    expect(await admit('owner-a', 9)).toEqual({ admitted: false, refusal: 'token-share', share: 9, spent: 0, reserved: 9, cost: 3 });
    expect(await admit('owner-b', 9)).toEqual({ admitted: true, reservation: { channel: Y, cost: 3 } });
    expect(await admit('owner-b', 9)).toEqual({ admitted: false, refusal: 'credits', room: 0, cost: 3 });
    expect(await admit('owner-b', 9, { creditCost: 0 })).toEqual({ admitted: true, reservation: null });
    expect((await c.queuedJobs()).length).toBe(5);
  });

  it('a claim spends only credits no other queued job holds; it charges the channel and the token and releases the reservation', async () => {
    await setUp();
    const a = [await admit('owner-a', 9), await admit('owner-a', 9)];
    expect(a.map((r) => r.admitted && r.reservation?.channel)).toEqual([X, Y]);
    // A job admitted without a reservation (no share then) may not take what is reserved on X.
    const free = newJob({ owner: 'owner-c', requestedChannel: X, creditCost: 3 });
    await c.createJob(free, true);
    const queued = await c.queuedJobs();
    const [first, second] = queued.filter((j) => j.owner === 'owner-a');
    expect(await runOn(X)).toBe(first!.id);
    expect(await c.creditsUsed(X, day)).toBe(3);
    expect(await c.tokenCreditsUsed('owner-a', day)).toBe(3);
    // X has 3 left and nothing reserved on it now: the unreserved job fits there; A's second is Y's.
    expect(await runOn(X)).toBe(free.id);
    expect(await runOn(X)).toMatchObject({ missed: 'ineligible' });
    expect(await runOn(Y)).toBe(second!.id);
    expect(await c.tokenCreditsUsed('owner-a', day)).toBe(6);
    // What the token's jobs were charged counts toward its share; Y's last 3 credits are left to reserve.
    expect(await admit('owner-a', 6)).toEqual({ admitted: false, refusal: 'token-share', share: 6, spent: 6, reserved: 0, cost: 3 });
    expect(await admit('owner-a', 9)).toEqual({ admitted: true, reservation: { channel: Y, cost: 3 } });
    expect(await admit('owner-b', 100)).toEqual({ admitted: false, refusal: 'credits', room: 0, cost: 3 });
  });

  it('another token’s jobs cannot spend what a queued job holds: its channel waits for it', async () => {
    await setUp();
    const terms1 = terms(100, [X]);
    const held = newJob({ owner: 'owner-b', creditCost: 3 });
    // A's two jobs and B's one fill X's 6 credits in reservations: A's third is refused at submit.
    await c.admitJob(newJob({ owner: 'owner-a', creditCost: 3 }), terms1);
    expect(await c.admitJob(held, terms1)).toMatchObject({ admitted: true, reservation: { channel: X } });
    expect(await c.admitJob(newJob({ owner: 'owner-a', creditCost: 3 }), terms1)).toMatchObject({ admitted: false, refusal: 'credits' });
    // A job queued without admission (as before the share was set) finds nothing unreserved on X.
    const unreserved = newJob({ owner: 'owner-a', creditCost: 3, requestedChannel: X });
    await c.createJob(unreserved, true);
    const order = [await runOn(X), await runOn(X), await runOn(X)];
    expect(order.slice(0, 2)).toContain(held.id);
    expect(order[2]).toMatchObject({ missed: 'ineligible' });
    expect((await c.getJob(unreserved.id))?.status).toBe('QUEUED');
  });

  it('a cancelled or discarded queued job releases its reservation', async () => {
    await setUp();
    const [one, two] = [newJob({ owner: 'owner-a', creditCost: 3 }), newJob({ owner: 'owner-a', creditCost: 3 })];
    await c.admitJob(one, terms(6));
    await c.admitJob(two, terms(6));
    expect(await admit('owner-a', 6)).toMatchObject({ admitted: false, refusal: 'token-share', reserved: 6 });
    await c.updateJob(one.id, { from: ['QUEUED'], patch: { status: 'CANCELLED', code: 'CANCELLED' }, retentionSec: 60 });
    expect(await c.discardQueued(two.id)).toBe(true);
    expect(await admit('owner-a', 6)).toMatchObject({ admitted: true });
    expect(await admit('owner-a', 6)).toMatchObject({ admitted: true });
  });

  if (name === 'redis') {
    it('recountReservations drops a reservation whose job left the queue without releasing it', async () => {
      await setUp();
      const job = newJob({ owner: 'owner-a', creditCost: 3 });
      await c.admitJob(job, terms(6));
      // As if the process died between the cancel and the release: the record is terminal, the count stays.
      const raw = new Redis(REDIS_URL);
      const key = (await raw.keys(`*${job.id}`)).find((k) => k.includes(':job:'))!;
      await raw.set(key, JSON.stringify({ ...(await c.getJob(job.id))!, status: 'CANCELLED' }));
      raw.disconnect();
      expect(await admit('owner-a', 3)).toMatchObject({ admitted: false, refusal: 'token-share', reserved: 3 });
      await c.recountReservations();
      expect(await admit('owner-a', 3)).toEqual({ admitted: true, reservation: { channel: X, cost: 3 } });
    });
  } else {
    it('survives a restart: rounds, reservations and the token’s charges', async () => {
      await setUp();
      await c.admitJob(newJob({ owner: 'owner-a', creditCost: 3 }), terms(9));
      await c.admitJob(newJob({ owner: 'owner-a', creditCost: 3 }), terms(9));
      await c.createJob(newJob({ owner: 'owner-a', creditCost: 3 }), true);
      await c.createJob(newJob({ owner: 'owner-b', creditCost: 0 }), true);
      for (let i = 0; i < 2; i++) expect(typeof (await runOn(X))).toBe('string');
      const before = (await c.queuedJobs()).map((j) => j.id);
      const positions = await c.queuePositions();
      c = await backend.reopen!();
      expect((await c.queuedJobs()).map((j) => j.id)).toEqual(before);
      expect(await c.queuePositions()).toEqual(positions);
      expect(await c.tokenCreditsUsed('owner-a', day)).toBe(3);
      expect(await admit('owner-a', 8)).toEqual({ admitted: false, refusal: 'token-share', share: 8, spent: 3, reserved: 3, cost: 3 });
      // The claims took round 0 before the restart: a newcomer joins it, ahead of A's rounds 1 and 2.
      const late = newJob({ owner: 'owner-c', creditCost: 0 });
      await c.createJob(late, true);
      expect(await c.queuePosition(late.id)).toBe(1);
    });
  }
});
