/**
 * Request builders of the bad-input corpus: JSON GraphQL, hand-built multipart bodies, raw HTTP
 * over a socket and graphql-ws over a raw socket (to see close codes and every message). They
 * act on `target`, the server the running suite started (requests.test.ts sets it).
 */
import { connect } from 'node:net';
import WebSocket from 'ws';
import { PICSI_MUTATION, postMultipart } from '../../helpers/graphql-http.js';
import type { Stack } from '../../helpers/stack.js';
import type { Outcome } from './audit.js';

export const USER = 'badinput-user-token-1';
export const OTHER = 'badinput-user-token-2';
export const ADMIN = 'badinput-admin-token';
export const MAX_FILE = 20_000;
export const MAX_FIELD = 8192;
export const MAX_FILES = 2;
export const MAX_PIXELS = 4_000_000;
export const SPEC = 'https://github.com/jaydenseric/graphql-multipart-request-spec';

/** The server under test and what the suite created on it. */
export const target = {} as { stack: Stack; port: number; png: Buffer; userJobId: string };

export function fromBody(status: number | null, text: string): Outcome {
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

export async function send(init: {
  body?: Buffer | string;
  headers?: Record<string, string>;
  method?: string;
  token?: string | null;
  path?: string;
}): Promise<Outcome> {
  const token = init.token === undefined ? USER : init.token;
  const res = await fetch(init.path ? new URL(init.path, target.stack.url) : target.stack.url, {
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

export const json = (body: unknown, token?: string | null, headers: Record<string, string> = {}) =>
  send({
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    token,
  });

export const gql = (query: string, variables: Record<string, unknown> = {}, token?: string | null) => json({ query, variables }, token);

export interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
  /** Replaces the part's headers entirely. */
  rawHeaders?: string;
}

export const BOUNDARY = '----picsi-badinput-boundary';

export function multipartBody(parts: Part[], options: { boundary?: string; close?: boolean } = {}): Buffer {
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

export const pngPart = (name: string, bytes: Buffer = target.png, filename = 'face.png', type = 'image/png'): Part => ({
  name,
  value: bytes,
  filename,
  type,
});

export const picsiOperations = (input: Record<string, unknown> = {}) =>
  JSON.stringify({ query: PICSI_MUTATION, variables: { input: { sourceImage: null, targetImage: null, ...input } } });

export const standardMap = JSON.stringify({ 0: ['variables.input.sourceImage'], 1: ['variables.input.targetImage'] });

/** A hand-built multipart request: by default a complete, valid picsi upload. */
export function multipart(
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
export function upload(change: { input?: Record<string, unknown>; map?: string; files?: Part[]; token?: string | null }) {
  return multipart(
    [
      { name: 'operations', value: picsiOperations(change.input) },
      { name: 'map', value: change.map ?? standardMap },
      ...(change.files ?? [pngPart('0'), pngPart('1')]),
    ],
    { token: change.token },
  );
}

export async function picsiUpload(input: Record<string, unknown> = {}, token = USER) {
  return postMultipart(
    target.stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, ...input } },
    {
      'input.sourceImage': { bytes: target.png, filename: 'face.png', type: 'image/png' },
      'input.targetImage': { bytes: target.png, filename: 'target.png', type: 'image/png' },
    },
    { token },
  );
}

/** Raw HTTP over a socket: writes `head` + `body`, optionally destroys the socket, reads the answer. */
export function rawHttp(
  head: string,
  body: Buffer,
  options: { destroyAfterWrite?: boolean; endAfterWrite?: boolean; timeoutMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(target.port, '127.0.0.1');
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
      const fields = headers
        .split('\r\n')
        .slice(1)
        .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
      resolve({ ...fromBody(Number(match[1]), Buffer.from(payload, 'latin1').toString('utf8')), headers: Object.fromEntries(fields) });
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

export function dechunk(text: string): string {
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
export const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';
export interface WsMessage {
  id?: string;
  type: string;
  payload?: unknown;
}

export class RawWs {
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
    const socket = new WebSocket(target.stack.url.replace(/^http/, 'ws'), GRAPHQL_TRANSPORT_WS);
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

export async function wsClosedWith(init: (ws: RawWs) => void): Promise<Outcome> {
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
export async function wsOperation(payload: { query: string; variables?: Record<string, unknown> }, token = USER): Promise<Outcome> {
  const ws = await RawWs.connected(token);
  ws.send({ id: 'op', type: 'subscribe', payload });
  const outcome = await ws.errorOf('op').catch((error: Error) => ({ close: -1, code: null, message: error.message }));
  const closed = ws.socket.readyState === WebSocket.CLOSED ? await ws.closed : null;
  ws.close();
  return closed ? { close: closed.code, code: null, message: closed.reason } : outcome;
}

export const JOB_UPDATED = 'subscription ($id: ID!) { jobUpdated(id: $id) { id status } }';
export const JOBS_UPDATED = 'subscription { jobsUpdated { id status } }';
