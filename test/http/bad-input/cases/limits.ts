/**
 * Per-token limits (RL-nn): the request rate limit (429 RATE_LIMITED with Retry-After on /graphql
 * and /v1, a typed error on the websocket; counted in Redis across instances, in memory with the
 * embedded store; another token unaffected), and the websocket bounds (WL-nn): frames over 1 MiB,
 * sockets per address before auth, sockets and operations per token.
 */
import WebSocket from 'ws';
import type { Stack } from '../../../helpers/stack.js';
import type { Audit, Outcome } from '../audit.js';
import { fromBody } from '../target.js';

export const RATE_LIMIT = 20;
export const TOKEN_A = 'limits-token-a';
export const TOKEN_B = 'limits-token-b';
export const TOKEN_C = 'limits-token-c';

/** Two instances on one Redis (one budget), and one on the embedded store; set by limits.test.ts. */
export const limitsTarget = {} as { first: Stack; second: Stack; embedded: Stack };

const query = (stack: Stack, token: string) =>
  fetch(stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });

/** Spends the token's budget on `stack`, then one more request: its answer. */
async function overTheLimit(stack: Stack, token: string, spendOn: Stack = stack): Promise<Outcome> {
  for (let i = 0; i < RATE_LIMIT; i++) await (await query(spendOn, token)).arrayBuffer();
  const res = await query(stack, token);
  return { ...fromBody(res.status, await res.text()), headers: { 'retry-after': res.headers.get('retry-after') ?? '' } };
}

/** A graphql-ws client socket with helpers to read its messages. */
export async function openSocket(
  stack: Stack,
  token: string | null,
): Promise<{ ws: WebSocket; messages: { id?: string; type: string; payload?: unknown }[]; closed: Promise<number> }> {
  const ws = new WebSocket(stack.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: { id?: string; type: string; payload?: unknown }[] = [];
  ws.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString('utf8')) as (typeof messages)[number]));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  if (token !== null) ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  return { ws, messages, closed };
}

