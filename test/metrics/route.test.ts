/** GET /metrics over real HTTP against the real server and the Discord simulator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PICSI_MUTATION, postMultipart } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { parseExposition, valueOf } from './exposition.js';

const metricsUrl = (stack: Stack) => new URL('/metrics', stack.url).toString();
const scrape = (stack: Stack, token?: string) => fetch(metricsUrl(stack), token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('/metrics with auth off', () => {
  let stack: Stack;
  let png: Buffer;
  beforeAll(async () => {
    stack = await startStack({ botDelayMs: 0 });
    png = await makePng(32, 32);
  });
  afterAll(() => stack.stop());

  const runJob = async () => {
    const res = await postMultipart<{ picsi: { status: string; code: string | null } }>(
      stack.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null, wait: true } },
      { 'input.sourceImage': { bytes: png, filename: 'face.png', type: 'image/png' }, 'input.targetImage': { bytes: png, filename: 'target.png', type: 'image/png' } },
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.picsi;
  };

  it('is open, and counts the jobs run: accepted, finished by status and code, both histograms, channel time', async () => {
    const channel = stack.accounts[0]!.channelId;
    stack.simulator.script(channel, { kind: 'success' }, { kind: 'botError', error: 'NO_FACE' }, { kind: 'success' });
    const finishedHere: string[] = [];
    const allFinished = new Promise<void>((resolve) => {
      const stop = stack.services.jobs.onTerminal((job) => {
        finishedHere.push(job.status);
        if (finishedHere.length === 3) resolve(stop());
      });
    });
    const outcomes = [await runJob(), await runJob(), await runJob()];
    expect(outcomes.map((j) => j.status)).toEqual(['COMPLETED', 'FAILED', 'COMPLETED']);
    // The metrics listener was subscribed first, so it has seen every job by the time ours has.
    await allFinished;

    const res = await scrape(stack);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { samples, types } = parseExposition(await res.text());
    expect(valueOf(samples, 'picsi_jobs_accepted_total')).toBe(3);
    expect(valueOf(samples, 'picsi_jobs_finished_total', { status: 'COMPLETED', code: 'NONE' })).toBe(2);
    expect(valueOf(samples, 'picsi_jobs_finished_total', { status: 'FAILED', code: 'BOT_ERROR' })).toBe(1);
    expect(valueOf(samples, 'picsi_job_run_seconds_count')).toBe(3);
    expect(valueOf(samples, 'picsi_job_queue_wait_seconds_count')).toBe(3);
    const runSum = valueOf(samples, 'picsi_job_run_seconds_sum')!;
    expect(runSum).toBeGreaterThan(0);
    expect(valueOf(samples, 'picsi_channel_busy_seconds_total', { channel })).toBeCloseTo(runSum, 6);
    expect(valueOf(samples, 'picsi_channels_total')).toBe(1);
    expect(valueOf(samples, 'picsi_channels_busy')).toBe(0);
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
  });

  it('answers only GET (other methods are not routed to it)', async () => {
    expect((await fetch(metricsUrl(stack), { method: 'POST' })).status).toBe(404);
  });
});

describe('/metrics with auth on', () => {
  const USER = 'user-token-metrics';
  const ADMIN = 'admin-token-metrics';
  const METRICS = 'scraper-token-metrics';
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { API_TOKENS: USER, ADMIN_TOKENS: ADMIN, METRICS_TOKEN: METRICS } });
  });
  afterAll(() => stack.stop());

  it('refuses a request without a token with 401 and WWW-Authenticate: Bearer', async () => {
    const res = await scrape(stack);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.text()).not.toContain('picsi_');
  });

  it('refuses a user token and an unknown token', async () => {
    expect((await scrape(stack, USER)).status).toBe(401);
    expect((await scrape(stack, `${METRICS}x`)).status).toBe(401);
    expect((await fetch(metricsUrl(stack), { headers: { authorization: METRICS } })).status).toBe(401);
  });

  it('serves METRICS_TOKEN and admin tokens', async () => {
    for (const token of [METRICS, ADMIN]) {
      const res = await scrape(stack, token);
      expect(res.status).toBe(200);
      expect(valueOf(parseExposition(await res.text()).samples, 'picsi_jobs_accepted_total')).toBe(0);
    }
  });
});
