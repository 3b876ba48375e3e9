/**
 * Every error case of the hosted API and of our own list, end to end over real HTTP: each asserts
 * its extensions.code and its message.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart, type GraphQLResponse } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const USER = 'user-token-errors-1';
const OTHER = 'user-token-errors-2';
const ADMIN = 'admin-token-errors';

let stack: Stack;
let png: Buffer;
beforeAll(async () => {
  stack = await startStack({
    env: { API_TOKENS: `${USER},${OTHER}`, ADMIN_TOKENS: ADMIN, LOCK_ATTEMPTS: '2', QUEUE_MAX_PER_TOKEN: '2', JOB_TIMEOUT_MS: '5000' },
    channels: 1,
  });
  png = await makePng(24, 24);
});
afterAll(() => stack.stop());

type PicsiData = { picsi: { id: string; status: string; code: string | null; error: string | null; errorDetails: string | null } };

const image = (bytes: Buffer, filename = 'x.png', type = 'image/png') => ({ bytes, filename, type });
function picsi(input: Record<string, unknown> = {}, files?: Record<string, ReturnType<typeof image>>, token: string | null = USER) {
  return postMultipart<PicsiData>(
    stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, ...input } },
    files ?? { 'input.sourceImage': image(png), 'input.targetImage': image(png) },
    token ? { token } : {},
  );
}
const firstError = (res: GraphQLResponse) => {
  const error = res.body.errors?.[0];
  return { code: error?.extensions?.['code'], message: error?.message, extensions: error?.extensions };
};

describe('picsi input errors (hosted API 400s)', () => {
  it('missing upload', async () => {
    const res = await picsi({}, { 'input.sourceImage': image(png) });
    expect(firstError(res)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'Required param source_image or target_image_gif_or_video is missing or empty',
    });
  });

  it('empty upload', async () => {
    const res = await picsi({}, { 'input.sourceImage': image(png), 'input.targetImage': image(Buffer.alloc(0)) });
    expect(firstError(res)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'Required param source_image or target_image_gif_or_video is missing or empty',
      extensions: { field: 'target_image_gif_or_video' },
    });
  });

  it('upload that is not a file (a string variable)', async () => {
    const res = await picsi({ targetImage: 'not-a-file' }, { 'input.sourceImage': image(png) });
    expect(firstError(res).code).toBe('BAD_USER_INPUT');
    expect(firstError(res).message).toMatch(/Upload|not File or Blob/);
  });

  it('a file that is not an image, and a video', async () => {
    const text = await picsi(
      {},
      { 'input.sourceImage': image(png), 'input.targetImage': image(Buffer.from('hello, this is text'), 'x.txt', 'text/plain') },
    );
    expect(firstError(text)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(
        /must be a PNG, JPEG, GIF or WebP image \(video is not supported\); got plain text \(declared text\/plain\)/,
      ),
    });
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(64)]);
    const video = await picsi({}, { 'input.sourceImage': image(png), 'input.targetImage': image(mp4, 'clip.mp4', 'video/mp4') });
    expect(firstError(video)).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/video is not supported/) });
  });

  it('replyRef and replyUrl over 1024 characters', async () => {
    for (const input of [{ replyRef: 'r'.repeat(1025) }, { replyUrl: `https://example.com/${'a'.repeat(1010)}` }]) {
      expect(firstError(await picsi(input))).toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'Optional param replyUrl or replyRef is too long',
      });
    }
  });

  it('replyUrl that is not an http(s) URL', async () => {
    expect(firstError(await picsi({ replyUrl: 'ftp://example.com/x' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'replyUrl must be an absolute http(s) URL',
    });
  });

  it('invalid options', async () => {
    expect(firstError(await picsi({ options: '-o 5000' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'Invalid options: option "-o" value must be an integer from 1 to 1000 (got 5000)',
    });
  });

  it('unknown channel', async () => {
    expect(firstError(await picsi({ channel: '999999999999' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/^Configuration not found for channel 999999999999/),
    });
  });
});

describe('auth (hosted API 401)', () => {
  it('no token and a wrong token get 401 UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'nope']) {
      const res = await postJson(stack.url, '{ jobs(first: 1) { edges { cursor } } }', {}, token);
      expect(res.status).toBe(401);
      expect(firstError(res).code).toBe('UNAUTHENTICATED');
    }
    const upload = await picsi({}, undefined, null);
    expect(upload.status).toBe(401);
    expect(firstError(upload).code).toBe('UNAUTHENTICATED');
  });

  it("another token's job is NOT_FOUND, not FORBIDDEN", async () => {
    const created = await picsi({ wait: true });
    const id = created.body.data!.picsi.id;
    const res = await postJson(stack.url, 'query ($id: ID!) { job(id: $id) { id } }', { id }, OTHER);
    expect(firstError(res)).toMatchObject({ code: 'NOT_FOUND', message: `Job ${id} not found` });
    const cancel = await postJson(stack.url, 'mutation ($id: ID!) { cancelJob(id: $id) { id } }', { id }, OTHER);
    expect(firstError(cancel).code).toBe('NOT_FOUND');
  });

  it('account management needs an admin token; tokens are write-only', async () => {
    const asUser = await postJson(stack.url, '{ accounts { channel } }', {}, USER);
    expect(firstError(asUser)).toMatchObject({ code: 'FORBIDDEN' });
    const asAdmin = await postJson<{ accounts: { channel: string; discord: string }[] }>(
      stack.url,
      '{ accounts { channel discord } }',
      {},
      ADMIN,
    );
    const token = stack.accounts[0]!.token;
    expect(asAdmin.body.data?.accounts).toEqual([
      { channel: stack.accounts[0]!.channelId, discord: `${token.slice(0, 3)}…${token.slice(-3)}` },
    ]);
    expect(JSON.stringify(asAdmin.body)).not.toContain(token);
  });
});

describe('busy, queue and payment (hosted API 429 / 402)', () => {
  it('fail-fast mode: CHANNEL_BUSY "Unable to lock Discord after N attempts" with retryAfter', async () => {
    const channel = stack.accounts[0]!.channelId;
    stack.simulator.script(channel, { kind: 'silence', holdMs: 0 });
    const holder = await picsi({});
    expect(holder.body.data?.picsi.status).toMatch(/QUEUED|STARTED/);
    const res = await picsi({ mode: 'FAIL_FAST' });
    expect(firstError(res)).toMatchObject({ code: 'CHANNEL_BUSY', message: 'Unable to lock Discord after 2 attempts' });
    expect(firstError(res).extensions?.['retryAfter']).toBeGreaterThan(0);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await postJson(stack.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id: holder.body.data!.picsi.id }, USER);
  });

  it('queue cap per token: CHANNEL_BUSY with retryAfter beyond it', async () => {
    const channel = stack.accounts[0]!.channelId;
    stack.simulator.script(channel, { kind: 'silence', holdMs: 0 });
    const ids: string[] = [];
    // One job holds the channel (the bot stays silent), two more fill this token's queue (cap 2).
    for (let i = 0; i < 3; i++) ids.push((await picsi({})).body.data!.picsi.id);
    const res = await picsi({});
    expect(firstError(res).code).toBe('CHANNEL_BUSY');
    expect(firstError(res).extensions?.['retryAfter']).toBeGreaterThan(0);
    for (const id of ids) await postJson(stack.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id }, USER);
  });
});

describe('job failures carry a code (never a lost job)', () => {
  it('bot error reply → FAILED BOT_ERROR with the bot text', async () => {
    stack.simulator.script(stack.accounts[0]!.channelId, { kind: 'botError', error: 'NO_FACE' });
    const res = await picsi({ wait: true });
    expect(res.body.data?.picsi).toMatchObject({ status: 'FAILED', code: 'BOT_ERROR' });
    expect(JSON.parse(res.body.data!.picsi.errorDetails!)).toMatchObject({ reason: 'NO_FACE' });
  });

  it('Discord 429 on /interactions → FAILED DISCORD_RATE_LIMITED with retry_after', async () => {
    stack.simulator.script(stack.accounts[0]!.channelId, { kind: 'rateLimit', retryAfterSeconds: 1.5 });
    const res = await picsi({ wait: true });
    expect(res.body.data?.picsi).toMatchObject({ status: 'FAILED', code: 'DISCORD_RATE_LIMITED' });
    expect(res.body.data!.picsi.errorDetails).toContain('retry_after');
  });
});

describe('uploads and authentication', () => {
  it('refuses an upload without a valid token from its headers alone (401 once the client pauses)', async () => {
    const url = new URL(stack.url);
    const boundary = 'picsi-boundary';
    const response = await new Promise<{ status: number; body: string; authenticate: string | undefined }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': String(50 * 1024 * 1024),
            'x-graphql-yoga-csrf': '1',
            authorization: 'Bearer not-a-token',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, authenticate: res.headers['www-authenticate'] }));
        },
      );
      req.on('error', reject);
      req.flushHeaders(); // headers only: not even the operations field is sent
    });
    expect(response.status).toBe(401);
    expect(response.authenticate).toBe('Bearer');
    expect(JSON.parse(response.body)).toEqual({
      errors: [{ message: 'Unauthorized: unknown API token', extensions: { code: 'UNAUTHENTICATED', reason: 'unknown token' } }],
    });
  });
});
