/**
 * The fair queue (src/executor/store/fair-queue.ts) on both stores: round-robin across owners and FIFO
 * within one, pinned and any-channel queues together, the hand-back rule, the current round of each
 * channel, positions (one job's and every job's in one pass), the peek the channel's next claim
 * answers to, and the queue event every change publishes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_QUEUE, type Coordinator } from '../../src/executor/store/port.js';
import type { Job } from '../../src/jobs/model.js';
import { type Backend, BACKENDS, claimed, claimRequest, newJob } from './coordinator-backends.js';

const X = '100000000000000001';
const Y = '100000000000000002';

describe.each(BACKENDS)('fair queue: %s', (_name, makeBackend) => {
  let backend: Backend;
  let c: Coordinator;
  const setUp = async () => {
    backend = await makeBackend();
    c = await backend.open();
    await c.upsertAccount({ channel: X, server: 'srv', discord: 'token-x-0123456789' });
    await c.upsertAccount({ channel: Y, server: 'srv', discord: 'token-y-0123456789' });
  };
  afterEach(async () => backend?.cleanup());

  /** Creates jobs of `owner` (enqueued), in order. */
  const queue = async (owner: string, n: number, overrides: Partial<Job> = {}) => {
    const jobs = Array.from({ length: n }, () => newJob({ owner, ...overrides }));
    for (const job of jobs) await c.createJob(job, true);
    return jobs;
  };
  /** Runs `n` jobs on the channel, one at a time (claim, complete); their ids in claim order. */
  const run = async (channel: string, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const request = claimRequest(channel);
      const { job } = claimed(await c.claim(request));
      ids.push(job.id);
      await c.updateJob(job.id, { patch: { status: 'COMPLETED' }, token: request.token, channel, retentionSec: 60 });
    }
    return ids;
  };
  const ids = (jobs: Job[]) => jobs.map((j) => j.id);

  it('an owner’s burst does not starve another: B’s one job, queued after A’s 12, runs second', async () => {
    await setUp();
    const a = await queue('owner-a', 12);
    const [b] = await queue('owner-b', 1);
    expect(await c.queuePosition(b!.id)).toBe(2);
    expect(await c.queuePosition(a[11]!.id)).toBe(13);
    expect(await run(X, 13)).toEqual([a[0]!.id, b!.id, ...ids(a.slice(1))]);
  });

  it('round-robin across owners, FIFO within one; a newcomer joins the round being served, after the jobs in it', async () => {
    await setUp();
    const a = await queue('owner-a', 3);
    const b = await queue('owner-b', 3);
    expect(await run(X, 1)).toEqual([a[0]!.id]);
    const [newcomer] = await queue('owner-c', 1);
    // a[1] moves from 2nd to 3rd: the newcomer's round is the one being served.
    expect(await c.queuePosition(a[1]!.id)).toBe(3);
    expect(await run(X, 6)).toEqual([b[0]!.id, newcomer!.id, a[1]!.id, b[1]!.id, a[2]!.id, b[2]!.id]);
  });

  it('merges a channel’s pinned queue with the any-channel queue by place; one owner keeps its order across both', async () => {
    await setUp();
    const a = [newJob({ owner: 'owner-a' }), newJob({ owner: 'owner-a', requestedChannel: X }), newJob({ owner: 'owner-a' })];
    for (const job of a) await c.createJob(job, true);
    const b = await queue('owner-b', 2, { requestedChannel: X });
    const onY = await queue('owner-d', 2, { requestedChannel: Y });
    // b[0] (pinned to X) waits behind a[0] only; Y's jobs are not X's to run.
    expect(await c.queuePosition(b[0]!.id)).toBe(2);
    expect(await c.queuePosition(a[2]!.id)).toBe(7); // any channel: every queue counts, Y’s too
    expect(await run(X, 5)).toEqual([a[0]!.id, b[0]!.id, a[1]!.id, b[1]!.id, a[2]!.id]);
    expect(await run(Y, 2)).toEqual(ids(onY));
  });

  it('a job handed back keeps its place: the head of its owner’s line, in the round it had', async () => {
    await setUp();
    const a = await queue('owner-a', 2);
    const [b] = await queue('owner-b', 1);
    const request = claimRequest(X, { recordsCommands: true });
    const started = claimed(await c.claim(request));
    expect(started.job.id).toBe(a[0]!.id);
    expect(await c.handBack(a[0]!.id, X, request.token)).toMatchObject({ status: 'QUEUED' });
    expect(await c.queuePosition(a[0]!.id)).toBe(1);
    expect(await run(Y, 3)).toEqual([a[0]!.id, b!.id, a[1]!.id]);
  });

  it('a pinned job joins its channel’s current round, not the round other channels reached', async () => {
    await setUp();
    const a = await queue('owner-a', 6, { requestedChannel: X });
    const d = await queue('owner-d', 6);
    expect(await run(X, 1)).toEqual([a[0]!.id]);
    expect(await run(Y, 4)).toEqual(ids(d.slice(0, 4)));
    const [b] = await queue('owner-b', 1, { requestedChannel: X });
    // X took round 0 last: B's job is in round 0, next on X; A's next (round 1) follows.
    expect(await c.queuePosition(b!.id)).toBe(1);
    expect(await run(X, 2)).toEqual([b!.id, a[1]!.id]);
  });

  it('every queued job’s position in one pass equals its own position', async () => {
    await setUp();
    await queue('owner-a', 5);
    await queue('owner-b', 3, { requestedChannel: X });
    await queue('owner-c', 2, { requestedChannel: Y });
    await queue('owner-b', 2);
    await run(X, 2);
    const all = await c.queuePositions();
    const queued = await c.queuedJobs();
    expect(all.size).toBe(queued.length);
    for (const job of queued) expect(all.get(job.id)).toBe(await c.queuePosition(job.id));
  });

  it('peekNext names the job the channel’s next claim takes, even while the channel is held; it changes nothing', async () => {
    await setUp();
    const [dear] = await queue('owner-a', 1, { creditCost: 10 });
    const [cheap] = await queue('owner-b', 1, { requestedChannel: X, creditCost: 3 });
    const day = claimRequest(X).day;
    const peek = (creditsPerDay: number) => c.peekNext({ channel: X, day, creditCost: 3, creditsPerDay });
    expect((await peek(100))?.id).toBe(dear!.id);
    expect((await peek(5))?.id).toBe(cheap!.id); // the earlier head does not fit: the other one
    expect(await peek(2)).toBeNull();
    expect(await c.peekNext({ channel: X, day, creditCost: 3, creditsPerDay: 100, acceptedBy: 'elsewhere' })).toBeNull();
    const request = claimRequest(X, { creditsPerDay: 100 });
    expect(claimed(await c.claim(request)).job.id).toBe(dear!.id);
    expect((await peek(100))?.id).toBe(cheap!.id);
    expect((await c.getJob(cheap!.id))?.status).toBe('QUEUED');
  });

  it('publishes a queue event whenever a job enters or leaves a queue', async () => {
    await setUp();
    let events = 0;
    const stop = await c.subscribe(EVENT_QUEUE, () => events++);
    const seen = async (n: number) => {
      for (let i = 0; i < 100 && events < n; i++) await new Promise((r) => setTimeout(r, 10));
      expect(events).toBe(n);
    };
    const [first, second, third] = await queue('owner-a', 3);
    await seen(3);
    const request = claimRequest(X, { recordsCommands: true });
    claimed(await c.claim(request));
    await seen(4);
    await c.handBack(first!.id, X, request.token);
    await seen(5);
    await c.updateJob(second!.id, { from: ['QUEUED'], patch: { status: 'CANCELLED', code: 'CANCELLED' }, retentionSec: 60 });
    await seen(6);
    await c.discardQueued(third!.id);
    await seen(7);
    // A holder that dies before sending: the reaper puts its job back.
    const short = claimRequest(X, { recordsCommands: true, ttlMs: 50 });
    claimed(await c.claim(short));
    await seen(8);
    await vi.waitFor(async () => expect(await c.lease(X)).toBeNull(), { timeout: 5000, interval: 10 });
    expect((await c.reap({ nowMs: Date.now(), limit: 10, lost: short.lost })).requeued).toHaveLength(1);
    await seen(9);
    await stop();
  });
});
