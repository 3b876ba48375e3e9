/**
 * One job service, two skins: a job created over REST is GraphQL's job too, followed live by
 * `jobUpdated` over graphql-ws until COMPLETED and read by `job(id)`; and a job created over GraphQL
 * is read over REST.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collect, submitPicsi, wsClient } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { expectSameJob, form, graphqlJob, RestClient, type HostedJob } from './helpers.js';

const TOKEN = 'rest-mix-token';
let stack: Stack;
let api: RestClient;
let png: Buffer;

beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: TOKEN, WAIT_TIMEOUT_MS: '200' } });
  api = new RestClient(new URL(stack.url).origin, TOKEN);
  png = await makePng(32, 32);
});
afterAll(() => stack?.stop());

it('a REST picsi is seen by jobUpdated until COMPLETED and by job(id), field for field', async () => {
  const channel = stack.accounts[0]!.channelId;
  stack.simulator.script(channel, { kind: 'success', delayMs: 1200 });
  const started = await api.post(
    '/v1/faceswap/picsi',
    form({ replyRef: 'mixed' }, { source_image: { bytes: png }, target_image_gif_or_video: { bytes: png } }),
  );
  expect(started.body.status).toBe('started');

  const client = wsClient(stack.url, TOKEN);
  try {
    const { results, errors } = await collect<{ jobUpdated: { id: string; status: string; replyRef: string } }>(
      client,
      'subscription ($id: ID!) { jobUpdated(id: $id) { id status replyRef } }',
      { id: started.body.jobid },
    );
    expect(errors).toEqual([]);
    expect(results.map((r) => r.jobUpdated.id)).toEqual(results.map(() => started.body.jobid));
    // Followed live: first as it ran, last as it ended.
    expect(['QUEUED', 'STARTED']).toContain(results[0]?.jobUpdated.status);
    expect(results.at(-1)?.jobUpdated).toMatchObject({ status: 'COMPLETED', replyRef: 'mixed' });
  } finally {
    await client.dispose();
  }
  const rest = await api.get(`/v1/faceswap/jobs/?jobid=${started.body.jobid}`);
  expectSameJob(rest.body, await graphqlJob(stack.url, TOKEN, started.body.jobid));
});

it('a GraphQL picsi is read over REST', async () => {
  const id = await submitPicsi(stack.url, png, TOKEN);
  await expect.poll(async () => (await api.get(`/v1/faceswap/jobs/?jobid=${id}`)).body.status).toBe('completed');
  const rest = await api.get<HostedJob>(`/v1/faceswap/jobs/?jobid=${id}`);
  expectSameJob(rest.body, await graphqlJob(stack.url, TOKEN, id));
});
