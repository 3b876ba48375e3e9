/**
 * The coordinator contract: the same cases against the Redis coordinator (real redis-server) and the
 * embedded one (a temp DATA_DIR). Leases are short (60 ms); a holder "dies" by letting its lease lapse.
 */
import { activeHealth } from '../../src/jobs/account.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EVENT_CHANNEL_FREED,
  STORE_LOST,
  utcDay,
  type ClaimRequest,
  type ClaimResult,
  type Claimed,
  type Coordinator,
  type SentCommand,
} from '../../src/executor/store/port.js';
import type { Job } from '../../src/jobs/model.js';
import { type Backend, type BackendFactory, BACKENDS, newJob } from './coordinator-backends.js';

const A = '100000000000000001';
const B = '100000000000000002';
const TTL_MS = 60;
const TIMEOUT_MS = 60_000;
const lostPatch = { status: 'FAILED' as const, code: 'EXECUTOR_LOST', error: 'holder vanished' };

let tokens = 0;
function claimRequest(channel: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  const nowMs = Date.now();
  return {
    channel,
    instance: 'instance-b',
    token: `t${++tokens}`,
    ttlMs: TTL_MS,
    nowMs,
    day: utcDay(nowMs),
    creditCost: 3,
    creditsPerDay: 50,
    start: { server: 'srv', discord: 'abc…xyz', startedAt: new Date(nowMs).toISOString() },
    lost: { patch: lostPatch, retentionSec: 60, jobTimeoutMs: TIMEOUT_MS },
    ...overrides,
  };
}
const claimed = (result: ClaimResult): Claimed => {
  if (result === STORE_LOST || !('job' in result)) throw new Error(`expected a claim, got ${JSON.stringify(result)}`);
  return result;
};
/** Nothing claimed because nothing that may run on the channel is queued (`queued` counts every queue). */
const empty = (queued: number) => ({ missed: 'empty', queued, reaped: [] });
const untilLeaseLapses = (c: Coordinator, channel: string) =>
  vi.waitFor(async () => expect(await c.lease(channel)).toBeNull(), { timeout: 5000, interval: 10 });
const complete = (c: Coordinator, job: Job, token: string) =>
  c.updateJob(job.id, { patch: { status: 'COMPLETED' }, token, channel: job.channel!, retentionSec: 60 });
const command = (sentAt = new Date()): SentCommand => ({ nonce: 'n1', interactionId: 'i1', sentAt: sentAt.toISOString() });

