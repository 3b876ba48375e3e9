/**
 * Every REST endpoint against the real server and the simulated bot: the identity commands, the
 * blocking wait bound, cancel, the job listing, ownership, the account endpoints (admin, 204, masked
 * token, credits), the router's own answers, and the jobs' metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { parseExposition, valueOf } from '../metrics/exposition.js';
import { expectModel, form, RestClient, type HostedJob } from './helpers.js';

const USER = 'rest-endpoints-user';
const OTHER = 'rest-endpoints-other';
const ADMIN = 'rest-endpoints-admin';
const WAIT_TIMEOUT_MS = 1500;

let stack: Stack;
let user: RestClient;
let other: RestClient;
let admin: RestClient;
let face: Buffer;
let scene: Buffer;
let channel: string;
let second: string;

beforeAll(async () => {
  stack = await startStack({
    channels: 2,
    env: { API_TOKENS: `${USER},${OTHER}`, ADMIN_TOKENS: ADMIN, CREDITS_PER_DAY: '1000', WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS) },
  });
  const origin = new URL(stack.url).origin;
  user = new RestClient(origin, USER);
  other = new RestClient(origin, OTHER);
  admin = new RestClient(origin, ADMIN);
  [face, scene] = await Promise.all([makeImage(64, 64, 'png', '#c08060'), makeImage(96, 64, 'jpeg', '#336699')]);
  [channel, second] = stack.accounts.map((a) => a.channelId) as [string, string];
});
afterAll(() => stack?.stop());

const completed = (res: { status: number; body: HostedJob }) => {
  expect({ status: res.status, job: res.body.status, code: res.body.code, error: res.body.error }).toEqual({
    status: 200,
    job: 'completed',
    code: 200,
    error: null,
  });
  expectModel(res.body);
  return res.body;
};

describe('the identity commands', () => {
  it('saveid → swapid → listid → setid → delid → delall, each the hosted verb and Model', async () => {
    const saved = completed(await user.post('/v1/faceswap/saveid', form({ idname: 'alice', channel }, { image: { bytes: face } })));
    expect(saved).toMatchObject({ verb: 'faceswap-saveid', idname: 'alice', channel, target_image_gif_or_video: null });
    expect(saved.source_image).toEqual({ size: face.length, type: 'image/png' });

    const swapped = completed(await user.post('/v1/faceswap/swapid', form({ idname: 'alice', channel }, { image: { bytes: scene } })));
    expect(swapped).toMatchObject({ verb: 'faceswap-swapid', source_image: null, target_image_gif_or_video: { type: 'image/jpeg' } });
    expect(swapped.attachments).toEqual([expect.objectContaining({ width: 96, height: 64, download: expect.any(Object) })]);

    completed(await user.post('/v1/faceswap/saveid', form({ idname: 'Bob2', channel }, { image: { bytes: face } })));
    const listed = completed(await user.post('/v1/faceswap/listid', { channel }));
    expect(listed).toMatchObject({ verb: 'faceswap-listid', identities: ['alice', 'Bob2'] });

    // JSON and form-encoded bodies, and a DELETE's fields in the query string, are read alike.
    const set = completed(await user.post('/v1/faceswap/setid', { idname: 'alice , _ , alice+Bob2 --greedy', channel }));
    expect(set).toMatchObject({ verb: 'faceswap-setid', idname: 'alice,_,alice+Bob2 --greedy' });
    completed(await user.delete(`/v1/faceswap/delid?channel=${channel}&idname=alice`));
    expect(completed(await user.post('/v1/faceswap/listid', form({ channel }))).identities).toEqual(['Bob2']);
    expect(completed(await user.delete('/v1/faceswap/delall', { channel })).verb).toBe('faceswap-delall');
    expect(stack.simulator.identities(channel).names).toEqual([]);
  });

  it('without channel while two accounts are configured: 400 CHANNEL_REQUIRED', async () => {
    const res = await user.post<{ error: string; code: number; errorCode: string }>('/v1/faceswap/listid', {});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400, errorCode: 'CHANNEL_REQUIRED', error: expect.stringMatching(/^\/listid needs a channel/) });
  });

  it('a bad idname is refused before a job exists', async () => {
    const res = await user.post<{ error: string; code: number }>(
      '/v1/faceswap/saveid',
      form({ idname: 'bad name!', channel }, { image: { bytes: face } }),
    );
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 400,
      body: { code: 400, error: 'idname "bad name!" may contain only letters and digits (A-Z, a-z, 0-9)' },
    });
  });
});

describe('picsi past the wait bound, cancel, the listing', () => {
  const picsiForm = (fields: Record<string, string> = {}) =>
    form({ channel, ...fields }, { source_image: { bytes: face }, target_image_gif_or_video: { bytes: scene } });

  it('a job still running at WAIT_TIMEOUT_MS is answered as started; polling jobs/?jobid= follows it to completed', async () => {
    stack.simulator.script(channel, { kind: 'success', delayMs: WAIT_TIMEOUT_MS + 1000 });
    const started = await user.post('/v1/faceswap/picsi', picsiForm({ replyRef: 'order-1' }));
    expect(started.status).toBe(200);
    expectModel(started.body);
    expect(started.body).toMatchObject({ status: 'started', code: null, replyRef: 'order-1' });
    await expect
      .poll(async () => (await user.get(`/v1/faceswap/jobs/?jobid=${started.body.jobid}`)).body.status, { timeout: 10_000 })
      .toBe('completed');
  });

  it('cancel: a queued job leaves the queue; its blocking call answers it cancelled (409)', async () => {
    stack.simulator.script(channel, { kind: 'success', delayMs: 1000 });
    const running = user.post('/v1/faceswap/picsi', picsiForm());
    await expect.poll(() => stack.simulator.stats(channel).inFlight).toBe(1);
    const queued = user.post('/v1/faceswap/picsi', picsiForm({ replyRef: 'to-cancel' }));
    let waiting: HostedJob | undefined;
    await expect
      .poll(async () => {
        waiting = (await user.get<HostedJob[]>('/v1/faceswap/jobs/?status=created')).body.find((j) => j.replyRef === 'to-cancel');
        return waiting?.queuePosition;
      })
      .toBe(1);
    expect(waiting?.status).toBe('created');

    expect((await other.get(`/v1/faceswap/jobs/cancel/?jobid=${waiting!.jobid}`)).status).toBe(404);
    const cancelled = await user.get(`/v1/faceswap/jobs/cancel/?jobid=${waiting!.jobid}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ jobid: waiting!.jobid, status: 'cancelled', code: 409, errorCode: 'CANCELLED' });
    const answered = await queued;
    expect({ status: answered.status, job: answered.body.status }).toEqual({ status: 409, job: 'cancelled' });
    expect((await running).status).toBe(200);
  });

  it('the listing: your jobs only, newest first, paged through Link rel="next"; another token’s job is unknown', async () => {
    const mine = (await user.get<HostedJob[]>('/v1/faceswap/jobs/?limit=100')).body;
    expect(mine.length).toBeGreaterThanOrEqual(5);
    for (const job of mine) expectModel(job);
    expect(mine.map((j) => j.created)).toEqual([...mine.map((j) => j.created)].sort().reverse());
    expect((await other.get<HostedJob[]>('/v1/faceswap/jobs/')).body).toEqual([]);
    expect((await other.get(`/v1/faceswap/jobs/?jobid=${mine[0]!.jobid}`)).status).toBe(404);
    expect((await admin.get(`/v1/faceswap/jobs/?jobid=${mine[0]!.jobid}`)).body.jobid).toBe(mine[0]!.jobid);

    const first = await user.get<HostedJob[]>('/v1/faceswap/jobs/?limit=2');
    expect(first.body.map((j) => j.jobid)).toEqual(mine.slice(0, 2).map((j) => j.jobid));
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const page2 = await user.get<HostedJob[]>(next!);
    expect(page2.body.map((j) => j.jobid)).toEqual(mine.slice(2, 4).map((j) => j.jobid));

    const cancelled = (await user.get<HostedJob[]>('/v1/faceswap/jobs/?status=cancelled')).body;
    expect(cancelled.map((j) => j.status)).toEqual(['cancelled']);
  });

  it('GET jobs/?jobid= with an empty jobid: 400', async () => {
    const res = await user.get<{ error: string }>('/v1/faceswap/jobs/?jobid=');
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'Required param jobid is missing or empty' });
  });
});

describe('the account endpoints (admin tokens)', () => {
  it('a user token is refused (403)', async () => {
    for (const [method, path] of [
      ['GET', '/v1/faceswap/account'],
      ['GET', `/v1/faceswap/account/${channel}`],
      ['POST', `/v1/faceswap/account/${channel}`],
      ['DELETE', `/v1/faceswap/account/${channel}`],
    ] as const) {
      const res = await user.call<{ code: number; errorCode: string }>(method, path);
      expect({ method, status: res.status, body: res.body }).toMatchObject({
        method,
        status: 403,
        body: { code: 403, errorCode: 'FORBIDDEN' },
      });
    }
  });

  it('GET account: every account by channel, token masked, with its credits', async () => {
    const res = await admin.get<Record<string, Record<string, unknown>>>('/v1/faceswap/account');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([channel, second].sort());
    const token = stack.accounts[0]!.token;
    expect(res.body[channel]).toMatchObject({
      discord: `${token.slice(0, 3)}…${token.slice(-3)}`,
      server: stack.accounts[0]!.guildId,
      channel,
      credits: { timestamp: expect.any(String), total: 1000, used: expect.any(Number) },
    });
    expect((res.body[channel]!['credits'] as { used: number }).used).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toContain(token);
  });

  it('POST account/<channel> answers 204; GET reads it back masked; DELETE answers 204; then it is unknown', async () => {
    const added = stack.simulator.createAccount();
    const path = `/v1/faceswap/account/${added.channelId}`;
    const stored = await admin.post<undefined>(path, { discord: added.token, server: added.guildId, channel: added.channelId });
    expect({ status: stored.status, body: stored.body }).toEqual({ status: 204, body: undefined });
    const read = await admin.get<Record<string, unknown>>(path);
    expect(read.body).toMatchObject({
      discord: `${added.token.slice(0, 3)}…${added.token.slice(-3)}`,
      server: added.guildId,
      channel: added.channelId,
      credits: { total: 1000, used: 0 },
    });
    const picsi = await user.post(
      '/v1/faceswap/picsi',
      form({ channel: added.channelId }, { source_image: { bytes: face }, target_image_gif_or_video: { bytes: scene } }),
    );
    expect(picsi.body).toMatchObject({ status: 'completed', channel: added.channelId });

    expect((await admin.delete<undefined>(path)).status).toBe(204);
    const gone = await admin.get<{ error: string; code: number }>(path);
    expect({ status: gone.status, body: gone.body }).toMatchObject({
      status: 404,
      body: {
        code: 404,
        error: `Configuration not found for channel ${added.channelId}, to create POST v1/faceswap/account/${added.channelId}`,
      },
    });
  });

  it('POST account/<channel> takes our proxy and pacing fields, checked by the same rules as upsertAccount; GET shows them, the proxy password masked', async () => {
    const added = stack.simulator.createAccount();
    const path = `/v1/faceswap/account/${added.channelId}`;
    const base = { discord: added.token, server: added.guildId };
    const badGap = await admin.post<{ error: string }>(path, { ...base, minGapMs: 'soon' });
    expect({ status: badGap.status, error: badGap.body.error }).toEqual({ status: 400, error: 'Param minGapMs must be a whole number' });
    const badHours = await admin.post<{ error: string }>(path, { ...base, activeHours: '25:00-26:00' });
    expect(badHours.status).toBe(400);
    expect(badHours.body.error).toMatch(/^activeHours /);
    expect((await admin.get(path)).status).toBe(404);

    const stored = await admin.post<undefined>(path, {
      ...base,
      proxy: 'http://user:secret-pw@127.0.0.1:9',
      minGapMs: '1500',
      jitterMs: '0',
      activeHours: '08:00-23:30',
      timezone: 'Europe/Paris',
    });
    expect(stored.status).toBe(204);
    const read = await admin.get<Record<string, unknown>>(path);
    expect(read.body).toMatchObject({
      managed: 'API',
      health: { state: 'ACTIVE' },
      pacing: { minGapMs: 1500, jitterMs: 0, activeHours: '08:00-23:30', timezone: 'Europe/Paris' },
    });
    expect(read.body['proxy']).toMatch(/^http:\/\/user:\*+@127\.0\.0\.1:9\/?$/);
    expect(JSON.stringify(read.body)).not.toContain('secret-pw');
    expect((await admin.delete<undefined>(path)).status).toBe(204);
  });

  it('POST account/<channel> refusals: the hosted API’s texts', async () => {
    const missing = await admin.post<{ error: string }>(`/v1/faceswap/account/${channel}`, { server: '123456789' });
    expect({ status: missing.status, error: missing.body.error }).toEqual({
      status: 400,
      error: 'Required param discord is missing or empty',
    });
    const invalid = await admin.post<{ error: string }>('/v1/faceswap/account/not-a-channel', {
      discord: 'a-user-token-1234',
      server: '123456789',
    });
    expect({ status: invalid.status, error: invalid.body.error }).toEqual({
      status: 400,
      error: 'Required param channel (not-a-channel) is not valid Discord channel id',
    });
  });
});

describe('the router’s own answers', () => {
  it('an unknown path under /v1 is a JSON 404; a known one with another method a JSON 405 with Allow', async () => {
    for (const path of ['/v1', '/v1/', '/v1/faceswap/nothing', '/v1/faceswap/jobs/extra/more']) {
      const res = await fetch(new URL(path, user.origin));
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ code: 404, error: expect.stringMatching(/^Not found: GET \/v1/) });
    }
    const wrong = await user.call<{ code: number }>('PUT', '/v1/faceswap/picsi');
    expect({ status: wrong.status, code: wrong.body.code, allow: wrong.headers.get('allow') }).toEqual({
      status: 405,
      code: 405,
      allow: 'POST',
    });
  });

  it('answers a browser’s CORS preflight with the shared CORS headers', async () => {
    const res = await fetch(new URL('/v1/faceswap/picsi', user.origin), {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});

describe('metrics come from the same job service', () => {
  it('REST jobs count in picsi_jobs_accepted_total', async () => {
    const scrape = async () =>
      valueOf(
        parseExposition(await (await fetch(new URL('/metrics', user.origin), { headers: { authorization: `Bearer ${ADMIN}` } })).text())
          .samples,
        'picsi_jobs_accepted_total',
      ) ?? 0;
    const before = await scrape();
    const res = await user.post(
      '/v1/faceswap/picsi',
      form({ channel: second }, { source_image: { bytes: await makePng(24, 24) }, target_image_gif_or_video: { bytes: scene } }),
    );
    expect(res.body.status).toBe('completed');
    expect(await scrape()).toBe(before + 1);
  });
});
