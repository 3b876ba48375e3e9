/**
 * The REST bad-input corpus, from the edges: malformed multipart, bodies that are not what they
 * say, files and fields over the limits, an upload cut off mid-file. Each gets its precise status,
 * errorCode and text in the hosted API's JSON form (never a stack trace or an HTML page); afterwards
 * no input blob is left, no job was created, and a real picsi still completes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { filesUnder, inputBlobsUnder } from '../helpers/files.js';
import { makePng, makePngOfSize } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { form, RestClient, type HostedJob } from './helpers.js';

const TOKEN = 'rest-bad-input-token';
const MAX_FILE = 20_000;
const MAX_FIELD = 8192;

let stack: Stack;
let api: RestClient;
let png: Buffer;
let blobRoot: string;
let port: number;

beforeAll(async () => {
  blobRoot = mkdtempSync(join(tmpdir(), 'picsi-rest-bad-input-blobs-'));
  stack = await startStack({
    env: {
      API_TOKENS: TOKEN,
      UPLOAD_MAX_FILE_BYTES: String(MAX_FILE),
      UPLOAD_MAX_FIELD_BYTES: String(MAX_FIELD),
      STORAGE_URL: pathToFileURL(blobRoot).href,
    },
  });
  api = new RestClient(new URL(stack.url).origin, TOKEN);
  port = Number(new URL(stack.url).port);
  png = await makePng(24, 24);
});
afterAll(async () => {
  await stack?.stop();
  rmSync(blobRoot, { recursive: true, force: true });
});

const BOUNDARY = 'rest-bad-input-boundary';
const part = (name: string, value: string | Buffer, filename?: string) =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n${filename ? 'content-type: image/png\r\n' : ''}\r\n`,
    ),
    Buffer.isBuffer(value) ? value : Buffer.from(value),
    Buffer.from('\r\n'),
  ]);
const end = Buffer.from(`--${BOUNDARY}--\r\n`);

interface Case {
  name: string;
  path?: string;
  contentType: string;
  body: () => Promise<Buffer | string>;
  expect: { status: number; errorCode: string; error: string | RegExp };
}

const CASES: Case[] = [
  {
    name: 'multipart without a boundary',
    contentType: 'multipart/form-data',
    body: async () => 'whatever',
    expect: { status: 400, errorCode: 'BAD_USER_INPUT', error: 'Malformed multipart request: Multipart: Boundary not found' },
  },
  {
    name: 'multipart cut off inside a part',
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: async () => Buffer.concat([part('options', '-m'), part('source_image', png, 'a.png').subarray(0, 60)]),
    expect: { status: 400, errorCode: 'BAD_USER_INPUT', error: 'Malformed multipart request: Unexpected end of form' },
  },
  {
    name: 'an empty file',
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: async () => Buffer.concat([part('source_image', Buffer.alloc(0), 'a.png'), part('target_image_gif_or_video', png, 'b.png'), end]),
    expect: {
      status: 400,
      errorCode: 'BAD_USER_INPUT',
      error: 'Required param source_image or target_image_gif_or_video is missing or empty',
    },
  },
  {
    name: 'a file over UPLOAD_MAX_FILE_BYTES',
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: async () =>
      Buffer.concat([
        part('source_image', png, 'a.png'),
        part('target_image_gif_or_video', await makePngOfSize(MAX_FILE * 2), 'b.png'),
        end,
      ]),
    expect: {
      status: 400,
      errorCode: 'BAD_USER_INPUT',
      error: `Param target_image_gif_or_video exceeds the upload size limit of ${MAX_FILE} bytes`,
    },
  },
  {
    name: 'a text field over UPLOAD_MAX_FIELD_BYTES',
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: async () => Buffer.concat([part('options', 'x'.repeat(MAX_FIELD + 1)), part('source_image', png, 'a.png'), end]),
    expect: {
      status: 413,
      errorCode: 'REQUEST_ENTITY_TOO_LARGE',
      error: `Param options is over UPLOAD_MAX_FIELD_BYTES (${MAX_FIELD} bytes)`,
    },
  },
  {
    name: 'JSON that does not parse',
    path: '/v1/faceswap/setid',
    contentType: 'application/json',
    body: async () => '{"idname": ',
    expect: { status: 400, errorCode: 'BAD_USER_INPUT', error: 'The request body is not valid JSON' },
  },
  {
    name: 'JSON that is not an object',
    path: '/v1/faceswap/setid',
    contentType: 'application/json',
    body: async () => '["alice"]',
    expect: { status: 400, errorCode: 'BAD_USER_INPUT', error: 'The JSON body must be an object' },
  },
  {
    name: 'a JSON field that is not text',
    path: '/v1/faceswap/setid',
    contentType: 'application/json',
    body: async () => '{"idname": {"name": "alice"}}',
    expect: { status: 400, errorCode: 'BAD_USER_INPUT', error: 'Param idname must be text' },
  },
  {
    name: 'a JSON body over UPLOAD_MAX_FIELD_BYTES',
    path: '/v1/faceswap/setid',
    contentType: 'application/json',
    body: async () => JSON.stringify({ idname: 'a'.repeat(MAX_FIELD) }),
    expect: {
      status: 413,
      errorCode: 'REQUEST_ENTITY_TOO_LARGE',
      error: `The request body is over UPLOAD_MAX_FIELD_BYTES (${MAX_FIELD} bytes)`,
    },
  },
  {
    name: 'a content type the API does not read',
    contentType: 'text/plain',
    body: async () => 'source_image=face.png',
    expect: {
      status: 400,
      errorCode: 'BAD_USER_INPUT',
      error: 'Unsupported content type text/plain: send multipart/form-data, application/json or application/x-www-form-urlencoded',
    },
  },
  {
    name: 'an unknown option',
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: async () =>
      Buffer.concat([part('options', '-z'), part('source_image', png, 'a.png'), part('target_image_gif_or_video', png, 'b.png'), end]),
    expect: { status: 400, errorCode: 'BAD_USER_INPUT', error: /^Invalid options: unknown option "-z"; known options: / },
  },
  {
    name: 'an invalid mode',
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: async () =>
      Buffer.concat([part('mode', 'SOMETIMES'), part('source_image', png, 'a.png'), part('target_image_gif_or_video', png, 'b.png'), end]),
    expect: { status: 400, errorCode: 'BAD_USER_INPUT', error: 'Param mode must be QUEUE or FAIL_FAST' },
  },
];

const bodyOf = async (c: Case): Promise<string | Blob> => {
  const body = await c.body();
  return typeof body === 'string' ? body : new Blob([new Uint8Array(body)]);
};

it.each(CASES)('$name → $expect.status $expect.errorCode', async (c) => {
  const res = await fetch(new URL(c.path ?? '/v1/faceswap/picsi', api.origin), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': c.contentType },
    body: await bodyOf(c),
  });
  const text = await res.text();
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(text).not.toMatch(/\.ts:\d+|at .+\(|<html/i);
  const body = JSON.parse(text) as { error: string; code: number; errorCode: string };
  expect({ status: res.status, code: body.code, errorCode: body.errorCode }).toEqual({
    status: c.expect.status,
    code: c.expect.status,
    errorCode: c.expect.errorCode,
  });
  if (typeof c.expect.error === 'string') expect(body.error).toBe(c.expect.error);
  else expect(body.error).toMatch(c.expect.error);
});

it('an upload cut off mid-file by the client leaves nothing behind', async () => {
  const big = await makePngOfSize(MAX_FILE - 2000);
  const body = Buffer.concat([part('source_image', png, 'a.png'), part('target_image_gif_or_video', big, 'b.png'), end]);
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST /v1/faceswap/picsi HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TOKEN}\r\n` +
      `content-type: multipart/form-data; boundary=${BOUNDARY}\r\ncontent-length: ${body.length}\r\n\r\n`,
  );
  socket.write(body.subarray(0, body.length - 5000));
  // The first image is stored and the second is being written when the client goes away.
  await expect.poll(() => filesUnder(blobRoot).length, { timeout: 5000 }).toBeGreaterThan(0);
  socket.destroy();
  await expect.poll(() => filesUnder(blobRoot), { timeout: 5000 }).toEqual([]);
});

it('after the corpus: no blob, no job, and a real picsi completes', async () => {
  expect(inputBlobsUnder(blobRoot)).toEqual([]);
  expect((await api.get<HostedJob[]>('/v1/faceswap/jobs/')).body).toEqual([]);
  const res = await api.post('/v1/faceswap/picsi', form({}, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } }));
  expect({ status: res.status, job: res.body.status }).toEqual({ status: 200, job: 'completed' });
});
