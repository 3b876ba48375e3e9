/**
 * The queue feed (src/executor/service/queue-feed.ts) on the embedded store: a burst of queue changes costs
 * one pass over the queue or two, not one per change; only followed jobs whose position moved are
 * told; the queue event is subscribed to only while a job is followed.
 */
import { expect, it, vi } from 'vitest';
import { EVENT_QUEUE, utcDay } from '../../src/executor/store/port.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { QueueFeed } from '../../src/executor/service/queue-feed.js';
import { newJob } from './coordinator-backends.js';

it('takes a burst of changes in one or two passes and tells only the followed jobs that moved', async () => {
  const coordinator = createMemoryCoordinator();
  await coordinator.upsertAccount({ channel: '100000000000000001', server: 'srv', discord: 'token-0123456789' });
  const jobs = Array.from({ length: 6 }, () => newJob());
  for (const job of jobs) await coordinator.createJob(job, true);
  const passes = vi.spyOn(coordinator, 'queuePositions');
  const feed = new QueueFeed(coordinator, (error) => {
    throw error;
  });
  const told = new Map<string, number[]>();
  const stops = await Promise.all(
    [jobs[3]!, jobs[5]!].map((job) => feed.follow(job.id, (position) => told.set(job.id, [...(told.get(job.id) ?? []), position]))),
  );

  // Three jobs leave the queue in one burst: the first event starts a pass, the two that come while
  // it runs make one more, which sees all three gone.
  await Promise.all(
    jobs
      .slice(0, 3)
      .map((job) =>
        coordinator.updateJob(job.id, { from: ['QUEUED'], patch: { status: 'CANCELLED', code: 'CANCELLED' }, retentionSec: 60 }),
      ),
  );
  await vi.waitFor(() => expect(told.get(jobs[5]!.id)?.at(-1)).toBe(3));
  expect(told.get(jobs[3]!.id)?.at(-1)).toBe(1);
  expect(passes.mock.calls.length).toBe(2);

  // A job queued behind them moves nobody: a pass runs, nobody is told again.
  const before = structuredClone([...told]);
  await coordinator.createJob(newJob(), true);
  await vi.waitFor(() => expect(passes.mock.calls.length).toBe(3));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect([...told]).toEqual(before);

  // Unfollowed: the event is no longer listened to, so no pass runs.
  for (const stop of stops) stop();
  const count = passes.mock.calls.length;
  const nowMs = Date.now();
  await coordinator.claim({
    channel: '100000000000000001',
    instance: 'i',
    token: 't',
    ttlMs: 60_000,
    nowMs,
    day: utcDay(nowMs),
    creditCost: 3,
    creditsPerDay: 50,
    start: { server: 'srv', discord: 'abc…xyz', startedAt: new Date(nowMs).toISOString() },
    lost: { patch: { status: 'FAILED', code: 'EXECUTOR_LOST' }, retentionSec: 60, jobTimeoutMs: 60_000 },
  });
  await coordinator.publish(EVENT_QUEUE, '');
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(passes.mock.calls.length).toBe(count);
  await coordinator.close();
});
