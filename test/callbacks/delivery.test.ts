/** End to end through the public dispatcher: real Redis, real HTTP receivers on 127.0.0.1. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { toHostedJson } from '../../src/callbacks/index.js';
import type { Job } from '../../src/jobs/model.js';
import { hashTagOf } from '../../src/redis/hash-tag.js';
import { createManualClock } from '../../src/timing/clock.js';
import { captureLogger, clockReading, closedPort, harness, sampleJob, waitFor, type Harness } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.cleanup();
});

const ids = (requests: { headers: Record<string, unknown> }[]) => requests.map((r) => r.headers['webhook-id']);

describe('callback delivery', () => {
  it('POSTs the seed JSON, signed so that standardwebhooks verifies it on the receiver side', async () => {
    const receiver = await h.receiver();
    const at = Date.now();
    const dispatcher = h.dispatcher({ clock: clockReading(() => at) });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: `${receiver.url}?ref=1`, replyRef: 'order-42' }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery');

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/hook?ref=1' });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'picsi-graphql',
      'webhook-id': `msg_${job.id}`,
    });
    expect(request!.headers['webhook-timestamp']).toBe(String(Math.floor(at / 1000)));

    const verified = new Webhook(h.config.secret!).verify(request!.body, request!.headers as Record<string, string>);
    expect(verified).toEqual(JSON.parse(JSON.stringify(toHostedJson(job))));
    expect(verified).toMatchObject({
      jobid: job.id,
      status: 'completed',
      replyRef: 'order-42',
      attachments: [{ id: '1400000000000000001', proxy_url: expect.any(String) }],
    });
    // The control: the same request does not verify under another key.
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(request!.body, request!.headers as Record<string, string>),
    ).toThrow();

    const state = h.jobs.callback(job.id)!;
    expect(state).toMatchObject({ status: 'DELIVERED', attempts: 1, lastError: null });
    expect(state.deliveredAt).toBe(new Date(at).toISOString());
    expect(h.jobs.history.get(job.id)?.map((s) => [s.status, s.attempts])).toEqual([
      ['PENDING', 0],
      ['DELIVERED', 1],
    ]);
  });

  it('500, 500, 200: retried with the same id and body, exactly one successful delivery, attempts = 3', async () => {
    const receiver = await h.receiver((n) => ({ status: n < 2 ? 500 : 200 }));
    const dispatcher = h.dispatcher();
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery');
    await dispatcher.settled(job.id); // no attempt running or due: a wrong extra one would show here

    expect(receiver.requests).toHaveLength(3);
    expect(dispatcher.claims(job.id)).toBe(3);
    expect(new Set(ids(receiver.requests))).toEqual(new Set([`msg_${job.id}`]));
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(h.jobs.callback(job.id)).toMatchObject({ status: 'DELIVERED', attempts: 3, lastError: 'HTTP 500 Internal Server Error' });
    expect(h.jobs.history.get(job.id)?.map((s) => [s.status, s.attempts, s.lastError])).toEqual([
      ['PENDING', 0, null],
      ['PENDING', 1, 'HTTP 500 Internal Server Error'],
      ['PENDING', 2, 'HTTP 500 Internal Server Error'],
      ['DELIVERED', 3, 'HTTP 500 Internal Server Error'],
    ]);
    expect(await h.task(job.id)).toMatchObject({ status: 'DELIVERED', attempts: '3' });
    expect(await h.dueAt(job.id)).toBeNull();
  });

  it.each([
    ['429 with Retry-After in seconds', 429, () => '120', 120_000],
    ['503 with Retry-After as an HTTP date', 503, (now: number) => new Date(now + 90_000).toUTCString(), 89_000],
  ])('%s: no retry before the time the receiver asked for (injected clock)', async (_name, status, retryAfter, minDelay) => {
    let offset = 0;
    const now = () => Date.now() + offset;
    const receiver = await h.receiver((n) => (n === 0 ? { status, headers: { 'retry-after': retryAfter(now()) } } : { status: 200 }));
    // random() = 0: the jittered backoff alone would retry at once.
    const dispatcher = h.dispatcher({ clock: clockReading(now), random: () => 0 });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.attempts === 1, 5_000, 'first attempt');

    expect(h.jobs.callback(job.id)).toMatchObject({ status: 'PENDING', lastError: expect.stringMatching(new RegExp(`^HTTP ${status}`)) });
    const due = (await h.dueAt(job.id))!;
    expect(due - now()).toBeGreaterThan(minDelay - 1_000);
    expect(due - now()).toBeLessThanOrEqual(120_000);
    await dispatcher.polls(3); // looked for due attempts three more times on the same clock: none
    expect(dispatcher.claims(job.id)).toBe(1);
    expect(receiver.requests).toHaveLength(1);

    offset += 120_000;
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'retry after the clock moved');
    expect(receiver.requests).toHaveLength(2);
  });

  it('a receiver that never answers times out, and meanwhile jobs and other deliveries proceed', async () => {
    const silent = await h.receiver(() => 'hang');
    const healthy = await h.receiver();
    // The attempt's timeout runs on the dispatcher's clock: the test moves it past 400 ms instead of waiting.
    const clock = createManualClock(Date.now());
    const dispatcher = h.dispatcher({ clock, config: { timeoutMs: 400 }, backoff: { baseMs: 60_000, capMs: 60_000 }, random: () => 0.99 });
    dispatcher.start();
    const stuck = h.jobs.add(sampleJob({ replyUrl: silent.url }));
    const fine = h.jobs.add(sampleJob({ replyUrl: healthy.url }));

    await dispatcher.onTerminal(stuck);
    await clock.advance(0);
    await waitFor(() => silent.requests.length === 1, 2_000, 'the silent receiver to be called');
    await dispatcher.onTerminal(fine); // the job side is never held up by a slow receiver:
    await clock.advance(0);
    expect(h.jobs.callback(stuck.id)).toMatchObject({ status: 'PENDING', attempts: 0 }); // the stuck attempt is still running
    await waitFor(() => h.jobs.callback(fine.id)?.status === 'DELIVERED', 2_000, 'the other delivery');
    expect(h.jobs.callback(stuck.id)).toMatchObject({ status: 'PENDING', attempts: 0 }); // still in its first attempt

    await clock.advance(399);
    expect(h.jobs.callback(stuck.id)).toMatchObject({ status: 'PENDING', attempts: 0 }); // not a millisecond early
    await clock.advance(1);
    await waitFor(() => h.jobs.callback(stuck.id)?.attempts === 1, 2_000, 'the timeout');
    expect(h.jobs.callback(stuck.id)).toMatchObject({ status: 'PENDING', lastError: 'timed out after 400 ms' });
  });

  it('bounded concurrency: silent receivers fill at most `concurrency` slots; the rest waits its turn', async () => {
    // At each request's arrival: the attempts started so far, less those already over, fit the slots.
    const jobs: Job[] = [];
    const inFlightAtArrival: number[] = [];
    const arrived = () => {
      const over = jobs.filter((j) => ['FAILED', 'DELIVERED'].includes(h.jobs.callback(j.id)?.status ?? '')).length;
      inFlightAtArrival.push(silent.requests.length + healthy.requests.length - over);
    };
    const silent = await h.receiver(() => (arrived(), 'hang'));
    const healthy = await h.receiver(() => (arrived(), { status: 200 }));
    const dispatcher = h.dispatcher({ concurrency: 2, config: { timeoutMs: 300, maxAttempts: 1 } });
    dispatcher.start();
    const stuck = [1, 2, 3].map(() => h.jobs.add(sampleJob({ replyUrl: silent.url })));
    jobs.push(...stuck);
    for (const job of stuck) await dispatcher.onTerminal(job);
    await waitFor(() => silent.requests.length === 2, 2_000, 'two slots in use');
    const fine = h.jobs.add(sampleJob({ replyUrl: healthy.url }));
    jobs.push(fine);
    await dispatcher.onTerminal(fine);
    await waitFor(() => h.jobs.callback(fine.id)?.status === 'DELIVERED', 3_000, 'a freed slot');
    await waitFor(() => stuck.every((j) => h.jobs.callback(j.id)?.status === 'FAILED'), 3_000, 'the stuck ones to give up');
    expect(inFlightAtArrival).toHaveLength(4);
    expect(Math.max(...inFlightAtArrival)).toBeLessThanOrEqual(2);
  });

  it.each([301, 302, 307, 308])('a %i redirect is not followed and not retried', async (status) => {
    const target = await h.receiver();
    const redirecting = await h.receiver(() => ({ status, headers: { location: target.url } }));
    const dispatcher = h.dispatcher();
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: redirecting.url }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'FAILED', 5_000, 'the failure');
    await dispatcher.settled(job.id);
    expect(target.requests).toHaveLength(0);
    expect(redirecting.requests).toHaveLength(1);
    expect(h.jobs.callback(job.id)).toMatchObject({ attempts: 1, lastError: expect.stringContaining(`HTTP ${status}`) });
    expect(h.jobs.callback(job.id)!.lastError).toContain(`redirect to ${target.url} not followed`);
  });

  it('a 4xx other than 408/429 fails at once; 408 is retried', async () => {
    const receiver = await h.receiver((_n, req) => ({ status: req.url.includes('gone') ? 410 : 408 }));
    const dispatcher = h.dispatcher({ config: { maxAttempts: 2 } });
    dispatcher.start();
    const gone = h.jobs.add(sampleJob({ replyUrl: `${receiver.url}/gone` }));
    const slow = h.jobs.add(sampleJob({ replyUrl: `${receiver.url}/slow` }));
    await dispatcher.onTerminal(gone);
    await dispatcher.onTerminal(slow);
    await waitFor(
      () => h.jobs.callback(gone.id)?.status === 'FAILED' && h.jobs.callback(slow.id)?.status === 'FAILED',
      5_000,
      'both to fail',
    );
    expect(h.jobs.callback(gone.id)).toMatchObject({ attempts: 1, lastError: 'HTTP 410 Gone' });
    expect(h.jobs.callback(slow.id)).toMatchObject({ attempts: 2, lastError: 'HTTP 408 Request Timeout (gave up after 2 attempts)' });
  });

  it('gives up after maxAttempts on 5xx and on network errors', async () => {
    const receiver = await h.receiver(() => ({ status: 502 }));
    const dispatcher = h.dispatcher({ config: { maxAttempts: 3 } });
    dispatcher.start();
    const failing = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    const refused = h.jobs.add(sampleJob({ replyUrl: `http://127.0.0.1:${await closedPort()}/hook` }));
    await dispatcher.onTerminal(failing);
    await dispatcher.onTerminal(refused);
    await waitFor(() => [failing, refused].every((j) => h.jobs.callback(j.id)?.status === 'FAILED'), 5_000, 'both to give up');
    await Promise.all([failing, refused].map((j) => dispatcher.settled(j.id)));
    expect(receiver.requests).toHaveLength(3);
    expect(h.jobs.callback(failing.id)).toMatchObject({ attempts: 3, lastError: 'HTTP 502 Bad Gateway (gave up after 3 attempts)' });
    expect(h.jobs.callback(refused.id)).toMatchObject({ attempts: 3, lastError: 'network error: ECONNREFUSED (gave up after 3 attempts)' });
  });

  it('without a secret: sends id and timestamp unsigned, and says so once, at the first unsigned callback (not at start)', async () => {
    const receiver = await h.receiver();
    const { logger, lines } = captureLogger();
    const dispatcher = h.dispatcher({ logger, config: { secret: null } });
    dispatcher.start();
    await dispatcher.polls(2);
    // Started with no secret and nothing sent yet: nothing to warn about (a start without callbacks stays quiet).
    expect(lines().filter((l) => /CALLBACK_SECRET/.test(l.msg))).toHaveLength(0);
    const jobs = [1, 2].map(() => h.jobs.add(sampleJob({ replyUrl: receiver.url })));
    for (const job of jobs) await dispatcher.onTerminal(job);
    await waitFor(() => receiver.requests.length === 2, 5_000, 'two deliveries');
    for (const request of receiver.requests) {
      expect(request.headers['webhook-id']).toMatch(/^msg_job-/);
      expect(request.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
      expect(request.headers).not.toHaveProperty('webhook-signature');
    }
    expect(lines().filter((l) => /unsigned/.test(l.msg))).toHaveLength(1);
  });

  it('uses CALLBACK_DEFAULT_URL when the job has no replyUrl; with neither there is nothing to deliver', async () => {
    const receiver = await h.receiver();
    const withDefault = h.dispatcher({ config: { defaultUrl: receiver.url } });
    const withoutDefault = h.dispatcher();
    withDefault.start();
    withoutDefault.start();
    const a = h.jobs.add(sampleJob({ replyUrl: null }));
    const b = h.jobs.add(sampleJob({ replyUrl: null }));
    await withDefault.onTerminal(a);
    await withoutDefault.onTerminal(b);
    await waitFor(() => h.jobs.callback(a.id)?.status === 'DELIVERED', 5_000, 'the default URL delivery');
    await withDefault.settled(a.id);
    expect(receiver.requests.map((r) => JSON.parse(r.body).jobid)).toEqual([a.id]);
    expect(h.jobs.callback(b.id)).toBeNull();
    expect(await h.task(b.id)).toEqual({});
  });

  it('ignores a job that is not terminal, and a repeated onTerminal delivers once', async () => {
    const receiver = await h.receiver();
    const dispatcher = h.dispatcher();
    dispatcher.start();
    const running = h.jobs.add(sampleJob({ status: 'STARTED', replyUrl: receiver.url }));
    await dispatcher.onTerminal(running);
    const cancelled = h.jobs.add(sampleJob({ status: 'CANCELLED', code: 'CANCELLED', replyUrl: receiver.url }));
    await Promise.all([dispatcher.onTerminal(cancelled), dispatcher.onTerminal(cancelled)]);
    await waitFor(() => h.jobs.callback(cancelled.id)?.status === 'DELIVERED', 5_000, 'delivery');
    await dispatcher.onTerminal(cancelled);
    await dispatcher.settled(cancelled.id); // the repeat created no second task
    expect(dispatcher.claims(cancelled.id)).toBe(1);
    expect(receiver.requests.map((r) => JSON.parse(r.body) as { jobid: string; status: string })).toEqual([
      expect.objectContaining({ jobid: cancelled.id, status: 'cancelled' }),
    ]);
    expect(h.jobs.callback(running.id)).toBeNull();
  });
});

describe('other wirings', () => {
  it('without Redis (single instance) the in-process store behaves the same: 500 then 200', async () => {
    const receiver = await h.receiver((n) => ({ status: n === 0 ? 500 : 200 }));
    const dispatcher = h.dispatcher({ inMemory: true });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: receiver.url }));
    await Promise.all([dispatcher.onTerminal(job), dispatcher.onTerminal(job)]);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery');
    await dispatcher.settled(job.id);
    expect(receiver.requests).toHaveLength(2);
    expect(h.jobs.callback(job.id)).toMatchObject({ attempts: 2 });
    expect([...(await h.redis.keys(`${h.prefix}*`)), ...(await h.redis.keys(`${hashTagOf(h.prefix)}*`))]).toEqual([]);
  });

  it('an injected fetch is used, with redirect: manual (the 302 target sees nothing)', async () => {
    const target = await h.receiver();
    const redirecting = await h.receiver(() => ({ status: 302, headers: { location: target.url } }));
    const calls: string[] = [];
    const dispatcher = h.dispatcher({
      fetch: async (input, init) => {
        calls.push(input instanceof Request ? input.url : input.toString());
        return fetch(input, init);
      },
    });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: redirecting.url }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'FAILED', 5_000, 'the failure');
    await dispatcher.settled(job.id);
    expect(calls).toEqual([redirecting.url]);
    expect(target.requests).toHaveLength(0);
    expect(h.jobs.callback(job.id)?.lastError).toContain('HTTP 302 Found: redirect to');
  });
});
