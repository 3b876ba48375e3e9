/**
 * Node, node(id:) and nodes(ids:) over real HTTP, with two user tokens and an admin: what job(id:)
 * and accounts show, node shows; everything else is null, like an id that never existed. A Job's
 * global id is its jobid, the string REST answers with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { postJson, submitPicsi } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const USER = 'user-token-nodes-1';
const OTHER = 'user-token-nodes-2';
const ADMIN = 'admin-token-nodes';

const NODE = /* GraphQL */ `
  query ($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Job {
        command
        verb
        status
      }
      ... on Account {
        channel
        health {
          state
        }
      }
    }
  }
`;
const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }';

interface NodeRead {
  __typename: 'Job' | 'Account';
  id: string;
  command?: string;
  verb?: string;
  status?: string;
  channel?: string;
}

let stack: Stack;
let userJob: string;
let otherJob: string;
let accountId: string;

const node = (id: string, token: string) => postJson<{ node: NodeRead | null }>(stack.url, NODE, { id }, token);
const nodes = (ids: string[], token: string) => postJson<{ nodes: (NodeRead | null)[] }>(stack.url, NODES, { ids }, token);

beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: `${USER},${OTHER}`, ADMIN_TOKENS: ADMIN }, botDelayMs: 5 });
  const png = await makePng(16, 16);
  userJob = await submitPicsi(stack.url, png, USER);
  otherJob = await submitPicsi(stack.url, png, OTHER);
  const accounts = await postJson<{ accounts: { id: string; channel: string }[] }>(stack.url, '{ accounts { id channel } }', {}, ADMIN);
  accountId = accounts.body.data!.accounts[0]!.id;
});
afterAll(() => stack.stop());

describe('node(id:)', () => {
  it("refetches the viewer's own job by its id, which is its jobid", async () => {
    const res = await node(userJob, USER);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.node).toMatchObject({ __typename: 'Job', id: userJob, command: 'PICSI', verb: 'faceswap-picsi' });
    const rest = await fetch(`${stack.url.replace(/\/graphql$/, '')}/v1/faceswap/jobs/?jobid=${userJob}`, {
      headers: { authorization: `Bearer ${USER}` },
    });
    expect(((await rest.json()) as { jobid: string }).jobid).toBe(userJob);
  });

  it("shows another token's job as null, where job(id:) says NOT_FOUND: never the job", async () => {
    const res = await node(otherJob, USER);
    expect(res.body).toEqual({ data: { node: null } });
    const direct = await postJson(stack.url, 'query ($id: ID!) { job(id: $id) { id } }', { id: otherJob }, USER);
    expect(direct.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await node(otherJob, OTHER)).body.data?.node).toMatchObject({ __typename: 'Job', id: otherJob });
  });

  it('is null for an id that names nothing, and for an account id read as a job id', async () => {
    for (const id of ['', 'no-such-job', userJob.toUpperCase(), stack.accounts[0]!.channelId])
      expect((await node(id, USER)).body, id).toEqual({ data: { node: null } });
  });

  it('shows an account to an admin token only', async () => {
    expect(accountId).not.toBe(stack.accounts[0]!.channelId);
    const admin = await node(accountId, ADMIN);
    expect(admin.body.data?.node).toMatchObject({ __typename: 'Account', id: accountId, channel: stack.accounts[0]!.channelId });
    for (const token of [USER, OTHER]) expect((await node(accountId, token)).body, token).toEqual({ data: { node: null } });
  });

  it('shows an admin every job', async () => {
    for (const id of [userJob, otherJob]) expect((await node(id, ADMIN)).body.data?.node).toMatchObject({ __typename: 'Job', id });
  });
});

describe('nodes(ids:)', () => {
  it('answers in order, null where node(id:) would be null', async () => {
    const ids = [userJob, otherJob, 'no-such-job', accountId, userJob];
    const user = await nodes(ids, USER);
    expect(user.body.errors).toBeUndefined();
    expect(user.body.data?.nodes).toEqual([{ __typename: 'Job', id: userJob }, null, null, null, { __typename: 'Job', id: userJob }]);
    const other = await nodes(ids, OTHER);
    expect(other.body.data?.nodes).toEqual([null, { __typename: 'Job', id: otherJob }, null, null, null]);
    const admin = await nodes(ids, ADMIN);
    expect(admin.body.data?.nodes).toEqual([
      { __typename: 'Job', id: userJob },
      { __typename: 'Job', id: otherJob },
      null,
      { __typename: 'Account', id: accountId },
      { __typename: 'Job', id: userJob },
    ]);
  });

  it('takes at most 100 ids', async () => {
    const res = await nodes(
      Array.from({ length: 101 }, () => userJob),
      USER,
    );
    expect(res.body.errors?.[0]).toMatchObject({ message: 'nodes takes at most 100 ids', extensions: { code: 'BAD_USER_INPUT' } });
    expect(
      (
        await nodes(
          Array.from({ length: 100 }, () => userJob),
          USER,
        )
      ).body.data?.nodes,
    ).toHaveLength(100);
  });
});
