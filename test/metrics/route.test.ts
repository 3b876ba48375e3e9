/** GET /metrics over real HTTP against the real server and the Discord simulator. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PICSI_MUTATION, postMultipart, submitPicsi } from '../helpers/graphql-http.js';
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
      {
        'input.sourceImage': { bytes: png, filename: 'face.png', type: 'image/png' },
        'input.targetImage': { bytes: png, filename: 'target.png', type: 'image/png' },
      },
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
    expect(valueOf(samples, 'picsi_queue_depth')).toBe(0);
    expect(valueOf(samples, 'picsi_jobs_running')).toBe(0);
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
  });

  it("counts Discord's 429s by route", async () => {
    stack.simulator.script(stack.accounts[0]!.channelId, { kind: 'rateLimit', retryAfterSeconds: 30 });
    const job = await runJob();
    expect(job).toMatchObject({ status: 'FAILED', code: 'DISCORD_RATE_LIMITED' });
    const { samples } = parseExposition(await (await scrape(stack)).text());
    expect(valueOf(samples, 'picsi_discord_rate_limited_total', { route: 'interactions' })).toBe(1);
    expect(valueOf(samples, 'picsi_discord_rate_limited_total', { route: 'attachments' })).toBe(0);
  });

  it('answers only GET (other methods are not routed to it)', async () => {
    expect((await fetch(metricsUrl(stack), { method: 'POST' })).status).toBe(404);
  });
});

describe('/metrics reads the shared queue at scrape time', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ botDelayMs: 5000 });
  });
  afterAll(() => stack.stop());

  it('queue depth, running jobs and busy channels while one job runs and two wait', async () => {
    const png = await makePng(16, 16);
    // The first submit's own dispatch pass starts it; the next two queue behind the slow bot.
    for (let i = 0; i < 3; i++) await submitPicsi(stack.url, png);
    const { samples } = parseExposition(await (await scrape(stack)).text());
    expect(valueOf(samples, 'picsi_queue_depth')).toBe(2);
    expect(valueOf(samples, 'picsi_jobs_running')).toBe(1);
    expect(valueOf(samples, 'picsi_channels_busy')).toBe(1);
    expect(valueOf(samples, 'picsi_channels_total')).toBe(1);
  });
});

describe('/metrics counts callback outcomes', () => {
  let stack: Stack;
  let receiver: Server;
  let receiverUrl: string;
  let png: Buffer;
  beforeAll(async () => {
    // /ok answers 204 (delivered); /bad answers 410, which is not retried (rejected).
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.url === '/ok' ? 204 : 410).end());
    }).listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    stack = await startStack({ botDelayMs: 0, env: { CALLBACK_ALLOW_HOSTS: '127.0.0.1' } });
    png = await makePng(32, 32);
  });
  afterAll(async () => {
    await stack.stop();
    receiver.close();
  });

  const runJobWithCallback = async (path: string) => {
    const res = await postMultipart<{ picsi: { id: string } }>(
      stack.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null, replyUrl: `${receiverUrl}${path}`, wait: true } },
      {
        'input.sourceImage': { bytes: png, filename: 'face.png', type: 'image/png' },
        'input.targetImage': { bytes: png, filename: 'target.png', type: 'image/png' },
      },
    );
    expect(res.body.errors).toBeUndefined();
    const id = res.body.data!.picsi.id;
    // The outcome is counted before the callback state is stored, so a settled state means it was counted.
    // (jobUpdated ends with the terminal state, before the callback settles: the state is read instead.)
    return vi.waitFor(
      async () => {
        const status = (await stack.services.jobs.get(id))?.callback?.status;
        if (!status || status === 'PENDING') throw new Error(`job ${id}: callback still ${status ?? 'absent'}`);
        return status;
      },
      { timeout: 20_000, interval: 20 },
    );
  };

  it('delivered and rejected attempts', async () => {
    expect(await runJobWithCallback('/ok')).toBe('DELIVERED');
    expect(await runJobWithCallback('/ok')).toBe('DELIVERED');
    expect(await runJobWithCallback('/bad')).toBe('FAILED');
    const { samples } = parseExposition(await (await scrape(stack)).text());
    expect(valueOf(samples, 'picsi_callback_deliveries_total', { outcome: 'delivered' })).toBe(2);
    expect(valueOf(samples, 'picsi_callback_deliveries_total', { outcome: 'rejected' })).toBe(1);
    expect(valueOf(samples, 'picsi_callback_deliveries_total', { outcome: 'retry' })).toBe(0);
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