export const waitFor = async <T>(probe: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

export const LIMIT_AUDITS: Audit[] = [
  {
    id: 'RL-01',
    level: 'MUST',
    group: 'rate-limit',
    name: `a token past TOKEN_RATE_LIMIT (${RATE_LIMIT}) gets 429 RATE_LIMITED with Retry-After`,
    run: () => overTheLimit(limitsTarget.first, TOKEN_A),
    expect: {
      status: 429,
      code: 'RATE_LIMITED',
      message: /^Too many requests for this token: retry in \d+ s$/,
      headers: { 'retry-after': /^\d+$/ },
    },
  },
  {
    id: 'RL-02',
    level: 'MUST',
    group: 'rate-limit',
    name: 'meanwhile another token is served',
    run: async () => fromBody((await query(limitsTarget.first, TOKEN_B)).status, '{}'),
    expect: { status: 200 },
  },
  {
    id: 'RL-03',
    level: 'MUST',
    group: 'rate-limit',
    name: 'the budget is shared by every instance on the Redis (the second instance refuses the same token)',
    run: async () => {
      const res = await query(limitsTarget.second, TOKEN_A);
      return { ...fromBody(res.status, await res.text()), headers: { 'retry-after': res.headers.get('retry-after') ?? '' } };
    },
    expect: { status: 429, code: 'RATE_LIMITED', headers: { 'retry-after': /^\d+$/ } },
  },
  {
    id: 'RL-04',
    level: 'MUST',
    group: 'rate-limit',
    name: 'the REST contract under /v1 counts against the same budget',
    run: async () => {
      const res = await fetch(new URL('/v1/faceswap/jobs/?jobid=x', limitsTarget.first.url), {
        headers: { authorization: `Bearer ${TOKEN_A}` },
      });
      const body = (await res.json()) as { code?: number };
      return { status: res.status, code: body.code ?? null, headers: { 'retry-after': res.headers.get('retry-after') ?? '' } };
    },
    expect: { status: 429, headers: { 'retry-after': /^\d+$/ } },
  },
  {
    id: 'RL-05',
    level: 'MUST',
    group: 'rate-limit',
    name: 'a websocket operation past the limit gets a RATE_LIMITED error; the socket stays open',
    run: async () => {
      const socket = await openSocket(limitsTarget.first, TOKEN_A);
      await waitFor(() => socket.messages.find((m) => m.type === 'connection_ack'), 'connection_ack');
      socket.ws.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: '{ __typename }' } }));
      const error = await waitFor(() => socket.messages.find((m) => m.id === 'q' && m.type === 'error'), 'the error');
      const first = (error.payload as { message: string; extensions: { code: string } }[])[0]!;
      const open = socket.ws.readyState === WebSocket.OPEN;
      socket.ws.close();
      return { close: open ? 0 : -1, code: first.extensions.code, message: first.message };
    },
    expect: { close: 0, code: 'RATE_LIMITED', message: /^Too many requests for this token/ },
  },
  {
    id: 'RL-06',
    level: 'MUST',
    group: 'rate-limit',
    name: 'with the embedded store the limit is counted in memory',
    run: () => overTheLimit(limitsTarget.embedded, TOKEN_A),
    expect: { status: 429, code: 'RATE_LIMITED', headers: { 'retry-after': /^\d+$/ } },
  },
  {
    id: 'WL-01',
    level: 'MUST',
    group: 'websocket-limits',
    name: 'a 2 MiB frame before connection_init closes the socket with 1009 (Message Too Big)',
    run: async () => {
      const socket = await openSocket(limitsTarget.first, null);
      socket.ws.send(Buffer.alloc(2 * 1024 * 1024, 0x20));
      return { close: await socket.closed };
    },
    expect: { close: 1009 },
  },
  {
    id: 'WL-02',
    level: 'MUST',
    group: 'websocket-limits',
    name: 'sockets of one address that have not authenticated: the one past WS_MAX_PENDING_PER_ADDRESS (4) is closed 1013',
    run: async () => {
      const idle = await Promise.all(Array.from({ length: 4 }, () => openSocket(limitsTarget.embedded, null)));
      const over = await openSocket(limitsTarget.embedded, null);
      const code = await over.closed;
      for (const s of idle) s.ws.close();
      await Promise.all(idle.map((s) => s.closed));
      return { close: code };
    },
    expect: { close: 1013 },
  },
  {
    id: 'WL-03',
    level: 'MUST',
    group: 'websocket-limits',
    name: 'sockets of one token: the one past WS_MAX_CONNECTIONS_PER_TOKEN (3) is closed 1013 at connection_init',
    run: async () => {
      const held = await Promise.all(Array.from({ length: 3 }, () => openSocket(limitsTarget.embedded, TOKEN_C)));
      await Promise.all(held.map((s) => waitFor(() => s.messages.find((m) => m.type === 'connection_ack'), 'connection_ack')));
      const over = await openSocket(limitsTarget.embedded, TOKEN_C);
      const code = await over.closed;
      for (const s of held) s.ws.close();
      await Promise.all(held.map((s) => s.closed));
      return { close: code };
    },
    expect: { close: 1013 },
  },
  {
    id: 'WL-04',
    level: 'MUST',
    group: 'websocket-limits',
    name: 'operations of one token over its sockets: the one past WS_MAX_SUBSCRIPTIONS_PER_TOKEN (5) gets RATE_LIMITED',
    run: async () => {
      const sockets = await Promise.all([openSocket(limitsTarget.embedded, TOKEN_B), openSocket(limitsTarget.embedded, TOKEN_B)]);
      await Promise.all(sockets.map((s) => waitFor(() => s.messages.find((m) => m.type === 'connection_ack'), 'connection_ack')));
      const subscribe = (s: (typeof sockets)[number], id: string) =>
        s.ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { jobsUpdated { id } }' } }));
      for (let i = 0; i < 5; i++) subscribe(sockets[i % 2]!, `s${i}`);
      // A pong answers after the messages before it were received (and counted) on its socket.
      for (const s of sockets) s.ws.send(JSON.stringify({ type: 'ping' }));
      await Promise.all(sockets.map((s) => waitFor(() => s.messages.find((m) => m.type === 'pong'), 'pong')));
      subscribe(sockets[1], 'over');
      const error = await waitFor(() => sockets[1].messages.find((m) => m.id === 'over'), 'the refusal');
      const first = (error.payload as { message: string; extensions: { code: string } }[])[0]!;
      const disturbed = sockets.flatMap((s) => s.messages.filter((m) => m.id?.startsWith('s') && m.type !== 'next'));
      for (const s of sockets) s.ws.close();
      return { code: first.extensions.code, message: disturbed.length === 0 ? first.message : `disturbed: ${JSON.stringify(disturbed)}` };
    },
    expect: { code: 'RATE_LIMITED', message: 'Too many operations running for this token' },
  },
];