describe.each(BACKENDS)('coordinator contract: %s', (name, makeBackend) => {
  let backend: Backend;
  let c: Coordinator;
  const setUp = async (callbacks?: Parameters<BackendFactory>[0]) => {
    backend = await makeBackend(callbacks);
    c = await backend.open();
    await c.upsertAccount({ channel: A, server: 'srv', discord: 'token-a-0123456789' });
    await c.upsertAccount({ channel: B, server: 'srv', discord: 'token-b-0123456789' });
  };
  afterEach(async () => backend?.cleanup());

  it('claims one owner’s jobs FIFO across the channel queues and the any-channel queue; a position counts the queues its channels take', async () => {
    await setUp();
    const jobs = [newJob(), newJob({ requestedChannel: B }), newJob({ requestedChannel: A }), newJob()];
    for (const job of jobs) await c.createJob(job, true);
    // The job pinned to A waits behind the any-channel job only: B's queue is not A's to run.
    expect(await Promise.all(jobs.map((j) => c.queuePosition(j.id)))).toEqual([1, 2, 2, 4]);
    expect(await c.queueSize('owner-a')).toEqual({ total: 4, owner: 4 });

    const first = claimed(await c.claim(claimRequest(A)));
    expect(first).toMatchObject({ adopted: false, reaped: [], job: { id: jobs[0]!.id, status: 'STARTED', channel: A, attempt: 1 } });
    const held = await c.claim(claimRequest(A));
    expect(held).toMatchObject({ missed: 'held', reaped: [] });
    expect((held as { leftMs: number }).leftMs).toBeGreaterThan(0);
    expect((held as { leftMs: number }).leftMs).toBeLessThanOrEqual(TTL_MS);
    expect(await c.queuePosition(jobs[3]!.id)).toBe(3);
    const second = claimed(await c.claim(claimRequest(B)));
    expect(second.job.id).toBe(jobs[1]!.id); // B’s own queue head (round 1) before the any-channel head (round 3)
    await complete(c, first.job, first.job.channel === A ? (await c.lease(A))!.token : '');
    expect(claimed(await c.claim(claimRequest(A))).job.id).toBe(jobs[2]!.id);
    expect((await c.queuedJobs()).map((j) => j.id)).toEqual([jobs[3]!.id]);
  });

  it('any instance claims any job; acceptedBy limits the claim to jobs that instance accepted', async () => {
    await setUp();
    const job = newJob({ instance: 'instance-a' });
    await c.createJob(job, true);
    const other = await backend.open();
    expect(await other.claim(claimRequest(A, { acceptedBy: 'instance-b' }))).toEqual(empty(1));
    expect(claimed(await other.claim(claimRequest(A, { instance: 'instance-b' }))).job.id).toBe(job.id);
  });

  it('writes to a STARTED job need its holder token; a terminal write releases the lease and wakes the queue', async () => {
    await setUp();
    const job = newJob();
    await c.createJob(job, true);
    const request = claimRequest(A);
    const run = claimed(await c.claim(request));
    expect(await c.updateJob(job.id, { patch: { status: 'COMPLETED' }, retentionSec: 60 })).toBeNull();
    expect(await c.updateJob(job.id, { patch: { status: 'COMPLETED' }, token: 'not-the-holder', channel: A, retentionSec: 60 })).toBeNull();
    expect(await c.updateJob(job.id, { patch: { status: 'QUEUED' }, token: request.token, channel: A, retentionSec: 60 })).toBeNull(); // not a write's transition
    const freed = new Promise<string>((resolve, reject) => {
      c.subscribe(EVENT_CHANNEL_FREED, resolve).catch(reject);
    });
    const done = await complete(c, run.job, request.token);
    expect(done).toMatchObject({ status: 'COMPLETED', version: run.job.version + 1 });
    expect(await freed).toBe(A);
    expect(await c.lease(A)).toBeNull();
    expect(await c.updateJob(job.id, { patch: { status: 'FAILED' }, retentionSec: 60 })).toBeNull(); // terminal stays terminal
    expect(await c.updateJob(job.id, { patch: { content: 'fresh' }, from: ['COMPLETED'], retentionSec: 60 })).toMatchObject({
      content: 'fresh',
      status: 'COMPLETED',
    });
  });

  it('a stale holder is refused once its lease lapsed and the channel moved on', async () => {
    await setUp();
    const [old, next] = [newJob(), newJob()];
    await c.createJob(old, true);
    await c.createJob(next, true);
    const stale = claimRequest(A);
    claimed(await c.claim(stale));
    await untilLeaseLapses(c, A);
    const fresh = claimed(await c.claim(claimRequest(A)));
    // The old holder did not record its commands: it may have sent one, so its job is lost, not rerun.
    expect(fresh.reaped).toMatchObject([{ id: old.id, status: 'FAILED', code: 'EXECUTOR_LOST' }]);
    expect(fresh.job.id).toBe(next.id);
    expect(await c.updateJob(old.id, { patch: { status: 'COMPLETED' }, token: stale.token, channel: A, retentionSec: 60 })).toBeNull();
    expect(await c.renew(A, stale.token, TTL_MS)).toBe(false);
  });

  it('a dead holder that sent its command: the channel is not given to another job, its next claim adopts the job', async () => {
    await setUp();
    const [sent, waiting] = [newJob(), newJob()];
    await c.createJob(sent, true);
    await c.createJob(waiting, true);
    const first = claimRequest(A, { recordsCommands: true });
    const run = claimed(await c.claim(first));
    expect(run.job).toMatchObject({ command: null });
    expect(await c.markCommandSent(sent.id, A, 'not-the-holder', command())).toBeNull();
    expect(await c.markCommandSent(sent.id, A, first.token, command())).toMatchObject({ command: { nonce: 'n1', interactionId: 'i1' } });
    const credits = await c.creditsUsed(A, first.day);
    await untilLeaseLapses(c, A);
    expect(await c.reap({ nowMs: Date.now(), limit: 10, lost: first.lost })).toEqual({ failed: [], requeued: [], copies: [], more: false });
    expect((await c.getJob(sent.id))!.status).toBe('STARTED');

    const second = claimRequest(A, { recordsCommands: true });
    const adopted = claimed(await c.claim(second));
    expect(adopted).toMatchObject({
      adopted: true,
      reaped: [],
      job: { id: sent.id, status: 'STARTED', attempt: 1, command: { nonce: 'n1' } },
    });
    expect(await c.creditsUsed(A, first.day)).toBe(credits);
    expect(await c.updateJob(sent.id, { patch: { status: 'COMPLETED' }, token: first.token, channel: A, retentionSec: 60 })).toBeNull();
    expect(await complete(c, adopted.job, second.token)).toMatchObject({ status: 'COMPLETED' });
    expect(claimed(await c.claim(claimRequest(A))).job.id).toBe(waiting.id);
  });

  it('a dead holder that sent nothing: its job goes back to the head of its queue, then runs again', async () => {
    await setUp();
    const [unsent, later] = [newJob(), newJob()];
    await c.createJob(unsent, true);
    await c.createJob(later, true);
    const first = claimRequest(A, { recordsCommands: true });
    claimed(await c.claim(first));
    await untilLeaseLapses(c, A);
    const reaped = await c.reap({ nowMs: Date.now(), limit: 10, lost: first.lost });
    expect(reaped).toMatchObject({
      failed: [],
      requeued: [{ id: unsent.id, status: 'QUEUED', channel: null, startedAt: null }],
      more: false,
    });
    expect(await c.queuePosition(unsent.id)).toBe(1);
    expect(await c.queuePosition(later.id)).toBe(2);
    expect(claimed(await c.claim(claimRequest(B))).job).toMatchObject({ id: unsent.id, attempt: 2, channel: B });
  });

  it('the reaper fails a sent command older than the job timeout (injected clock), and a holder that records nothing', async () => {
    await setUp();
    const [old, legacy, next] = [newJob({ requestedChannel: A }), newJob({ requestedChannel: B }), newJob({ requestedChannel: A })];
    for (const job of [old, legacy, next]) await c.createJob(job, true);
    const onA = claimRequest(A, { recordsCommands: true });
    claimed(await c.claim(onA));
    await c.markCommandSent(old.id, A, onA.token, command());
    claimed(await c.claim(claimRequest(B)));
    await untilLeaseLapses(c, A);
    await untilLeaseLapses(c, B);
    const later = Date.now() + TIMEOUT_MS + 1000;
    const reaped = await c.reap({ nowMs: later, limit: 10, lost: onA.lost });
    expect(reaped.failed.map((j) => [j.id, j.status, j.code]).sort()).toEqual(
      [
        [legacy.id, 'FAILED', 'EXECUTOR_LOST'],
        [old.id, 'FAILED', 'EXECUTOR_LOST'],
      ].sort(),
    );
    expect(reaped.requeued).toEqual([]);
    expect(claimed(await c.claim(claimRequest(A, { nowMs: later }))).job.id).toBe(next.id);
  });

  it('the reaper reads only expired holders, `limit` at a time', async () => {
    await setUp();
    const jobs = [newJob({ requestedChannel: A }), newJob({ requestedChannel: B })];
    for (const job of jobs) await c.createJob(job, true);
    const lost = claimRequest(A).lost;
    claimed(await c.claim(claimRequest(A)));
    claimed(await c.claim(claimRequest(B, { ttlMs: 60_000 })));
    await untilLeaseLapses(c, A);
    expect(await c.reap({ nowMs: Date.now(), limit: 10, lost })).toMatchObject({ failed: [{ id: jobs[0]!.id }], more: false });
    expect((await c.getJob(jobs[1]!.id))!.status).toBe('STARTED');
  });

  it('lists newest first from exact indexes: owner, status, channel, combined; cursors resume after any edge', async () => {
    await setUp();
    const jobs = [
      newJob({ owner: 'x' }),
      newJob({ owner: 'y', requestedChannel: A }),
      newJob({ owner: 'x', requestedChannel: B }),
      newJob({ owner: 'x' }),
      newJob({ owner: 'y' }),
      newJob({ owner: 'x', requestedChannel: A }),
    ];
    for (const job of jobs) await c.createJob(job, true);
    const ids = (page: { edges: { job: Job }[] }) => page.edges.map((e) => e.job.id);
    const x = jobs
      .filter((j) => j.owner === 'x')
      .reverse()
      .map((j) => j.id);
    const first = await c.listJobs({ owner: 'x', first: 2 });
    expect({ ids: ids(first), more: first.hasNextPage }).toEqual({ ids: x.slice(0, 2), more: true });
    const rest = await c.listJobs({ owner: 'x', first: 2, after: first.edges[0]!.cursor });
    expect({ ids: ids(rest), more: rest.hasNextPage }).toEqual({ ids: x.slice(1, 3), more: true });
    const last = await c.listJobs({ owner: 'x', first: 2, after: rest.endCursor });
    expect({ ids: ids(last), more: last.hasNextPage }).toEqual({ ids: x.slice(3), more: false });
    expect(ids(await c.listJobs({ channel: A, first: 10 }))).toEqual([jobs[5]!.id, jobs[1]!.id]);
    expect(ids(await c.listJobs({ owner: 'x', channel: A, first: 10 }))).toEqual([jobs[5]!.id]);

    const run = claimed(await c.claim(claimRequest(B)));
    expect(run.job.id).toBe(jobs[0]!.id); // any-channel job: now listed under channel B too
    expect(ids(await c.listJobs({ status: 'STARTED', first: 10 }))).toEqual([jobs[0]!.id]);
    expect(ids(await c.listJobs({ owner: 'x', status: 'QUEUED', first: 10 }))).toEqual(x.filter((id) => id !== jobs[0]!.id));
    expect(ids(await c.listJobs({ channel: B, status: 'STARTED', first: 10 }))).toEqual([jobs[0]!.id]);
    expect(ids(await c.listJobs({ owner: 'y', status: 'STARTED', first: 10 }))).toEqual([]);
    await expect(c.listJobs({ first: 2, after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('a discarded queued job leaves its queue and every index', async () => {
    await setUp();
    const job = newJob();
    await c.createJob(job, true);
    expect(await c.discardQueued(job.id)).toBe(true);
    expect(await c.getJob(job.id)).toBeNull();
    expect(await c.queuePosition(job.id)).toBeNull();
    expect((await c.listJobs({ first: 10 })).edges).toEqual([]);
    expect(await c.claim(claimRequest(A))).toEqual(empty(0));
  });

  it('a job with its own creditCost is checked against the credits left and charged that cost; others the configured one', async () => {
    await setUp();
    const costing = (creditCost: number) => newJob({ creditCost });
    const [big, tooBig, plain] = [costing(40), costing(20), newJob({ requestedChannel: A })];
    for (const job of [big, tooBig, plain]) await c.createJob(job, true);
    const day = claimRequest(A).day;

    const first = claimRequest(A);
    const run = claimed(await c.claim(first));
    expect(run.job.id).toBe(big.id);
    expect(await c.creditsUsed(A, day)).toBe(40);
    await complete(c, run.job, first.token);
    // 40 + 20 > 50 on A: the any-channel head does not fit there; A's own queue head (cost 3, later) does.
    const onA = claimed(await c.claim(claimRequest(A)));
    expect(onA.job.id).toBe(plain.id);
    expect(await c.creditsUsed(A, day)).toBe(43);
    expect(await c.queuePosition(tooBig.id)).toBe(1);
    const onB = claimed(await c.claim(claimRequest(B)));
    expect(onB.job.id).toBe(tooBig.id);
    expect(await c.creditsUsed(B, day)).toBe(20);
    // Several channels in one read, in the order asked; a channel charged nothing counts 0.
    expect(await c.creditsUsedOn([B, A, '999999999999999999'], day)).toEqual([20, 43, 0]);
    expect(await c.creditsUsedOn([], day)).toEqual([]);
  });

  it('a claim says why it took nothing: held, nothing queued, or not eligible (with the end when it is known)', async () => {
    await setUp();
    expect(await c.claim(claimRequest(A))).toEqual(empty(0));
    const job = newJob({ creditCost: 48 });
    await c.createJob(job, true);
    const nowMs = Date.now();
    await c.setAccountHealth(A, { ...activeHealth(nowMs), state: 'COOLING_DOWN', reason: 'RATE_LIMITED', until: nowMs + 5000 });
    expect(await c.claim(claimRequest(A, { nowMs }))).toEqual({ missed: 'ineligible', retryInMs: 5000, reaped: [] });
    await c.setAccountHealth(B, { ...activeHealth(nowMs), state: 'NEEDS_PERSON', reason: 'CAPTCHA' });
    expect(await c.claim(claimRequest(B))).toEqual({ missed: 'ineligible', retryInMs: null, reaped: [] });
    await c.setAccountHealth(B, activeHealth(nowMs));
    await c.setAccountHealth(A, activeHealth(nowMs));
    const day = claimRequest(A).day;
    await c.createJob(newJob({ requestedChannel: A }), true);
    const first = claimRequest(A);
    const small = claimed(await c.claim(first)); // 48 ≤ 50, and it was queued first
    expect(small.job.id).toBe(job.id);
    await complete(c, small.job, first.token);
    expect(await c.creditsUsed(A, day)).toBe(48);
    // 48 + 3 > 50: A's own queued job cannot run on A today, and no other job may run there.
    expect(await c.claim(claimRequest(A))).toEqual({ missed: 'ineligible', retryInMs: null, reaped: [] });
    expect(await c.claim(claimRequest(B))).toEqual(empty(1));
  });

  it('applies every eligibility rule in its order (src/executor/store/eligibility.ts), each with its wait', async () => {
    await setUp();
    const nowMs = Date.now();
    const gate = { commandDay: '2026-12-01', dailyCommands: 1, dayEndsInMs: 7_000, closedForMs: 0 };
    const ineligible = (retryInMs: number | null) => ({ missed: 'ineligible', retryInMs, reaped: [] });
    for (let i = 0; i < 3; i++) await c.createJob(newJob({ requestedChannel: A }), true);

    // Pacing: a terminal write that releases the channel sets the account's readyAt, in the same step.
    const first = claimRequest(A, { nowMs, gate, ttlMs: 30_000 });
    const started = claimed(await c.claim(first));
    const events: string[] = [];
    const stop = await c.subscribe(EVENT_CHANNEL_FREED, (channel) => events.push(channel));
    await c.updateJob(started.job.id, {
      patch: { status: 'COMPLETED' },
      token: first.token,
      channel: A,
      retentionSec: 60,
      pace: { readyAt: nowMs + 4_000 },
    });
    expect((await c.getAccount(A))!.readyAt).toBe(nowMs + 4_000);
    await vi.waitFor(() => expect(events).toContain(A));
    await stop();
    // The daily cap (1 started on the gate's day) comes before the pacing gap.
    expect(await c.claim(claimRequest(A, { nowMs, gate }))).toEqual(ineligible(7_000));
    const nextDay = { ...gate, commandDay: '2026-12-02' };
    expect(await c.claim(claimRequest(A, { nowMs, gate: nextDay }))).toEqual(ineligible(4_000));
    // A foreign command: busy until the bot answered it (or its bound), before the pacing gap.
    await c.setForeignCommand(A, { interactionId: 'i-person', until: nowMs + 5_000 }, 'i-person');
    expect(await c.claim(claimRequest(A, { nowMs, gate: nextDay }))).toEqual(ineligible(5_000));
    await c.setForeignCommand(A, null, 'i-other');
    expect((await c.getAccount(A))!.foreign).toEqual({ interactionId: 'i-person', until: nowMs + 5_000 });
    await c.setForeignCommand(A, null, 'i-person');
    expect((await c.getAccount(A))!.foreign).toBeNull();
    // Closed hours come before the cap and everything after it.
    expect(await c.claim(claimRequest(A, { nowMs, gate: { ...gate, closedForMs: 60_000 } }))).toEqual(ineligible(60_000));
    // The state first of all: a timed one with its end, a held one without.
    const cooling = { ...activeHealth(nowMs), state: 'COOLING_DOWN' as const, reason: 'RATE_LIMITED', until: nowMs + 9_000 };
    await c.setAccountHealth(A, cooling);
    expect(await c.claim(claimRequest(A, { nowMs, gate: { ...gate, closedForMs: 60_000 } }))).toEqual(ineligible(9_000));
    await c.setAccountHealth(A, { ...activeHealth(nowMs), state: 'PAUSED', reason: 'OPERATOR' });
    expect(await c.claim(claimRequest(A, { nowMs, gate }))).toEqual(ineligible(null));
    // A timed state that has ended lets the claim through and is reset to ACTIVE on the way.
    await c.setAccountHealth(A, { ...cooling, until: nowMs - 1 });
    expect(claimed(await c.claim(claimRequest(A, { nowMs: nowMs + 4_000, gate: nextDay }))).job.channel).toBe(A);
    expect((await c.getAccount(A))!.health).toMatchObject({ state: 'ACTIVE', reason: null, until: null });
  });

  it('hands a job back by its holder: at its own place in the queue, the channel released and freed', async () => {
    await setUp();
    const jobs = [newJob(), newJob()];
    for (const job of jobs) await c.createJob(job, true);
    // A lease that outlives the test's steps on a loaded machine.
    const request = claimRequest(A, { recordsCommands: true, ttlMs: 30_000 });
    const started = claimed(await c.claim(request));
    expect(await c.handBack(started.job.id, A, 'not-the-token')).toBeNull();
    expect(await c.handBack(started.job.id, B, request.token)).toBeNull();
    const back = await c.handBack(started.job.id, A, request.token);
    expect(back).toMatchObject({ id: jobs[0]!.id, status: 'QUEUED', channel: null });
    expect(await c.lease(A)).toBeNull();
    expect(await c.queuePosition(jobs[0]!.id)).toBe(1);
    // The other channel takes it next, before the job queued after it.
    expect(claimed(await c.claim(claimRequest(B))).job.id).toBe(jobs[0]!.id);
  });

  it('a miss still reports the job it finished on the way (a dead holder whose command is too old)', async () => {
    await setUp();
    const job = newJob();
    await c.createJob(job, true);
    const first = claimRequest(A, { recordsCommands: true });
    claimed(await c.claim(first));
    await c.markCommandSent(job.id, A, first.token, command());
    await untilLeaseLapses(c, A);
    const miss = await c.claim(claimRequest(A, { nowMs: Date.now() + TIMEOUT_MS + 1000 }));
    expect(miss).toMatchObject({ missed: 'empty', queued: 0, reaped: [{ id: job.id, status: 'FAILED', code: 'EXECUTOR_LOST' }] });
  });

  it('an account’s plan is stored with it, read back by every instance, and dropped when an upsert omits it', async () => {
    await setUp();
    const other = await backend.open();
    expect(await c.upsertAccount({ channel: A, server: 'srv', discord: 'token-a-pro-0123456789', plan: 'pro' })).toMatchObject({
      plan: 'pro',
    });
    expect(await other.getAccount(A)).toMatchObject({ plan: 'pro' });
    expect((await other.listAccounts()).find((a) => a.channel === A)).toMatchObject({ plan: 'pro' });
    await c.upsertAccount({ channel: A, server: 'srv', discord: 'token-a-pro-0123456789' }, { keepState: true });
    expect(await other.getAccount(A)).not.toHaveProperty('plan');
  });

  it('account writes are atomic: a health written by one instance never overwrites an admin’s new token', async () => {
    await setUp();
    const other = await backend.open();
    for (let i = 0; i < 20; i++) {
      const token = `token-a-new-${i}-0123456789`;
      const cooling = { ...activeHealth(1), state: 'COOLING_DOWN' as const, reason: 'RATE_LIMITED', until: 1000 + i };
      await Promise.all([
        other.setAccountHealth(A, cooling),
        c.upsertAccount({ channel: A, server: 'srv2', discord: token }, { keepState: true }),
      ]);
      expect(await c.getAccount(A)).toMatchObject({ discord: token, server: 'srv2', health: { state: 'COOLING_DOWN', until: 1000 + i } });
    }
    const captcha = { ...activeHealth(2), state: 'NEEDS_PERSON' as const, reason: 'CAPTCHA', evidence: { status: 400 } };
    expect(await other.setAccountHealth(A, captcha)).toMatchObject({ applied: true, previous: { state: 'COOLING_DOWN' } });
    // Exactly one writer sees a state entered: the second swap finds it there already.
    expect(await c.setAccountHealth(A, captcha)).toMatchObject({ applied: true, previous: { state: 'NEEDS_PERSON' } });
    // A state in `unless` stands.
    expect(await c.setAccountHealth(A, activeHealth(3), ['NEEDS_PERSON'])).toMatchObject({ applied: false, record: { health: captcha } });
    expect(await c.upsertAccount({ channel: A, server: 'srv', discord: 'token-a-kept-0123456789' }, { keepState: true })).toMatchObject({
      health: captcha,
      managed: 'API',
    });
    expect(await c.upsertAccount({ channel: A, server: 'srv', discord: 'token-a-fresh-0123456789' }, { managed: 'CONFIG' })).toMatchObject({
      health: { state: 'ACTIVE' },
      managed: 'CONFIG',
      readyAt: 0,
    });
    expect(await c.setAccountHealth('999999999999', captcha)).toBeNull();
    expect(await c.getAccount('999999999999')).toBeNull();
    expect(await c.deleteAccount(B)).toBe(true);
    expect((await c.listAccounts()).map((a) => a.channel)).toEqual([A]);
  });

  it('the callback task is written with the terminal state (replyUrl), and for jobs lost by their holder', async () => {
    await setUp();
    const [hooked, silent, lost] = [
      newJob({ replyUrl: 'https://hooks.example/a' }),
      newJob(),
      newJob({ replyUrl: 'https://hooks.example/c' }),
    ];
    for (const job of [hooked, silent, lost]) await c.createJob(job, true);
    const request = claimRequest(A);
    const run = claimed(await c.claim(request));
    const done = await complete(c, run.job, request.token);
    expect(done).toMatchObject({ status: 'COMPLETED', callback: { status: 'PENDING', attempts: 0, lastError: null, deliveredAt: null } });
    expect(await backend.callbacks.get(hooked.id)).toMatchObject({ url: 'https://hooks.example/a', status: 'PENDING', attempts: 0 });
    const [attempt] = await backend.callbacks.claimDue(Date.now() + 1000, Date.now() + 60_000, 10, 'test');
    expect(JSON.parse(attempt!.body)).toMatchObject({ jobid: hooked.id, status: 'completed' });

    const second = claimRequest(A);
    claimed(await c.claim(second));
    expect(
      await c.updateJob(silent.id, { patch: { status: 'CANCELLED' }, token: second.token, channel: A, retentionSec: 60 }),
    ).toMatchObject({ callback: null });
    expect(await backend.callbacks.get(silent.id)).toBeNull();

    claimed(await c.claim(claimRequest(A)));
    await untilLeaseLapses(c, A);
    const reaped = await c.reap({ nowMs: Date.now(), limit: 10, lost: request.lost });
    expect(reaped.failed).toMatchObject([{ id: lost.id, status: 'FAILED', callback: { status: 'PENDING' } }]);
    expect(await backend.callbacks.get(lost.id)).toMatchObject({ url: 'https://hooks.example/c', status: 'PENDING' });
  });

  it('CALLBACK_DEFAULT_URL applies to a job without replyUrl', async () => {
    await setUp({ defaultUrl: 'https://hooks.example/default' });
    const job = newJob();
    await c.createJob(job, true);
    expect(await c.updateJob(job.id, { patch: { status: 'CANCELLED' }, retentionSec: 60 })).toMatchObject({
      status: 'CANCELLED',
      callback: { status: 'PENDING' },
    });
    expect(await backend.callbacks.get(job.id)).toMatchObject({ url: 'https://hooks.example/default' });
  });

  if (name === 'redis') {
    it('a data loss: claims answer STORE_LOST until checkStore, which reports it once', async () => {
      await setUp();
      expect(await c.checkStore()).toBe('same');
      await backend.loseData!();
      expect(await c.claim(claimRequest(A))).toBe(STORE_LOST);
      expect(await c.checkStore()).toBe('lost');
      expect(await c.checkStore()).toBe('same');
      const job = newJob();
      expect(await c.restoreJob(job, 60)).toBe(true);
      expect(await c.restoreJob(job, 60)).toBe(false);
      await c.upsertAccount({ channel: A, server: 'srv', discord: 'token-a-0123456789' });
      expect(claimed(await c.claim(claimRequest(A))).job.id).toBe(job.id);
    });
  } else {
    it('survives a restart: queued jobs stay queued in order, a started one that sent nothing is requeued at its place', async () => {
      await setUp();
      const jobs = [newJob(), newJob(), newJob({ replyUrl: 'https://hooks.example/r' })];
      for (const job of jobs) await c.createJob(job, true);
      claimed(await c.claim(claimRequest(A, { recordsCommands: true })));
      const request = claimRequest(B);
      const run = claimed(await c.claim(request));
      await complete(c, run.job, request.token);
      c = await backend.reopen!();
      expect((await c.getJob(jobs[1]!.id))!.status).toBe('COMPLETED');
      expect(await backend.callbacks.get(jobs[1]!.id)).toBeNull();
      expect(await c.getAccount(A)).toMatchObject({ discord: 'token-a-0123456789' });
      expect(await c.creditsUsed(A, utcDay(Date.now()))).toBe(3);
      expect(await c.reap({ nowMs: Date.now(), limit: 10, lost: request.lost })).toMatchObject({ requeued: [{ id: jobs[0]!.id }] });
      expect((await c.queuedJobs()).map((j) => j.id)).toEqual([jobs[0]!.id, jobs[2]!.id]);
      expect((await c.listJobs({ first: 10 })).edges.map((e) => e.job.id)).toEqual([...jobs].reverse().map((j) => j.id));
    });

    it('survives a restart: a started job whose command was sent is adopted by the next claim of its channel', async () => {
      await setUp();
      const job = newJob();
      await c.createJob(job, true);
      const first = claimRequest(A, { recordsCommands: true, ttlMs: 60_000 });
      claimed(await c.claim(first));
      await c.markCommandSent(job.id, A, first.token, command());
      c = await backend.reopen!();
      expect(await c.lease(A)).toBeNull(); // the holder was the process that stopped
      expect(await c.reap({ nowMs: Date.now(), limit: 10, lost: first.lost })).toEqual({
        failed: [],
        requeued: [],
        copies: [],
        more: false,
      });
      expect(claimed(await c.claim(claimRequest(A)))).toMatchObject({ adopted: true, job: { id: job.id, command: { nonce: 'n1' } } });
    });
  }
});
