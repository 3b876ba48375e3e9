/** The user-visible lifecycle end to end over real HTTP and websockets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { collect, PICSI_MUTATION, postJson, postMultipart, wsClient } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-lifecycle';
let stack: Stack;
let png: Buffer;
beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: TOKEN }, botDelayMs: 150 });
  png = await makePng(48, 48, { color: '#336699' });
});
afterAll(() => stack.stop());

type JobData = {
  id: string;
  status: string;
  queuePosition: number | null;
  attachments: { url: string; width: number; height: number; contentType: string; size: number }[];
};
const upload = (input: Record<string, unknown> = {}) =>
  postMultipart<{ picsi: JobData }>(
    stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, ...input } },
    {
      'input.sourceImage': { bytes: png, filename: 'face.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 'target.png', type: 'image/png' },
    },
    { token: TOKEN },
  );

describe('picsi → job → jobUpdated', () => {
  it('a queued job streams QUEUED → STARTED → COMPLETED with its attachments', async () => {
    const first = await upload();
    const second = await upload({ replyRef: 'ref-42' });
    expect(second.body.data?.picsi).toMatchObject({ status: 'QUEUED', queuePosition: 1 });

    const client = wsClient(stack.url, TOKEN);
    try {
      const { results, errors } = await collect<{ jobUpdated: JobData }>(
        client,
        'subscription ($id: ID!) { jobUpdated(id: $id) { id status queuePosition attachments { url width height contentType size } } }',
        { id: second.body.data!.picsi.id },
      );
      expect(errors).toEqual([]);
      const statuses = results.map((r) => r.jobUpdated.status).filter((s, i, all) => s !== all[i - 1]);
      expect(statuses).toEqual(['QUEUED', 'STARTED', 'COMPLETED']);
      const [attachment] = results.at(-1)!.jobUpdated.attachments;
      expect(attachment).toMatchObject({ width: 48, height: 48, contentType: 'image/png' });
      const image = await fetch(attachment!.url);
      expect(image.status).toBe(200);
      expect((await image.arrayBuffer()).byteLength).toBe(attachment!.size);
    } finally {
      await client.dispose();
    }
    const firstJob = await postJson<{ job: { status: string } }>(
      stack.url,
      'query ($id: ID!) { job(id: $id) { status } }',
      { id: first.body.data!.picsi.id },
      TOKEN,
    );
    expect(firstJob.body.data?.job.status).toBe('COMPLETED');
  });

  it('wait: true returns the finished job (the hosted API blocking call)', async () => {
    const res = await upload({ wait: true, options: '-m' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.picsi.status).toBe('COMPLETED');
    expect(res.body.data?.picsi.attachments).toHaveLength(1);
  });

  it('jobs pages forward with cursors, newest first, filtered by status', async () => {
    const page1 = await postJson<{
      jobs: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    }>(stack.url, '{ jobs(first: 1, status: COMPLETED) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }', {}, TOKEN);
    expect(page1.body.data?.jobs.edges).toHaveLength(1);
    expect(page1.body.data?.jobs.pageInfo.hasNextPage).toBe(true);
    const page2 = await postJson<{ jobs: { edges: { node: { id: string } }[] } }>(
      stack.url,
      'query ($after: String) { jobs(first: 10, status: COMPLETED, after: $after) { edges { node { id } } } }',
      { after: page1.body.data!.jobs.pageInfo.endCursor },
      TOKEN,
    );
    const ids = page2.body.data!.jobs.edges.map((e) => e.node.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(ids).not.toContain(page1.body.data!.jobs.edges[0]!.node.id);

    // Any edge's cursor resumes right after that edge, not only the last one's.
    type Page = { jobs: { edges: { cursor: string; node: { id: string } }[] } };
    const three = await postJson<Page>(stack.url, '{ jobs(first: 3) { edges { cursor node { id } } } }', {}, TOKEN);
    const edges = three.body.data!.jobs.edges;
    const resumed = await postJson<Page>(
      stack.url,
      'query ($after: String) { jobs(first: 1, after: $after) { edges { cursor node { id } } } }',
      { after: edges[0]!.cursor },
      TOKEN,
    );
    expect(resumed.body.data!.jobs.edges[0]!.node.id).toBe(edges[1]!.node.id);
  });

  it('cancelJob takes a queued job out of the queue', async () => {
    await upload();
    const queued = await upload();
    expect(queued.body.data?.picsi.status).toBe('QUEUED');
    const res = await postJson<{ cancelJob: { status: string; code: string } }>(
      stack.url,
      'mutation ($id: ID!) { cancelJob(id: $id) { status code } }',
      { id: queued.body.data!.picsi.id },
      TOKEN,
    );
    expect(res.body.data?.cancelJob).toEqual({ status: 'CANCELLED', code: 'CANCELLED' });
  });
});
