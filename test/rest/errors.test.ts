/**
 * Every error the hosted API documents, over REST: status, `error` text and `code` exactly (with
 * Retry-After for both forms of 429); then our own refusals in the same JSON form. A refused upload
 * leaves no input blob and creates no job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputBlobsUnder } from '../helpers/files.js';
import { makeGif, makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { expectModel, form, RestClient, type HostedJob } from './helpers.js';

const TOKEN = 'rest-errors-token';
const MAX_PIXELS = 1_000_000;

let stack: Stack;
let api: RestClient;
let png: Buffer;
let blobRoot: string;
let channel: string;

beforeAll(async () => {
  blobRoot = mkdtempSync(join(tmpdir(), 'picsi-rest-errors-blobs-'));
  stack = await startStack({
    env: {
      API_TOKENS: TOKEN,
      CREDITS_PER_DAY: '1000',
      UPLOAD_MAX_PIXELS: String(MAX_PIXELS),
      STORAGE_URL: pathToFileURL(blobRoot).href,
    },
  });
  api = new RestClient(new URL(stack.url).origin, TOKEN);
  png = await makePng(32, 32);
  channel = stack.accounts[0]!.channelId;
});
afterAll(async () => {
  await stack?.stop();
  rmSync(blobRoot, { recursive: true, force: true });
});

interface ErrorBody {
  error: string;
  code: number;
  errorCode?: string;
  detail?: string;
  field?: string;
}

const picsi = (fields: Record<string, string>, files: Parameters<typeof form>[1]) =>
  api.post<ErrorBody>('/v1/faceswap/picsi', form(fields, files));

const jobCount = async () => (await api.get<HostedJob[]>('/v1/faceswap/jobs/?limit=100')).body.length;

describe('the hosted API’s documented errors', () => {
  it('400 Required param source_image or target_image_gif_or_video is missing or empty', async () => {
    const res = await picsi({}, { source_image: { bytes: png } });
    expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({
      status: 400,
      error: 'Required param source_image or target_image_gif_or_video is missing or empty',
      code: 400,
    });
    expect(res.body.field).toBe('target_image_gif_or_video');
  });

  it('400 Param source_image or target_image_gif_or_video is not File or Blob', async () => {
    const res = await picsi({ source_image: 'not a file' }, { target_image_gif_or_video: { bytes: png } });
    expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({
      status: 400,
      error: 'Param source_image or target_image_gif_or_video is not File or Blob',
      code: 400,
    });
  });

  it('400 Optional param replyUrl or replyRef is too long', async () => {
    const tooLong: Record<string, string>[] = [{ replyRef: 'r'.repeat(1025) }, { replyUrl: `https://example.com/${'u'.repeat(1024)}` }];
    for (const fields of tooLong) {
      const res = await picsi(fields, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } });
      expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({
        status: 400,
        error: 'Optional param replyUrl or replyRef is too long',
        code: 400,
      });
    }
  });

  it('400 Configuration not found for channel <channel>, to create POST v1/faceswap/account/<channel>', async () => {
    const res = await picsi({ channel: '123456789012345678' }, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } });
    expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({
      status: 400,
      error: 'Configuration not found for channel 123456789012345678, to create POST v1/faceswap/account/123456789012345678',
      code: 400,
    });
  });

  it('401 Unauthorized, without a token and with an unknown one', async () => {
    for (const client of [api.withToken(undefined), api.withToken('not-a-token')]) {
      const res = await client.post<ErrorBody>('/v1/faceswap/picsi', form({}, { source_image: { bytes: png } }));
      expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({ status: 401, error: 'Unauthorized', code: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('404 Unable to locate job <jobid>', async () => {
    const res = await api.get<ErrorBody>('/v1/faceswap/jobs/?jobid=nosuchjob');
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 404,
      body: { error: 'Unable to locate job nosuchjob', code: 404 },
    });
  });

  it('429 Unable to lock Discord after <attempts> attempts (mode FAIL_FAST, the channel busy), with Retry-After', async () => {
    stack.simulator.script(channel, { kind: 'success', delayMs: 1500 });
    const busy = picsi({}, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } });
    await expect.poll(() => stack.simulator.stats(channel).inFlight, { timeout: 5000 }).toBe(1);
    const res = await picsi({ mode: 'FAIL_FAST' }, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } });
    expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({
      status: 429,
      error: 'Unable to lock Discord after 3 attempts',
      code: 429,
    });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await busy).status).toBe(200);
  });

  it('429 Discord /interactions failed with HTTP status 429, with Discord’s body in errorDetails and Retry-After', async () => {
    stack.simulator.script(channel, { kind: 'rateLimit', retryAfterSeconds: 1.2 });
    const res = await api.post('/v1/faceswap/picsi', form({}, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } }));
    expect(res.status).toBe(429);
    expectModel(res.body);
    expect(res.body).toMatchObject({
      status: 'failed',
      error: 'Discord /interactions failed with HTTP status 429',
      code: 429,
      errorCode: 'DISCORD_RATE_LIMITED',
    });
    expect(JSON.parse(res.body.errorDetails!)).toMatchObject({ retry_after: 1.2 });
    expect(res.headers.get('retry-after')).toBe('2');
  });
});

describe('402 Account has no subscription or subscription expired', () => {
  let poor: Stack;
  beforeAll(async () => {
    poor = await startStack({ env: { API_TOKENS: TOKEN, CREDITS_PER_DAY: '2', PICSI_CREDIT_COST: '3' } });
  });
  afterAll(() => poor?.stop());

  it('no channel has the credits a /picsi costs', async () => {
    const client = new RestClient(new URL(poor.url).origin, TOKEN);
    const res = await client.post<ErrorBody>(
      '/v1/faceswap/picsi',
      form({}, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } }),
    );
    expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({
      status: 402,
      error: 'Account has no subscription or subscription expired',
      code: 402,
    });
    expect(res.body.detail).toMatch(/no credits left today/);
  });
});

describe('our own refusals, in the same JSON form, leave nothing behind', () => {
  const cases: { name: string; files: () => Promise<Parameters<typeof form>[1]>; fields?: Record<string, string>; error: RegExp }[] = [
    {
      name: 'text declared as a PNG',
      files: async () => ({
        source_image: { bytes: Buffer.from('just some text, not an image'), type: 'image/png', filename: 'face.png' },
        target_image_gif_or_video: { bytes: png },
      }),
      error:
        /^Param source_image must be a PNG, JPEG, GIF or WebP image \(video is not supported\); got plain text \(declared image\/png\)$/,
    },
    {
      name: 'more pixels than UPLOAD_MAX_PIXELS',
      files: async () => ({ source_image: { bytes: png }, target_image_gif_or_video: { bytes: await makePng(1200, 1000) } }),
      error: /^Param target_image_gif_or_video is 1200×1000 pixels \(1\.2 megapixels\); images of at most 1 megapixels are accepted$/,
    },
    {
      name: 'a GIF with more frames than the plan allows',
      files: async () => ({ source_image: { bytes: png }, target_image_gif_or_video: { bytes: await makeGif(16, 16, 21) } }),
      error: /^GIF target has 21 frames; the basic plan allows at most 20$/,
    },
    {
      name: 'invalid options',
      files: async () => ({ source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } }),
      fields: { options: '--nope' },
      error: /^Invalid options: unknown option "--nope"/,
    },
  ];

  it.each(cases)('$name → 400 with our text; no blob, no job', async ({ files, fields, error }) => {
    const before = await jobCount();
    const res = await picsi(fields ?? {}, await files());
    expect({ status: res.status, code: res.body.code, errorCode: res.body.errorCode }).toEqual({
      status: 400,
      code: 400,
      errorCode: 'BAD_USER_INPUT',
    });
    expect(res.body.error).toMatch(error);
    expect(await jobCount()).toBe(before);
    await expect.poll(() => inputBlobsUnder(blobRoot)).toEqual([]);
  });

  it('more files than UPLOAD_MAX_FILES → 413, nothing stored', async () => {
    const res = await picsi(
      {},
      { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png }, extra: { bytes: png, filename: 'extra.png' } },
    );
    expect({ status: res.status, code: res.body.code, errorCode: res.body.errorCode }).toEqual({
      status: 413,
      code: 413,
      errorCode: 'REQUEST_ENTITY_TOO_LARGE',
    });
    await expect.poll(() => inputBlobsUnder(blobRoot)).toEqual([]);
  });
});
