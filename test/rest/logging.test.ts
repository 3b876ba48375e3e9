/**
 * The log of a real server process through REST mistakes, by the same policy as GraphQL's
 * (test/http/logging.test.ts): each mistake one info/warn line with its code, method and route, no
 * line at error level or with a stack, no repeated key, and never the token.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topLevelKeys } from '../helpers/log-lines.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { form, RestClient } from './helpers.js';

const TOKEN = 'rest-logging-user-token';
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ API_TOKENS: TOKEN });
});
afterAll(() => server?.kill());

const jsonLines = () => server.logs.flatMap((chunk) => chunk.split('\n')).filter((l) => l.startsWith('{'));

it('REST client mistakes are one info line each with their code; no stack, no error, no repeated key, no token', async () => {
  const api = new RestClient(new URL(server.url).origin, TOKEN);
  const answers = await Promise.all([
    api.get<{ errorCode: string }>('/v1/faceswap/jobs/?jobid=nope'),
    api.get<{ errorCode: string }>('/v1/faceswap/account'),
    api.withToken('wrong-token').get<{ errorCode: string }>('/v1/faceswap/jobs/'),
    api.post<{ errorCode: string }>('/v1/faceswap/picsi', form({}, { source_image: { bytes: Buffer.from('text'), type: 'image/png' } })),
  ]);
  expect(answers.map((a) => a.body.errorCode)).toEqual(['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'BAD_USER_INPUT']);

  await expect.poll(() => jsonLines().filter((l) => l.includes('"component":"rest"')).length).toBe(4);
  const lines = jsonLines();
  const rest = lines.filter((l) => l.includes('"component":"rest"')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(rest.map((r) => [r['level'], r['code']]).sort()).toEqual(
    [
      [30, 'BAD_USER_INPUT'],
      [30, 'FORBIDDEN'],
      [30, 'NOT_FOUND'],
      [30, 'UNAUTHENTICATED'],
    ].sort(),
  );
  expect(rest.find((r) => r['code'] === 'NOT_FOUND')).toMatchObject({ method: 'GET', route: '/v1/faceswap/jobs/', status: 404 });
  expect(lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
  expect(lines.filter((l) => /"stack"|\.ts:\d+/.test(l))).toEqual([]);
  expect(lines.map(topLevelKeys).filter((keys) => new Set(keys).size !== keys.length)).toEqual([]);
  expect(lines.filter((l) => l.includes(TOKEN) || l.includes('wrong-token'))).toEqual([]);
});
