/**
 * The bad-input corpus: a table of malformed requests (multipart variants, JSON GraphQL, picsi
 * fields, auth, graphql-ws), each with its precise HTTP status (or websocket close code),
 * extensions.code and message. After each case the server must still answer; at the end no 5xx was
 * seen, no response leaked a stack trace, a real picsi completes, and no temp file, spooled image or
 * Redis channel lease is left. BADINPUT_DEBUG=1 prints every raw response.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { executorKeys } from '../../src/executor/keys.js';
import { MAX_OPERATIONS_PER_SOCKET } from '../../src/http/websocket.js';
import { makePng, makePngOfSize } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { filesUnder, inputBlobsUnder } from '../helpers/files.js';

const USER = 'badinput-user-token-1';
const OTHER = 'badinput-user-token-2';
const ADMIN = 'badinput-admin-token';
const MAX_FILE = 20_000;
const MAX_FIELD = 8192;
const MAX_FILES = 2;
const MAX_PIXELS = 4_000_000;
const REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `picsi-badinput-${process.pid}-${Date.now()}:`;
const SPEC = 'https://github.com/jaydenseric/graphql-multipart-request-spec';

// graphql-upload-ts spools into os.tmpdir(): this file gets its own, so leftovers are countable.
const requestTmp = mkdtempSync(join(tmpdir(), 'picsi-badinput-tmp-'));
const uploadDir = mkdtempSync(join(tmpdir(), 'picsi-badinput-spool-'));
const blobRoot = mkdtempSync(join(tmpdir(), 'picsi-badinput-blobs-'));
process.env['TMPDIR'] = requestTmp;
/** Files only (request files keep one folder per process under UPLOAD_DIR), and job inputs in the blob store. */
const leftovers = () => [...filesUnder(requestTmp), ...filesUnder(uploadDir), ...inputBlobsUnder(blobRoot)];

let stack: Stack;
let redis: Redis;
let png: Buffer;
let userJobId: string;
let port: number;

beforeAll(async () => {
  stack = await startStack({
    env: {
      API_TOKENS: `${USER},${OTHER}`,
      ADMIN_TOKENS: ADMIN,
      REDIS_URL,
      REDIS_PREFIX,
      UPLOAD_MAX_FILE_BYTES: String(MAX_FILE),
      UPLOAD_MAX_FIELD_BYTES: String(MAX_FIELD),
      UPLOAD_MAX_FILES: String(MAX_FILES),
      UPLOAD_MAX_PIXELS: String(MAX_PIXELS),
      UPLOAD_DIR: uploadDir,
      STORAGE_URL: pathToFileURL(blobRoot).href,
      JOB_TIMEOUT_MS: '10000',
    },
  });
  port = Number(new URL(stack.url).port);
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  png = await makePng(24, 24);
  const created = await picsiUpload({ wait: true });
  expect(created.body.errors).toBeUndefined();
  userJobId = (created.body.data as { picsi: { id: string } }).picsi.id;
});

