/**
 * The store's side of the channel hold, on both stores: releaseForCopy frees the channel in one step
 * (the next job may be claimed at once) while the answered job stays STARTED under a copy lease of its
 * own; only that lease's holder completes it; a copy whose lease lapsed is taken over by a reaper that
 * asks for copies (once), also after the embedded store was reopened as a killed process leaves it;
 * and peekNext passes over the jobs given (staging), leaving the queue's order to the claim.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  copyLeaseName,
  EVENT_CHANNEL_FREED,
  STORE_LOST,
  utcDay,
  type ClaimRequest,
  type ClaimResult,
  type Claimed,
  type Coordinator,
} from '../../src/executor/store/port.js';
import { type Backend, BACKENDS, newJob } from './coordinator-backends.js';

const A = '100000000000000001';
const TTL_MS = 80;
const lost = { patch: { status: 'FAILED' as const, code: 'EXECUTOR_LOST' }, retentionSec: 60, jobTimeoutMs: 60_000 };

let tokens = 0;
function claimRequest(channel: string): ClaimRequest {
  const nowMs = Date.now();
  return {
    channel,
    instance: 'i',
    token: `t${++tokens}`,
    ttlMs: TTL_MS,
    nowMs,
    day: utcDay(nowMs),
    creditCost: 1,
    creditsPerDay: 1000,
    recordsCommands: true,
    start: { server: 'srv', discord: 'abc…xyz', startedAt: new Date(nowMs).toISOString() },
    lost,
  };
}
const claimed = (result: ClaimResult): Claimed => {
  if (result === STORE_LOST || !('job' in result)) throw new Error(`expected a claim, got ${JSON.stringify(result)}`);
  return result;
};
const answer = {
  messageId: 'm1',
  content: 'done',
  timestamp: '2026-12-01T08:00:00.000Z',
  attachments: [
    { id: 'a1', contentType: 'image/png', filename: 'r.png', url: 'https://cdn/r.png', proxyUrl: null, size: 1, width: 1, height: 1 },
  ],
};
const pending = { answer, answeredAt: '2026-12-01T08:00:00.000Z' };
const stored = [{ ...answer.attachments[0]!, copy: { state: 'STORED' as const, key: 'results/x', error: null } }];

describe.each(BACKENDS)('copy lease: %s', (name, makeBackend) => {
  let backend: Backend;
  let c: Coordinator;
  const setUp = async () => {
    backend = await makeBackend();
    c = await backend.open();
    await c.upsertAccount({ channel: A, server: 'srv', discord: 'token-a-0123456789' });
  };
  afterEach(async () => backend?.cleanup());

  /** Claims the head on A and releases it for its copy: the job and both tokens. */
  const releasedJob = async () => {
    const request = claimRequest(A);
    const run = claimed(await c.claim(request));
    const released = await c.releaseForCopy(run.job.id, {
      channel: A,
      token: request.token,
      copy: pending,
      copyToken: 'copy-1',
      ttlMs: TTL_MS,
    });
    return { run, request, released };
  };

  it('the release frees the channel in one step; the job stays STARTED and only the copy lease completes it', async () => {
    await setUp();
    const [first, second] = [newJob(), newJob()];
    await c.createJob(first, true);
    await c.createJob(second, true);
    const freed = new Promise<string>((resolve, reject) => void c.subscribe(EVENT_CHANNEL_FREED, resolve).catch(reject));
    const { run, request, released } = await releasedJob();
    // The answer is kept aside: a client sees the job as it was until COMPLETED.
    expect(released).toMatchObject({ id: first.id, status: 'STARTED', copying: pending, messageId: null, version: run.job.version + 1 });
    expect(await freed).toBe(A);
    expect(await c.lease(A)).toBeNull();
    // The channel's holder can no longer write the job; the copy lease's holder can.
    expect(await c.updateJob(first.id, { patch: { status: 'COMPLETED' }, token: request.token, channel: A, retentionSec: 60 })).toBeNull();
    expect(await c.releaseForCopy(first.id, { channel: A, token: request.token, copy: pending, copyToken: 'x', ttlMs: TTL_MS })).toBeNull();
    // The next job takes the channel while the first is copied.
    expect(claimed(await c.claim(claimRequest(A))).job.id).toBe(second.id);
    expect(await c.renew(copyLeaseName(first.id), 'copy-1', TTL_MS)).toBe(true);
    const done = await c.updateJob(first.id, {
      from: ['STARTED'],
      patch: { status: 'COMPLETED', ...answer, attachments: stored, copying: null, finishedAt: pending.answeredAt },
      token: 'copy-1',
      channel: copyLeaseName(first.id),
      retentionSec: 60,
    });
    expect(done).toMatchObject({ status: 'COMPLETED', copying: null, messageId: 'm1', attachments: [{ copy: { state: 'STORED' } }] });
    // Completing the copy left the second job's hold alone.
    expect((await c.lease(A))?.jobId).toBe(second.id);
  });

  it('a copy whose lease lapsed is taken over once by a reaper that takes copies; the old holder is refused', async () => {
    await setUp();
    const job = newJob();
    await c.createJob(job, true);
    await releasedJob();
    await vi.waitFor(async () => expect(await c.lease(copyLeaseName(job.id))).toBeNull(), { timeout: 5000, interval: 10 });
    // A reaper that does not take copies leaves it alone.
    expect(await c.reap({ nowMs: Date.now(), limit: 10, lost })).toMatchObject({ copies: [], failed: [], requeued: [] });
    const taken = await c.reap({ nowMs: Date.now(), limit: 10, lost, copies: { token: 'copy-2', ttlMs: 10_000 } });
    expect(taken.copies.map((j) => j.id)).toEqual([job.id]);
    expect(taken.copies[0]).toMatchObject({ status: 'STARTED', copying: { answer: { messageId: 'm1' } } });
    expect((await c.reap({ nowMs: Date.now(), limit: 10, lost, copies: { token: 'copy-3', ttlMs: 10_000 } })).copies).toEqual([]);
    const late = {
      patch: { status: 'COMPLETED' as const, copying: null },
      token: 'copy-1',
      channel: copyLeaseName(job.id),
      retentionSec: 60,
    };
    expect(await c.updateJob(job.id, late)).toBeNull();
    expect(await c.updateJob(job.id, { ...late, token: 'copy-2' })).toMatchObject({ status: 'COMPLETED' });
  });

  if (name === 'embedded') {
    it('after a restart (the store reopened as a killed process leaves it) the copy is taken over; the channel is free', async () => {
      await setUp();
      const [job, next] = [newJob(), newJob()];
      await c.createJob(job, true);
      await c.createJob(next, true);
      await releasedJob();
      c = await backend.reopen!();
      expect(claimed(await c.claim(claimRequest(A))).job.id).toBe(next.id);
      const taken = await c.reap({ nowMs: Date.now(), limit: 10, lost, copies: { token: 'copy-2', ttlMs: 10_000 } });
      expect(taken.copies.map((j) => j.id)).toEqual([job.id]);
    });
  }

  it('peekNext passes over the jobs given, in the queue’s order; the claim still takes the head', async () => {
    await setUp();
    const jobs = [newJob(), newJob({ requestedChannel: A }), newJob()];
    for (const job of jobs) await c.createJob(job, true);
    const peek = (passOver: string[]) => c.peekNext({ channel: A, day: utcDay(Date.now()), creditCost: 1, creditsPerDay: 1000, passOver });
    expect((await peek([]))?.id).toBe(jobs[0]!.id);
    expect((await peek([jobs[0]!.id]))?.id).toBe(jobs[1]!.id);
    expect((await peek([jobs[0]!.id, jobs[1]!.id]))?.id).toBe(jobs[2]!.id);
    expect(await peek(jobs.map((j) => j.id))).toBeNull();
    expect(claimed(await c.claim(claimRequest(A))).job.id).toBe(jobs[0]!.id);
  });
});
