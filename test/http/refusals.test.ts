/**
 * Early refusals of uploads reach clients that are still sending: with undici's fetch (what Node's
 * fetch and Apollo Client use), every refused 5 MB multipart upload gets its JSON error and
 * status, never "fetch failed"; and each carries the same CORS headers as a normal response. The
 * body is sent at a network's pace (64 kB chunks, 1 ms apart): the server answers while the client
 * is still writing, which is when an answer-and-close lost the response to EPIPE.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PICSI_MUTATION } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'refusals-user-token';
const FILE_BYTES = 5 * 1024 * 1024;
const CHUNK = new Uint8Array(64 * 1024).fill(0x61);
const BOUNDARY = 'picsi-refusals-boundary';
const ORIGIN = 'http://app.example.test';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: TOKEN } });
});
afterAll(() => stack.stop());

/** A picsi multipart upload of one 5 MB file part, streamed chunk by chunk. */
async function* slowUpload(): AsyncGenerator<Uint8Array> {
  const operations = JSON.stringify({ query: PICSI_MUTATION, variables: { input: { sourceImage: null, targetImage: null } } });
  const map = JSON.stringify({ 0: ['variables.input.sourceImage'], 1: ['variables.input.targetImage'] });
  const field = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  yield Buffer.from(
    `${field('operations', operations)}${field('map', map)}--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="face.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  for (let sent = 0; sent < FILE_BYTES; sent += CHUNK.length) {
    yield CHUNK;
    await delay(1);
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

const REFUSALS = {
  'unknown token': { headers: { authorization: 'Bearer not-a-token', 'x-graphql-yoga-csrf': '1' }, status: 401, code: 'UNAUTHENTICATED' },
  'no CSRF preflight header': { headers: { authorization: `Bearer ${TOKEN}` }, status: 400, code: 'CSRF_PREFLIGHT_REQUIRED' },
} as const;

/** Sends one refused upload; what came back, or the client's error. */
async function send(headers: Record<string, string>) {
  try {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
      body: slowUpload(),
      duplex: 'half',
    });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    return { status: res.status, code: body.errors?.[0]?.extensions?.code, headers: res.headers };
  } catch (error) {
    return { status: null, code: `client error: ${String((error as Error).cause ?? error)}`, headers: null };
  }
}

describe('refused 5 MB uploads (undici fetch)', () => {
  for (const [name, refusal] of Object.entries(REFUSALS)) {
    it(`${name}: 100 of 100 get their JSON error and status`, async () => {
      const outcomes: string[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const results = await Promise.all(Array.from({ length: 10 }, () => send(refusal.headers)));
        outcomes.push(...results.map((r) => `${r.status} ${r.code}`));
      }
      const counts = Object.fromEntries([...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length]));
      expect(counts).toEqual({ [`${refusal.status} ${refusal.code}`]: 100 });
    }, 120_000);
  }

  it('a refusal carries the same CORS headers as a normal response', async () => {
    const cors = (headers: { get(name: string): string | null }) =>
      Object.fromEntries(
        ['access-control-allow-origin', 'access-control-allow-credentials', 'vary'].map((name) => [name, headers.get(name)]),
      );
    const normal = await fetch(stack.url, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(normal.status).toBe(200);
    const expected = cors(normal.headers);
    expect(expected['access-control-allow-origin']).toBe(ORIGIN);
    for (const refusal of Object.values(REFUSALS)) {
      const refused = await send({ ...refusal.headers, origin: ORIGIN });
      expect(refused.status).toBe(refusal.status);
      expect(cors(refused.headers!)).toEqual(expected);
    }
  });
});