afterAll(async () => {
  await stack?.stop();
  if (redis) {
    const keys = await redis.keys(`${REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

// ---------------------------------------------------------------------------------------------
// Outcomes and request builders

/** What one case observed: an HTTP status (null: no response) or a websocket close code. */
interface Outcome {
  status?: number | null;
  close?: number;
  code?: unknown;
  message?: string;
  field?: unknown;
  /** The raw response text, checked for leaked internals. */
  text?: string;
  /** For cases that must be accepted: the created job's status. */
  jobStatus?: string;
}

interface Expected {
  status?: number | null;
  close?: number;
  code?: string | null;
  message?: string | RegExp;
  field?: string;
  jobStatus?: RegExp;
}

interface Case {
  group: 'multipart' | 'json' | 'picsi' | 'auth' | 'websocket';
  name: string;
  run: () => Promise<Outcome>;
  expect: Expected;
}

const observed: { group: string; name: string; outcome: Outcome }[] = [];

function fromBody(status: number | null, text: string): Outcome {
  let body: {
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    data?: Record<string, { status?: string } | null> | null;
  } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: code/message stay undefined and the expectation fails precisely
  }
  const error = body.errors?.[0];
  const data = body.data ? Object.values(body.data)[0] : undefined;
  return {
    status,
    code: error?.extensions?.['code'] ?? null,
    ...(error ? { message: error.message } : {}),
    ...(error?.extensions?.['field'] !== undefined ? { field: error.extensions['field'] } : {}),
    ...(data?.status ? { jobStatus: data.status } : {}),
    text,
  };
}

async function send(init: {
  body?: Buffer | string;
  headers?: Record<string, string>;
  method?: string;
  token?: string | null;
  path?: string;
}): Promise<Outcome> {
  const token = init.token === undefined ? USER : init.token;
  const res = await fetch(init.path ? new URL(init.path, stack.url) : stack.url, {
    method: init.method ?? 'POST',
    headers: {
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : new Uint8Array(init.body) } : {}),
  });
  return fromBody(res.status, await res.text());
}

const json = (body: unknown, token?: string | null, headers: Record<string, string> = {}) =>
  send({
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    token,
  });

const gql = (query: string, variables: Record<string, unknown> = {}, token?: string | null) => json({ query, variables }, token);

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
  /** Replaces the part's headers entirely. */
  rawHeaders?: string;
}

const BOUNDARY = '----picsi-badinput-boundary';

function multipartBody(parts: Part[], options: { boundary?: string; close?: boolean } = {}): Buffer {
  const boundary = options.boundary ?? BOUNDARY;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const headers =
      part.rawHeaders ??
      (part.filename !== undefined
        ? `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n`
        : `Content-Disposition: form-data; name="${part.name}"\r\n`);
    chunks.push(Buffer.from(`--${boundary}\r\n${headers}\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const pngPart = (name: string, bytes: Buffer = png, filename = 'face.png', type = 'image/png'): Part => ({
  name,
  value: bytes,
  filename,
  type,
});

const picsiOperations = (input: Record<string, unknown> = {}) =>
  JSON.stringify({ query: PICSI_MUTATION, variables: { input: { sourceImage: null, targetImage: null, ...input } } });

const standardMap = JSON.stringify({ 0: ['variables.input.sourceImage'], 1: ['variables.input.targetImage'] });

/** A hand-built multipart request: by default a complete, valid picsi upload. */
function multipart(
  parts: Part[] = [{ name: 'operations', value: picsiOperations() }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')],
  options: { boundary?: string; contentType?: string; preflight?: Record<string, string>; token?: string | null; close?: boolean } = {},
) {
  return send({
    body: multipartBody(parts, options),
    headers: {
      'content-type': options.contentType ?? `multipart/form-data; boundary=${options.boundary ?? BOUNDARY}`,
      ...(options.preflight ?? { 'x-graphql-yoga-csrf': '1' }),
    },
    token: options.token,
  });
}

/** The valid upload with one thing changed: operations' input, the map, or the files. */
function upload(change: { input?: Record<string, unknown>; map?: string; files?: Part[]; token?: string | null }) {
  return multipart(
    [
      { name: 'operations', value: picsiOperations(change.input) },
      { name: 'map', value: change.map ?? standardMap },
      ...(change.files ?? [pngPart('0'), pngPart('1')]),
    ],
    { token: change.token },
  );
}

async function picsiUpload(input: Record<string, unknown> = {}, token = USER) {
  return postMultipart(
    stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, ...input } },
    {
      'input.sourceImage': { bytes: png, filename: 'face.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 'target.png', type: 'image/png' },
    },
    { token },
  );
}

/** Raw HTTP over a socket: writes `head` + `body`, optionally destroys the socket, reads the answer. */
function rawHttp(
  head: string,
  body: Buffer,
  options: { destroyAfterWrite?: boolean; endAfterWrite?: boolean; timeoutMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!match) return resolve({ status: null, code: null, text });
      const split = text.indexOf('\r\n\r\n');
      const headers = text.slice(0, split).toLowerCase();
      let payload = text.slice(split + 4);
      if (headers.includes('transfer-encoding: chunked')) payload = dechunk(payload);
      resolve(fromBody(Number(match[1]), Buffer.from(payload, 'latin1').toString('utf8')));
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, options.timeoutMs ?? 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', finish);
    socket.on('error', () => finish());
    socket.write(head);
    socket.write(body, () => {
      if (options.destroyAfterWrite) setTimeout(() => socket.destroy(), 50);
      else if (options.endAfterWrite) socket.end();
    });
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

// graphql-ws over a raw socket, to see close codes and every message.
const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';
interface WsMessage {
  id?: string;
  type: string;
  payload?: unknown;
}

class RawWs {
  readonly messages: WsMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as WsMessage);
      this.waiters.splice(0).forEach((w) => w());
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        this.waiters.splice(0).forEach((w) => w());
      }),
    );
  }
  static async open(): Promise<RawWs> {
    const socket = new WebSocket(stack.url.replace(/^http/, 'ws'), GRAPHQL_TRANSPORT_WS);
    const ws = new RawWs(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return ws;
  }
  static async connected(token: string | null = USER): Promise<RawWs> {
    const ws = await RawWs.open();
    ws.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
    await ws.waitFor((m) => m.type === 'connection_ack');
    return ws;
  }
  send(message: unknown) {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
  async waitFor(predicate: (m: WsMessage) => boolean, timeoutMs = 5000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting');
      if (Date.now() > deadline) throw new Error('timed out waiting for a graphql-ws message');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
  /** The error message of operation `id` as an Outcome (close code 0 while the socket is open). */
  async errorOf(id: string): Promise<Outcome> {
    const message = await this.waitFor((m) => m.id === id && (m.type === 'error' || m.type === 'next'));
    const errors = (message.type === 'error' ? message.payload : (message.payload as { errors?: unknown[] }).errors) as
      { message: string; extensions?: Record<string, unknown> }[] | undefined;
    return {
      close: this.socket.readyState === WebSocket.OPEN ? 0 : -1,
      code: errors?.[0]?.extensions?.['code'] ?? null,
      ...(errors?.[0] ? { message: errors[0].message } : {}),
      text: JSON.stringify(message),
    };
  }
  close() {
    this.socket.close(1000);
  }
}

async function wsClosedWith(init: (ws: RawWs) => void): Promise<Outcome> {
  const ws = await RawWs.open();
  init(ws);
  const closed = await Promise.race([
    ws.closed,
    new Promise<{ code: number; reason: string }>((r) => setTimeout(() => r({ code: -1, reason: 'still open after 5s' }), 5000)),
  ]);
  if (ws.socket.readyState !== WebSocket.CLOSED) ws.close();
  return { close: closed.code, message: closed.reason, code: null, text: closed.reason };
}

/** Runs one operation on a fresh authenticated socket and returns its first error. */
async function wsOperation(payload: { query: string; variables?: Record<string, unknown> }, token = USER): Promise<Outcome> {
  const ws = await RawWs.connected(token);
  ws.send({ id: 'op', type: 'subscribe', payload });
  const outcome = await ws.errorOf('op').catch((error: Error) => ({ close: -1, code: null, message: error.message }));
  const closed = ws.socket.readyState === WebSocket.CLOSED ? await ws.closed : null;
  ws.close();
  return closed ? { close: closed.code, code: null, message: closed.reason } : outcome;
}

const JOB_UPDATED = 'subscription ($id: ID!) { jobUpdated(id: $id) { id status } }';
const JOBS_UPDATED = 'subscription { jobsUpdated { id status } }';

// ---------------------------------------------------------------------------------------------
// The corpus

const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(64)]);
const MISSING_UPLOAD = 'Required param source_image or target_image_gif_or_video is missing or empty';
const NOT_A_FILE = 'Param source_image or target_image_gif_or_video is not File or Blob';
const TOO_LONG = 'Optional param replyUrl or replyRef is too long';
const NOT_HTTP = 'replyUrl must be an absolute http(s) URL';
const malformed = (message: string) => `Malformed multipart request: ${message}`;
const notAnImage = (detected: string, declared: string) =>
  `Param target_image_gif_or_video must be a PNG, JPEG, GIF or WebP image (video is not supported); got ${detected} (declared ${declared})`;

/** Headers of images too large to decode safely (decompression bombs): no pixel data follows. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16);
  return Buffer.concat([PNG_SIGNATURE, ihdr, Buffer.alloc(64)]);
}
function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof0 = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.alloc(256)]);
}
const tooManyPixels = (size: string, megapixels: number) =>
  `Param target_image_gif_or_video is ${size} pixels (${megapixels} megapixels); images of at most ${MAX_PIXELS / 1e6} megapixels are accepted`;
const invalidOption = (message: string) => `Invalid options: ${message}`;
const KNOWN_OPTIONS = 'known options: -m, --shut, --ch, --hl, -f, -s, -e, -o, --oldify, -y, -a, -x';

const cases: Case[] = [
  // --- multipart: the request's structure -------------------------------------------------
  {
    group: 'multipart',
    name: 'empty multipart body (no operations field at all)',
    run: () => multipart([]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Missing multipart field ‘operations’ (${SPEC}).`) },
  },
  {
    group: 'multipart',
    name: 'no operations field: map comes first',
    run: () => multipart([{ name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Disordered multipart fields; ‘map’ should follow ‘operations’ (${SPEC}).`),
    },
  },
  {
    group: 'multipart',
    name: 'files only (no operations, no map)',
    run: () => multipart([pngPart('0'), pngPart('1')]),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Missing multipart field ‘map’ before the first file: send ‘operations’, then ‘map’, then the files (${SPEC}).`),
    },
  },
  {
    group: 'multipart',
    name: 'operations is not JSON',
    run: () =>
      multipart([{ name: 'operations', value: '{"query": mutation' }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid JSON in the ‘operations’ multipart field (${SPEC}).`) },
  },
  {
    group: 'multipart',
    name: 'operations is a JSON string, not an object',
    run: () =>
      multipart([{ name: 'operations', value: '"mutation { picsi }"' }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid type for the ‘operations’ multipart field (${SPEC}).`) },
  },
  {
    group: 'multipart',
    name: 'operations is null',
    run: () => multipart([{ name: 'operations', value: 'null' }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid type for the ‘operations’ multipart field (${SPEC}).`) },
  },
  {
    group: 'multipart',
    name: 'operations.query is a number',
    run: () =>
      multipart([
        { name: 'operations', value: JSON.stringify({ query: 42, variables: {} }) },
        { name: 'map', value: '{}' },
      ]),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Expected "query" param to be a string, but given number.' },
  },
  {
    group: 'multipart',
    name: 'operations without a query',
    run: () =>
      multipart([
        { name: 'operations', value: JSON.stringify({ variables: {} }) },
        { name: 'map', value: '{}' },
      ]),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Must provide query string.' },
  },
  {
    group: 'multipart',
    name: 'missing map',
    run: () => multipart([{ name: 'operations', value: picsiOperations() }, pngPart('0'), pngPart('1')]),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Missing multipart field ‘map’ before the first file: send ‘operations’, then ‘map’, then the files (${SPEC}).`),
    },
  },
  {
    group: 'multipart',
    name: 'missing map (operations only)',
    run: () => multipart([{ name: 'operations', value: picsiOperations() }]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Missing multipart field ‘map’ (${SPEC}).`) },
  },
  {
    group: 'multipart',
    name: 'map is not JSON',
    run: () => upload({ map: '{0: [variables.input.sourceImage]' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid JSON in the ‘map’ multipart field (${SPEC}).`) },
  },
  {
    group: 'multipart',
    name: 'map is an array',
    run: () => upload({ map: '[["variables.input.sourceImage"]]' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid type for the ‘map’ multipart field (${SPEC}).`) },
  },
  {
    group: 'multipart',
    name: 'map entry is not an array',
    run: () => upload({ map: '{"0": "variables.input.sourceImage"}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Invalid type for the ‘map’ multipart field entry key ‘0’ array (${SPEC}).`),
    },
  },
  {
    group: 'multipart',
    name: 'map path is not a string',
    run: () => upload({ map: '{"0": [7]}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Invalid type for the ‘map’ multipart field entry key ‘0’ array index ‘0’ value (${SPEC}).`),
    },
  },
  {
    group: 'multipart',
    name: 'map to a variable path that does not exist',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage"], "1": ["variables.input.nope"]}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(
        `Invalid object path for the ‘map’ multipart field entry key ‘1’ array index ‘0’ value ‘variables.input.nope’ (${SPEC}).`,
      ),
    },
  },
  {
    group: 'multipart',
    name: 'the same variable path mapped twice',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage"], "1": ["variables.input.sourceImage"]}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(
        `Invalid object path for the ‘map’ multipart field entry key ‘1’ array index ‘0’ value ‘variables.input.sourceImage’ (${SPEC}).`,
      ),
    },
  },
  {
    group: 'multipart',
    name: 'map references a file part that is absent',
    run: () => upload({ files: [pngPart('0')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD, field: 'target_image_gif_or_video' },
  },
  {
    group: 'multipart',
    name: 'mapped part is a text field, not a file',
    run: () => upload({ files: [pngPart('0'), { name: '1', value: 'not a file' }] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD, field: 'target_image_gif_or_video' },
  },
  {
    group: 'multipart',
    name: 'more map entries than UPLOAD_MAX_FILES',
    run: () =>
      upload({
        map: '{"0": ["variables.input.sourceImage"], "1": ["variables.input.targetImage"], "2": ["variables.input.replyRef"]}',
        files: [pngPart('0'), pngPart('1'), pngPart('2')],
      }),
    expect: { status: 413, code: 'REQUEST_ENTITY_TOO_LARGE', message: malformed(`${MAX_FILES} max file uploads exceeded.`) },
  },
  {
    group: 'multipart',
    name: 'extra unmapped file parts are ignored (spec) and the job is accepted',
    run: () => upload({ files: [pngPart('0'), pngPart('1'), pngPart('extra')] }),
    expect: { status: 200, code: null, jobStatus: /QUEUED|STARTED|COMPLETED/ },
  },
  {
    group: 'multipart',
    name: 'one file mapped to both variables is accepted (spec)',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage", "variables.input.targetImage"]}', files: [pngPart('0')] }),
    expect: { status: 200, code: null, jobStatus: /QUEUED|STARTED|COMPLETED/ },
  },
  {
    group: 'multipart',
    name: 'sourceImage is a string variable (not mapped to a file)',
    run: () => upload({ input: { sourceImage: 'face.png' }, map: '{"1": ["variables.input.targetImage"]}', files: [pngPart('1')] }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: NOT_A_FILE },
  },
  {
    group: 'multipart',
    name: 'sourceImage is an object variable',
    run: () =>
      upload({ input: { sourceImage: { path: '/etc/passwd' } }, map: '{"1": ["variables.input.targetImage"]}', files: [pngPart('1')] }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: NOT_A_FILE },
  },
  {
    group: 'multipart',
    name: 'missing targetImage (null, not mapped)',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage"]}', files: [pngPart('0')] }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD },
  },
  {
    group: 'multipart',
    name: 'empty target file',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.alloc(0))] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD, field: 'target_image_gif_or_video' },
  },
  {
    group: 'multipart',
    name: 'a text file disguised as image/png',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.from('this is plain text, honest.'), 'target.png', 'image/png')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: notAnImage('plain text', 'image/png'), field: 'target_image_gif_or_video' },
  },
  {
    group: 'multipart',
    name: 'a tiny (< 12 bytes) non-image file',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.from('hi'), 'hi.png', 'image/png')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: notAnImage('plain text', 'image/png'), field: 'target_image_gif_or_video' },
  },
  {
    group: 'multipart',
    name: 'a video (mp4 magic bytes)',
    run: () => upload({ files: [pngPart('0'), pngPart('1', mp4, 'clip.mp4', 'video/mp4')] }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: notAnImage('an MP4/MOV video', 'video/mp4'),
      field: 'target_image_gif_or_video',
    },
  },
  {
    group: 'multipart',
    name: 'a PDF declared as image/jpeg',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'), 'scan.jpg', 'image/jpeg')] }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: notAnImage('a PDF document', 'image/jpeg'),
      field: 'target_image_gif_or_video',
    },
  },
  {
    group: 'multipart',
    name: 'a 12000×12000 JPEG (decompression bomb) is refused from its header',
    run: () => upload({ files: [pngPart('0'), pngPart('1', jpegHeader(12000, 12000), 'bomb.jpg', 'image/jpeg')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: tooManyPixels('12000×12000', 144), field: 'target_image_gif_or_video' },
  },
  {
    group: 'multipart',
    name: 'a 100000×100000 PNG (decompression bomb) is refused from its header',
    run: () => upload({ files: [pngPart('0'), pngPart('1', pngHeader(100_000, 100_000), 'bomb.png')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: tooManyPixels('100000×100000', 10_000), field: 'target_image_gif_or_video' },
  },
  {
    group: 'multipart',
    name: 'a PNG signature without an IHDR header',
    run: () =>
      upload({
        files: [pngPart('0'), pngPart('1', Buffer.concat([PNG_SIGNATURE, Buffer.from('not a chunk at all, just text')]), 'broken.png')],
      }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message:
        'Param target_image_gif_or_video is not a readable image/png image: its header holds no image size (truncated or corrupt file)',
      field: 'target_image_gif_or_video',
    },
  },
  {
    group: 'multipart',
    name: 'oversize file',
    run: async () => upload({ files: [pngPart('0'), pngPart('1', await makePngOfSize(MAX_FILE * 2))] }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: `Param target_image_gif_or_video exceeds the upload size limit of ${MAX_FILE} bytes`,
      field: 'target_image_gif_or_video',
    },
  },
  {
    group: 'multipart',
    name: 'huge operations field',
    run: () =>
      multipart([
        { name: 'operations', value: picsiOperations({ replyRef: 'r'.repeat(MAX_FIELD) }) },
        { name: 'map', value: standardMap },
        pngPart('0'),
        pngPart('1'),
      ]),
    expect: {
      status: 413,
      code: 'REQUEST_ENTITY_TOO_LARGE',
      message: malformed(`The ‘operations’ multipart field value exceeds the ${MAX_FIELD} byte size limit.`),
    },
  },
  {
    group: 'multipart',
    name: 'huge map field',
    run: () =>
      upload({
        map: JSON.stringify({ 0: ['variables.input.sourceImage'], 1: ['variables.input.targetImage'], pad: 'x'.repeat(MAX_FIELD) }),
      }),
    expect: {
      status: 413,
      code: 'REQUEST_ENTITY_TOO_LARGE',
      message: malformed(`The ‘map’ multipart field value exceeds the ${MAX_FIELD} byte size limit.`),
    },
  },
  {
    group: 'multipart',
    name: 'truncated body: ends mid-file without the closing boundary',
    run: () => {
      const full = multipartBody(
        [{ name: 'operations', value: picsiOperations() }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')],
        { close: false },
      );
      const body = full.subarray(0, full.length - Math.floor(png.length / 2));
      return rawHttp(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\nx-graphql-yoga-csrf: 1\r\nAuthorization: Bearer ${USER}\r\nConnection: close\r\n\r\n`,
        body,
      );
    },
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: 'Param target_image_gif_or_video could not be read: the upload was interrupted',
      field: 'target_image_gif_or_video',
    },
  },
  {
    group: 'multipart',
    name: 'truncated body: the connection closes mid-file',
    run: () => {
      const full = multipartBody([
        { name: 'operations', value: picsiOperations() },
        { name: 'map', value: standardMap },
        pngPart('0'),
        pngPart('1'),
      ]);
      const body = full.subarray(0, full.length - Math.floor(png.length / 2));
      return rawHttp(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${full.length}\r\nx-graphql-yoga-csrf: 1\r\nAuthorization: Bearer ${USER}\r\n\r\n`,
        body,
        { destroyAfterWrite: true },
      );
    },
    // The client is gone: no response can reach it; the server must cope (checked after each case).
    expect: { status: null },
  },
  {
    group: 'multipart',
    name: 'broken HTTP framing (invalid chunk size)',
    run: () =>
      rawHttp(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nTransfer-Encoding: chunked\r\nx-graphql-yoga-csrf: 1\r\nAuthorization: Bearer ${USER}\r\n\r\n`,
        Buffer.from('zz\r\nnot a chunk\r\n0\r\n\r\n'),
      ),
    // Node's HTTP parser refuses it before any handler runs: 400 Bad Request, no body.
    expect: { status: 400, code: null },
  },
  {
    group: 'multipart',
    // Yoga's body limit answers while the files still stream in: their temp files must go too.
    name: 'a huge extra text field (2 MB) before the files',
    run: () => upload({ files: [{ name: 'padding', value: 'p'.repeat(2 * 1024 * 1024) }, pngPart('0'), pngPart('1')] }),
    expect: { status: 413, code: 'REQUEST_ENTITY_TOO_LARGE', message: 'Request body too large' },
  },
  {
    group: 'multipart',
    // The 401 is sent as soon as operations and map are parsed, before the file parts arrive.
    name: 'upload without a token, files after a 512 kB skipped field',
    run: () => upload({ token: null, files: [{ name: 'padding', value: 'p'.repeat(512 * 1024) }, pngPart('0'), pngPart('1')] }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: send Authorization: Bearer <API token>' },
  },
  {
    group: 'multipart',
    name: 'wrong boundary in the content-type',
    run: () => multipart(undefined, { contentType: 'multipart/form-data; boundary=not-the-boundary' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed('Unexpected end of form') },
  },
  {
    group: 'multipart',
    name: 'no boundary parameter',
    run: () => multipart(undefined, { contentType: 'multipart/form-data' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed('Multipart: Boundary not found') },
  },
  {
    group: 'multipart',
    name: 'malformed part header',
    run: () =>
      multipart([
        { name: 'operations', value: picsiOperations(), rawHeaders: 'this is not a header\r\n' },
        { name: 'map', value: standardMap },
      ]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed('Malformed part header') },
  },
  {
    group: 'multipart',
    name: 'missing CSRF preflight header',
    run: () => multipart(undefined, { preflight: {} }),
    expect: {
      status: 400,
      code: 'CSRF_PREFLIGHT_REQUIRED',
      message: 'Multipart requests must carry a non-empty x-graphql-yoga-csrf or apollo-require-preflight header (CSRF protection)',
    },
  },
  {
    group: 'multipart',
    name: 'empty CSRF preflight header',
    run: () => multipart(undefined, { preflight: { 'apollo-require-preflight': '' } }),
    expect: {
      status: 400,
      code: 'CSRF_PREFLIGHT_REQUIRED',
      message: 'Multipart requests must carry a non-empty x-graphql-yoga-csrf or apollo-require-preflight header (CSRF protection)',
    },
  },
  {
    group: 'multipart',
    name: 'batched operations (a JSON array) in a multipart request',
    run: () =>
      multipart([
        { name: 'operations', value: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) },
        { name: 'map', value: '{}' },
      ]),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Batching is not supported.' },
  },

  // --- JSON GraphQL requests -----------------------------------------------------------------
  {
    group: 'json',
    name: 'invalid GraphQL syntax',
    run: () => gql('{ job(id: "x") { id '),
    expect: { status: 400, code: 'GRAPHQL_PARSE_FAILED', message: 'Syntax Error: Expected Name, found <EOF>.' },
  },
  {
    group: 'json',
    name: 'body is not JSON',
    run: () => json('{"query": "{ __typename }"'),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'POST body sent invalid JSON.' },
  },
  {
    group: 'json',
    name: 'no query in the body',
    run: () => json({ variables: {} }),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Must provide query string.' },
  },
  {
    group: 'json',
    name: 'unknown field (no suggestion outside development)',
    run: () => gql('{ jobz { id } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Cannot query field "jobz" on type "Query". [Suggestion hidden]' },
  },
  {
    group: 'json',
    name: 'wrong variable type (object for ID)',
    run: () => gql('query ($id: ID!) { job(id: $id) { id } }', { id: { a: 1 } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$id" got invalid value { a: 1 }; ID cannot represent value: { a: 1 }',
    },
  },
  {
    group: 'json',
    name: 'wrong variable type (string for Int)',
    run: () => gql('query ($n: Int) { jobs(first: $n) { edges { cursor } } }', { n: 'ten' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$n" got invalid value "ten"; Int cannot represent non-integer value: "ten"',
    },
  },
  {
    group: 'json',
    name: 'query deeper than the depth limit',
    run: () =>
      gql('{ __type(name: "Job") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Query depth limit of 8 exceeded, found 10.' },
  },
  {
    group: 'json',
    name: 'too many aliases',
    run: () => gql(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: job(id: "x") { id }`).join(' ')} }`),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Aliases limit of 15 exceeded, found 20.' },
  },
  {
    group: 'json',
    name: 'too many directives',
    run: () => gql(`{ ${Array.from({ length: 21 }, (_, i) => `t${i}: __typename @include(if: true)`).join(' ')} }`),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Directives limit of 20 exceeded, found 21.' },
  },
  {
    group: 'json',
    name: 'too many tokens',
    run: () => gql(`{ ${Array.from({ length: 1200 }, () => '__typename').join(' ')} }`),
    expect: { status: 400, code: 'GRAPHQL_PARSE_FAILED', message: /^Syntax Error: Token limit of 1000 exceeded/ },
  },
  {
    group: 'json',
    name: 'jobs page far over the maximum (over the cost limit, which gives the range as the reason)',
    run: () => gql('{ jobs(first: 1000) { edges { cursor } } }'),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },
  {
    group: 'json',
    name: 'jobs(first: 500)',
    run: () => gql('{ jobs(first: 500) { edges { node { id status attachments { url } } } } }'),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },
  {
    group: 'json',
    name: 'jobs(first: 101)',
    run: () => gql('{ jobs(first: 101) { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },
  {
    group: 'json',
    name: 'an expensive query within the page size keeps the cost limit message',
    run: () =>
      gql(
        `{ ${Array.from({ length: 12 }, (_, i) => `a${i}: jobs(first: 100) { edges { node { id status attachments { url width } } } }`).join(' ')} }`,
      ),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /^Syntax Error: Query Cost limit of 5000 exceeded, found \d+\.$/ },
  },
  {
    group: 'json',
    name: 'jobs page of zero',
    run: () => gql('{ jobs(first: 0) { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },
  {
    group: 'json',
    name: 'jobs paged backwards',
    run: () => gql('{ jobs(last: 5) { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'jobs pages forward only: use first and after' },
  },
  {
    group: 'json',
    name: 'jobs with a garbage cursor',
    run: () => gql('{ jobs(first: 5, after: "%%%not-a-cursor%%%") { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'after is not a cursor returned by jobs' },
  },
  {
    group: 'json',
    name: 'a mutation over GET',
    run: () => send({ method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { cancelJob(id: "x") { id } }')}` }),
    expect: { status: 405, code: 'BAD_REQUEST', message: 'Can only perform a mutation operation from a POST request.' },
  },
  {
    group: 'json',
    // Yoga answers 415 Unsupported Media Type with an empty body (the status is the whole error).
    name: 'unsupported content-type',
    run: () => send({ body: '{ __typename }', headers: { 'content-type': 'text/plain' } }),
    expect: { status: 415, code: null },
  },

  // --- picsi fields ---------------------------------------------------------------------------
  {
    group: 'picsi',
    name: 'replyUrl over 1024 characters',
    run: () => upload({ input: { replyUrl: `https://example.com/${'a'.repeat(1010)}` } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: TOO_LONG, field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'replyRef over 1024 characters',
    run: () => upload({ input: { replyRef: 'r'.repeat(1025) } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: TOO_LONG, field: 'replyRef' },
  },
  {
    group: 'picsi',
    name: 'replyUrl is not a URL',
    run: () => upload({ input: { replyUrl: 'not a url' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: NOT_HTTP, field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'replyUrl with another scheme',
    run: () => upload({ input: { replyUrl: 'file:///etc/passwd' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: NOT_HTTP, field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'replyUrl with credentials',
    run: () => upload({ input: { replyUrl: 'https://u:p@example.com/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'replyUrl must not carry credentials', field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'replyUrl on loopback',
    run: () => upload({ input: { replyUrl: 'http://127.0.0.1:9/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: 127\.0\.0\.1 is /, field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'replyUrl on localhost',
    run: () => upload({ input: { replyUrl: 'http://localhost/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: localhost is a loopback name/, field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'replyUrl on a private network',
    run: () => upload({ input: { replyUrl: 'http://10.1.2.3/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: 10\.1\.2\.3 is /, field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'replyUrl on the metadata address',
    run: () => upload({ input: { replyUrl: 'http://169.254.169.254/latest/meta-data' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: 169\.254\.169\.254 is /, field: 'replyUrl' },
  },
  {
    group: 'picsi',
    name: 'options: unknown option',
    run: () => upload({ input: { options: '-m -z' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption(`unknown option "-z"; ${KNOWN_OPTIONS}`), field: 'options' },
  },
  {
    group: 'picsi',
    name: 'options: -o out of range (0)',
    run: () => upload({ input: { options: '-o 0' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "-o" value must be an integer from 1 to 1000 (got 0)') },
  },
  {
    group: 'picsi',
    name: 'options: --oldify out of range (5000)',
    run: () => upload({ input: { options: '--oldify 5000' } }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: invalidOption('option "--oldify" value must be an integer from 1 to 1000 (got 5000)'),
    },
  },
  {
    group: 'picsi',
    name: 'options: -e out of range (1001)',
    run: () => upload({ input: { options: '-e 1001' } }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: invalidOption('option "-e" value must be an integer from 1 to 1000 (got 1001)'),
    },
  },
  {
    group: 'picsi',
    name: 'options: -y negative',
    run: () => upload({ input: { options: '-y -5' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "-y" value must be an integer from 1 to 1000 (got -5)') },
  },
  {
    group: 'picsi',
    name: 'options: a value on a flag that takes none',
    run: () => upload({ input: { options: '-m 5' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "-m" takes no value (got 5)') },
  },
  {
    group: 'picsi',
    name: 'options: a flag given twice (alias)',
    run: () => upload({ input: { options: '-o 10 --oldify 20' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "--oldify" is given twice') },
  },
  {
    group: 'picsi',
    name: 'options: a non-integer value',
    run: () => upload({ input: { options: '-e 2.5' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption(`unknown option "2.5"; ${KNOWN_OPTIONS}`) },
  },
  {
    group: 'picsi',
    name: 'options: over 200 characters',
    run: () => upload({ input: { options: '-m '.repeat(70) } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('options must be at most 200 characters') },
  },
  {
    group: 'picsi',
    name: 'unknown channel',
    run: () => upload({ input: { channel: '999999999999' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^Configuration not found for channel 999999999999/ },
  },
  {
    group: 'picsi',
    name: 'garbage channel',
    run: () => upload({ input: { channel: '../../lease:*' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^Configuration not found for channel \.\.\/\.\.\/lease:\*/ },
  },
  {
    group: 'picsi',
    name: 'bad mode enum',
    run: () => upload({ input: { mode: 'SLOW' } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$input" got invalid value "SLOW" at "input.mode"; Value "SLOW" does not exist in "WaitMode" enum.',
    },
  },
  {
    group: 'picsi',
    name: 'wait is not a boolean',
    run: () => upload({ input: { wait: 'yes' } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$input" got invalid value "yes" at "input.wait"; Boolean cannot represent a non boolean value: "yes"',
    },
  },
  {
    group: 'picsi',
    name: 'unknown input field',
    run: () => upload({ input: { colour: 'red' } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message:
        'Variable "$input" got invalid value { sourceImage: <Upload>, targetImage: <Upload>, colour: "red" }; Field "colour" is not defined by type "PicsiInput".',
    },
  },

  // --- auth -----------------------------------------------------------------------------------
  {
    group: 'auth',
    name: 'no token',
    run: () => gql('{ jobs { edges { cursor } } }', {}, null),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: send Authorization: Bearer <API token>' },
  },
  {
    group: 'auth',
    name: 'wrong token',
    run: () => gql('{ jobs { edges { cursor } } }', {}, 'not-a-token'),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: unknown API token' },
  },
  {
    group: 'auth',
    name: 'malformed Authorization header (Basic)',
    run: () =>
      send({
        body: JSON.stringify({ query: '{ __typename }' }),
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
        token: null,
      }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: the Authorization header must be "Bearer <API token>"' },
  },
  {
    group: 'auth',
    name: 'Authorization "Bearer" without a token',
    run: () =>
      send({
        body: JSON.stringify({ query: '{ __typename }' }),
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' },
        token: null,
      }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: the Authorization header must be "Bearer <API token>"' },
  },
  {
    group: 'auth',
    name: 'upload without a token',
    run: () => upload({ token: null }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: send Authorization: Bearer <API token>' },
  },
  {
    group: 'auth',
    name: "another owner's job",
    run: () => gql('query ($id: ID!) { job(id: $id) { id } }', { id: userJobId }, OTHER),
    expect: { status: 200, code: 'NOT_FOUND', message: /^Job \S+ not found$/ },
  },
  {
    group: 'auth',
    name: "cancelJob of another owner's job",
    run: () => gql('mutation ($id: ID!) { cancelJob(id: $id) { id } }', { id: userJobId }, OTHER),
    expect: { status: 200, code: 'NOT_FOUND', message: /^Job \S+ not found$/ },
  },
  {
    group: 'auth',
    name: 'job(id) with a garbage id',
    run: () => gql('{ job(id: "../../*?[]{}") { id } }'),
    expect: { status: 200, code: 'NOT_FOUND', message: 'Job ../../*?[]{} not found' },
  },
  {
    group: 'auth',
    name: 'job(id) with a 10 kB id',
    run: () => gql('query ($id: ID!) { job(id: $id) { id } }', { id: 'x'.repeat(10_000) }),
    expect: { status: 200, code: 'NOT_FOUND', message: `Job ${'x'.repeat(64)}… not found` },
  },
  {
    group: 'auth',
    name: 'user calls admin-only accounts',
    run: () => gql('{ accounts { channel } }', {}, USER),
    expect: { status: 200, code: 'FORBIDDEN', message: 'Forbidden: this operation needs an admin token' },
  },
  {
    group: 'auth',
    name: 'user calls admin-only upsertAccount',
    run: () =>
      gql(
        'mutation { upsertAccount(input: { channel: "123456789", server: "123456789", discord: "user-token-xxxxxx" }) { channel } }',
        {},
        USER,
      ),
    expect: { status: 200, code: 'FORBIDDEN', message: 'Forbidden: this operation needs an admin token' },
  },
  {
    group: 'auth',
    name: 'admin reads an unknown channel',
    run: () => gql('{ account(channel: "424242424242") { channel } }', {}, ADMIN),
    expect: { status: 200, code: 'NOT_FOUND', message: 'Configuration not found for channel 424242424242' },
  },
  {
    group: 'auth',
    name: 'admin upserts an account with a bad channel id',
    run: () =>
      gql(
        'mutation { upsertAccount(input: { channel: "general", server: "123456789", discord: "user-token-xxxxxx" }) { channel } }',
        {},
        ADMIN,
      ),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'channel must be a Discord snowflake id' },
  },

  // --- graphql-ws -----------------------------------------------------------------------------
  {
    group: 'websocket',
    name: 'no token: closed 4401 "missing token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: {} })),
    expect: { close: 4401, message: 'missing token' },
  },
  {
    group: 'websocket',
    name: 'wrong token: closed 4403 "unknown token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: { authorization: 'Bearer nope' } })),
    expect: { close: 4403, message: 'unknown token' },
  },
  {
    group: 'websocket',
    name: 'Basic credentials: closed 4403 "malformed token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: { authorization: 'Basic dTpw' } })),
    expect: { close: 4403, message: 'malformed token' },
  },
  {
    group: 'websocket',
    name: 'non-string token: closed 4403 "malformed token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: { authorization: { bearer: USER } } })),
    expect: { close: 4403, message: 'malformed token' },
  },
  {
    group: 'websocket',
    name: 'subscribe before connection_init: closed 4401',
    run: () => wsClosedWith((ws) => ws.send({ id: '1', type: 'subscribe', payload: { query: JOBS_UPDATED } })),
    expect: { close: 4401, message: 'Unauthorized' },
  },
  {
    group: 'websocket',
    name: 'a message that is not JSON: closed 4400',
    run: () => wsClosedWith((ws) => ws.send('{not json')),
    expect: { close: 4400 },
  },
  {
    group: 'websocket',
    name: 'a duplicate operation id: closed 4409',
    run: async () => {
      const ws = await RawWs.connected();
      ws.send({ id: 'dup', type: 'subscribe', payload: { query: JOBS_UPDATED } });
      ws.send({ id: 'dup', type: 'subscribe', payload: { query: JOBS_UPDATED } });
      const closed = await ws.closed;
      return { close: closed.code, message: closed.reason, code: null };
    },
    expect: { close: 4409, message: 'Subscriber for dup already exists' },
  },
  {
    group: 'websocket',
    name: 'subscription with a syntax error',
    run: async () => {
      const ws = await RawWs.connected();
      ws.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { jobsUpdated { id ' } });
      const outcome = await ws.errorOf('s');
      ws.close();
      return outcome;
    },
    expect: { close: 0, code: 'GRAPHQL_PARSE_FAILED', message: 'Syntax Error: Expected Name, found <EOF>.' },
  },
  {
    group: 'websocket',
    name: 'subscription on an unknown field',
    run: () => wsOperation({ query: 'subscription { jobUpdate(id: "x") { id } }' }),
    expect: {
      close: 0,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: 'Cannot query field "jobUpdate" on type "Subscription". [Suggestion hidden]',
    },
  },
  {
    group: 'websocket',
    name: 'operation over the alias limit',
    run: () => wsOperation({ query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: job(id: "x") { id }`).join(' ')} }` }),
    expect: { close: 0, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Aliases limit of 15 exceeded, found 20.' },
  },
  {
    group: 'websocket',
    name: 'subscription with a wrong variable type',
    run: () => wsOperation({ query: JOB_UPDATED, variables: { id: ['a', 'b'] } }),
    expect: {
      close: 0,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$id" got invalid value ["a", "b"]; ID cannot represent value: ["a", "b"]',
    },
  },
  {
    group: 'websocket',
    name: "jobUpdated of another owner's job",
    run: async () => {
      const ws = await RawWs.connected(OTHER);
      ws.send({ id: 'j', type: 'subscribe', payload: { query: JOB_UPDATED, variables: { id: userJobId } } });
      const outcome = await ws.errorOf('j');
      ws.close();
      return outcome;
    },
    expect: { close: 0, code: 'NOT_FOUND', message: /^Job \S+ not found$/ },
  },
  {
    group: 'websocket',
    name: 'jobsUpdated on an unknown channel',
    run: async () => {
      const ws = await RawWs.connected();
      ws.send({ id: 'c', type: 'subscribe', payload: { query: 'subscription { jobsUpdated(channel: "424242424242") { id } }' } });
      const outcome = await ws.errorOf('c');
      ws.close();
      return outcome;
    },
    expect: { close: 0, code: 'NOT_FOUND', message: 'Channel 424242424242 is not configured' },
  },
  {
    group: 'websocket',
    name: `subscription flood: operation ${MAX_OPERATIONS_PER_SOCKET + 1} on one socket is refused, the socket stays usable`,
    run: async () => {
      const ws = await RawWs.connected();
      for (let i = 0; i < MAX_OPERATIONS_PER_SOCKET; i++) ws.send({ id: `f${i}`, type: 'subscribe', payload: { query: JOBS_UPDATED } });
      // graphql-ws registers each operation id as its message arrives, so 'over' is the 101st.
      ws.send({ id: 'over', type: 'subscribe', payload: { query: JOBS_UPDATED } });
      const outcome = await ws.errorOf('over');
      // The existing subscriptions are untouched: none of them got an error or completed.
      const disturbed = ws.messages.filter((m) => m.id?.startsWith('f') && m.type !== 'next');
      // Freeing one slot lets a new operation run again.
      ws.send({ id: 'f0', type: 'complete' });
      ws.send({ id: 'after', type: 'subscribe', payload: { query: JOB_UPDATED, variables: { id: userJobId } } });
      const after = await ws.waitFor((m) => m.id === 'after' && m.type === 'next');
      ws.close();
      const ok = disturbed.length === 0 && (after.payload as { data?: { jobUpdated?: { id: string } } }).data?.jobUpdated?.id === userJobId;
      return { ...outcome, ...(ok ? {} : { message: `flood side effects: disturbed=${disturbed.length} after=${JSON.stringify(after)}` }) };
    },
    expect: { close: 0, code: 'BAD_USER_INPUT', message: `At most ${MAX_OPERATIONS_PER_SOCKET} operations may run on one socket` },
  },
];

// ---------------------------------------------------------------------------------------------
// The sweep

const LEAK = /\n\s+at |node_modules|\/src\/|\.ts:\d+|_resolve|createReadStream|"stack"/;

describe('bad-input corpus', () => {
  it('has at least 50 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const c of cases) {
    it(`[${c.group}] ${c.name}`, async () => {
      const tmpBefore = new Set(readdirSync(requestTmp));
      const outcome = await c.run();
      observed.push({ group: c.group, name: c.name, outcome });
      if (process.env['BADINPUT_DEBUG']) console.log(c.name, outcome.status ?? outcome.close, outcome.text?.slice(0, 1500));
      const { text, ...shown } = outcome;
      const actual = {
        ...('status' in c.expect ? { status: outcome.status } : {}),
        ...('close' in c.expect ? { close: outcome.close } : {}),
        ...('code' in c.expect ? { code: outcome.code } : {}),
        ...(c.expect.message !== undefined ? { message: outcome.message } : {}),
        ...(c.expect.field !== undefined ? { field: outcome.field } : {}),
        ...(c.expect.jobStatus !== undefined ? { jobStatus: outcome.jobStatus } : {}),
      };
      expect(actual, JSON.stringify(shown)).toEqual({
        ...('status' in c.expect ? { status: c.expect.status } : {}),
        ...('close' in c.expect ? { close: c.expect.close } : {}),
        ...('code' in c.expect ? { code: c.expect.code } : {}),
        ...(c.expect.message !== undefined
          ? { message: typeof c.expect.message === 'string' ? c.expect.message : expect.stringMatching(c.expect.message) }
          : {}),
        ...(c.expect.field !== undefined ? { field: c.expect.field } : {}),
        ...(c.expect.jobStatus !== undefined ? { jobStatus: expect.stringMatching(c.expect.jobStatus) } : {}),
      });
      expect(outcome.status ?? 0).toBeLessThan(500);
      expect(text ?? '', 'a response leaks internals').not.toMatch(LEAK);

      // No request temp file outlives its response (only new ones count: one leak fails one case).
      await expect.poll(() => readdirSync(requestTmp).filter((f) => !tmpBefore.has(f)), { timeout: 3000 }).toEqual([]);

      // The server keeps serving after every case.
      const alive = await postJson<{ __typename: string }>(stack.url, '{ __typename }', {}, USER);
      expect(alive.status).toBe(200);
      expect(alive.body.data?.__typename).toBe('Query');
    });
  }

  it('afterwards: zero 5xx, a real picsi completes, no temp file, spooled image or lease left', async () => {
    const statuses = observed.map((o) => o.outcome.status ?? 0);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);

    const res = await picsiUpload({ wait: true });
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { picsi: { status: string } }).picsi.status).toBe('COMPLETED');

    // Jobs accepted by the corpus ("accepted by spec" cases) finish too: wait for the channel to be free.
    await expect.poll(async () => (await redis.keys(`${executorKeys(REDIS_PREFIX).leasePrefix}*`)).length, { timeout: 15_000 }).toBe(0);
    await expect.poll(leftovers, { timeout: 5_000 }).toEqual([]);

    const rows = observed.map(({ group, name, outcome }) => ({
      group,
      case: name.length > 70 ? `${name.slice(0, 67)}...` : name,
      status: outcome.status === undefined ? `ws ${outcome.close}` : String(outcome.status ?? 'closed'),
      code: typeof outcome.code === 'string' ? outcome.code : '-',
    }));
    console.log(
      [
        `bad-input corpus: ${rows.length} cases, max status ${Math.max(...statuses)}`,
        ...rows.map((r) => `${r.group.padEnd(9)} ${r.status.padEnd(7)} ${r.code.padEnd(26)} ${r.case}`),
      ].join('\n'),
    );
  });
});
