/** Graceful shutdown of a real server process: running jobs finish, then exit 0. */
import { expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startServerProcess } from '../helpers/server-process.js';

it('on SIGTERM lets the running job finish, answers its blocked request, then exits 0', async () => {
  const server = await startServerProcess({ SIMULATOR_BOT_DELAY_MS: '700', SHUTDOWN_TIMEOUT_MS: '10000' });
  const png = await makePng(16, 16);
  const pending = postMultipart<{ picsi: { status: string } }>(
    server.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, wait: true } },
    {
      'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
    },
  );
  // SIGTERM once the job is running on Discord (the simulated bot takes 700 ms to answer).
  await expect
    .poll(
      async () =>
        (await postJson<{ jobs: { edges: unknown[] } }>(server.url, '{ jobs(first: 1, status: STARTED) { edges { cursor } } }')).body.data
          ?.jobs.edges.length,
      { timeout: 20_000, interval: 20 },
    )
    .toBe(1);
  server.child.kill('SIGTERM');
  const res = await pending;
  expect(res.body.data?.picsi.status).toBe('COMPLETED');
  expect(await server.exited).toEqual({ code: 0, signal: null });
  expect(server.logs.some((l) => l.includes('shutdown complete'))).toBe(true);
}, 60_000);
