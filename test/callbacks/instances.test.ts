/** Several instances and restarts on one real Redis: exactly one delivery task per job, nothing lost. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/timing/clock.js';
import { captureLogger, clockReading, harness, sampleJob, waitFor, type Harness, type ReceivedRequest } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.cleanup();
});

const jobIdOf = (r: ReceivedRequest) => (JSON.parse(r.body) as { jobid: string }).jobid;

describe('restarts', () => {
  it('a restart mid-retry still delivers, exactly once, from what is stored in Redis', async () => {
    const receiver = await h.receiver((n) => ({ status: n === 0 ? 500 : 200 }));
    // The retry is due in ~60 s on the first instance's clock: it will not happen before the restart.
    const first = h.dispatcher({ backoff: { baseMs: 60_000, capMs: 60_000 }, random: () => 0.999 });
    first.start();
    const job = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    await first.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.attempts === 1, 5_000, 'the first attempt');
    expect(h.jobs.callback(job.id)).toMatchObject({ status: 'PENDING', lastError: 'HTTP 500 Internal Server Error' });
    await first.close();

    // A new process: it never saw onTerminal; it finds the retry in Redis once it is due.
    const restarted = h.dispatcher({ clock: clockReading(() => Date.now() + 61_000) });
    restarted.start();
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery after the restart');
    await restarted.settled(job.id);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([`msg_${job.id}`, `msg_${job.id}`]);
    expect(receiver.requests[0]!.body).toBe(receiver.requests[1]!.body);
    expect(h.jobs.callback(job.id)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('close() aborts an in-flight attempt and hands it back uncounted; the next instance delivers it', async () => {
    const receiver = await h.receiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const first = h.dispatcher({ config: { timeoutMs: 10_000 } });
    first.start();
    const job = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    await first.onTerminal(job);
    await waitFor(() => receiver.requests.length === 1, 5_000, 'the first request');

    // Aborted, not waited for: an attempt that ran into its 10 s timeout would be counted (attempts 1).
    await first.close();
    expect(await h.task(job.id)).toMatchObject({ status: 'PENDING', attempts: '0' });
    expect(await h.task(job.id)).not.toHaveProperty('token');
    expect(await h.dueAt(job.id)).toBeLessThanOrEqual(Date.now());

    const next = h.dispatcher();
    next.start();
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery by the next instance');
    expect(h.jobs.callback(job.id)).toMatchObject({ attempts: 1, lastError: null });
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([`msg_${job.id}`, `msg_${job.id}`]);
  });

  it('a task created before start() (or while no instance runs) is delivered once one starts', async () => {
    const receiver = await h.receiver();
    // A while passes before start(): the dispatcher's clock is driven, so it passes at once.
    const clock = createManualClock(Date.now());
    const idle = h.dispatcher({ clock });
    const job = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    await idle.onTerminal(job);
    await clock.advance(10_000);
    expect(clock.pending()).toBe(0);
    expect(idle.looks()).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(h.jobs.callback(job.id)).toMatchObject({ status: 'PENDING', attempts: 0 });
    idle.start();
    await clock.advance(0);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery');
  });

  it('an instance that dies mid-attempt: after its lease another instance retries, and the dead one cannot overwrite the result', async () => {
    const receiver = await h.receiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const { logger, lines } = captureLogger();
    // "Dies": its attempt hangs for 10 s and never records anything while the other instance works.
    const dying = h.dispatcher({ logger, config: { timeoutMs: 10_000 }, leaseMarginMs: 1_000 });
    dying.start();
    const job = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    await dying.onTerminal(job);
    await waitFor(() => receiver.requests.length === 1, 5_000, 'the hanging attempt');
    const lease = await h.dueAt(job.id);
    expect(lease).toBeGreaterThan(Date.now() + 9_000);

    // Another instance, its clock past the lease (as if 11 s later).
    const survivor = h.dispatcher({ clock: clockReading(() => Date.now() + 11_500) });
    survivor.start();
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'the retry by the survivor');
    expect(h.jobs.callback(job.id)).toMatchObject({ attempts: 2 });

    await dying.close(); // its hand-back carries a stale token
    expect(lines().some((l) => /outlived its lease/.test(l.msg))).toBe(true);
    expect(h.jobs.callback(job.id)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    expect(await h.task(job.id)).toMatchObject({ status: 'DELIVERED', attempts: '2' });
    expect(await h.dueAt(job.id)).toBeNull();
  });
});

describe('two instances on one Redis', () => {
  it('onTerminal called on both for every job: one delivery task, one delivery, per job', async () => {
    const receiver = await h.receiver();
    const a = h.dispatcher({ instanceId: 'a' });
    const b = h.dispatcher({ instanceId: 'b' });
    a.start();
    b.start();
    const jobs = Array.from({ length: 20 }, () => h.jobs.add(sampleJob({ replyUrl: receiver.url })));
    await Promise.all(jobs.flatMap((job) => [a.onTerminal(job), b.onTerminal(job)]));
    await waitFor(() => jobs.every((j) => h.jobs.callback(j.id)?.status === 'DELIVERED'), 10_000, 'all deliveries');
    await Promise.all(jobs.map((j) => a.settled(j.id)));

    expect(receiver.requests.map(jobIdOf).sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const job of jobs) {
      expect(h.jobs.history.get(job.id)?.map((s) => [s.status, s.attempts])).toEqual([
        ['PENDING', 0],
        ['DELIVERED', 1],
      ]);
    }
  });

  it('with retries, the instances share the work but never send the same attempt twice', async () => {
    const seen = new Map<string, number>();
    const receiver = await h.receiver((_n, req) => {
      const id = jobIdOf(req);
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      return { status: count < 3 ? 503 : 200 };
    });
    const a = h.dispatcher({ instanceId: 'a', random: () => 0 });
    const b = h.dispatcher({ instanceId: 'b', random: () => 0 });
    a.start();
    b.start();
    const jobs = Array.from({ length: 10 }, () => h.jobs.add(sampleJob({ replyUrl: receiver.url })));
    await Promise.all(jobs.flatMap((job) => [a.onTerminal(job), b.onTerminal(job)]));
    await waitFor(() => jobs.every((j) => h.jobs.callback(j.id)?.status === 'DELIVERED'), 10_000, 'all deliveries');
    await Promise.all(jobs.map((j) => a.settled(j.id)));

    expect(receiver.requests).toHaveLength(30);
    for (const job of jobs) expect(a.claims(job.id) + b.claims(job.id)).toBe(3);
    for (const job of jobs) {
      expect(seen.get(job.id)).toBe(3);
      expect(h.jobs.history.get(job.id)?.map((s) => `${s.status}/${s.attempts}`)).toEqual([
        'PENDING/0',
        'PENDING/1',
        'PENDING/2',
        'DELIVERED/3',
      ]);
    }
  });
});
