/**
 * The log of a real server process (src/main.ts) through a session of client mistakes: the
 * embedded defaults take one line before the ready line, no line is at error level or carries a
 * stack, no line repeats a key, and each mistake is one info/warn line with its code.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, postMultipart, PICSI_MUTATION } from '../helpers/graphql-http.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { topLevelKeys } from '../helpers/log-lines.js';

const TOKEN = 'logging-user-token';
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ API_TOKENS: TOKEN });
});
afterAll(() => server?.kill());

const jsonLines = () => server.logs.flatMap((chunk) => chunk.split('\n')).filter((l) => l.startsWith('{'));

it('client mistakes are logged at info/warn without a stack; no repeated keys; defaults in one line', async () => {
  const mistakes = [
    postJson(server.url, '{ job(id: "nope") { id } }', {}, TOKEN), // NOT_FOUND
    postJson(server.url, '{ jobs(first: 0) { edges { cursor } } }', {}, TOKEN), // BAD_USER_INPUT
    postJson(server.url, '{ accounts { channel } }', {}, TOKEN), // FORBIDDEN
    postJson(server.url, '{ jobz }', {}, TOKEN), // validation
    postJson(server.url, '{ __typename }', {}, 'wrong-token'), // UNAUTHENTICATED
    postMultipart(
      server.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null } },
      {
        'input.sourceImage': { bytes: Buffer.from('text'), filename: 'a.png', type: 'image/png' },
        'input.targetImage': { bytes: Buffer.from('text'), filename: 'b.png', type: 'image/png' },
      },
      { token: TOKEN },
    ),
  ];
  const codes = (await Promise.all(mistakes)).map((r) => r.body.errors?.[0]?.extensions?.['code']);
  expect(codes).toEqual(['NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED', 'UNAUTHENTICATED', 'BAD_USER_INPUT']);
  const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  await new Promise((resolve) => socket.once('close', resolve));

  await expect.poll(() => jsonLines().filter((l) => l.includes('client error FORBIDDEN')).length).toBe(1);
  const lines = jsonLines();
  const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string });
  expect(records.filter((r) => r.level >= 50)).toEqual([]);
  expect(lines.filter((l) => /"stack"|\.ts:\d+/.test(l))).toEqual([]);
  expect(lines.map(topLevelKeys).filter((keys) => new Set(keys).size !== keys.length)).toEqual([]);
  for (const code of ['NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN'])
    expect(records.filter((r) => r.code === code && r.level === 30).length, code).toBeGreaterThan(0);

  const ready = records.findIndex((r) => r.msg.includes('picsi-graphql ready'));
  const beforeReady = records.slice(0, ready).filter((r) => r.msg.includes('embedded default'));
  expect(beforeReady).toHaveLength(1);
  expect(beforeReady[0]).toMatchObject({ defaults: { UPLOAD_MAX_FILE_BYTES: '10485760', UPLOAD_MAX_PIXELS: '64000000' } });
});

it('GET / serves the page', async () => {
  const res = await fetch(new URL('/', server.url));
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('<title>picsi — face swap</title>');
});
