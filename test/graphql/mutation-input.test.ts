/**
 * One mutation style, end to end: the mutations that took loose arguments take `input:` (the old
 * forms still work, deprecated: the tests of each domain use them), and refuse both at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { postJson, submitPicsi, type GraphQLResponse } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const USER = 'user-token-input-style';
const ADMIN = 'admin-token-input-style';

let stack: Stack;
let channel: string;
let png: Buffer;

beforeAll(async () => {
  // The bot answers after 2 s: a job submitted now is still running when it is cancelled.
  stack = await startStack({ env: { API_TOKENS: USER, ADMIN_TOKENS: ADMIN }, botDelayMs: 2_000 });
  channel = stack.accounts[0]!.channelId;
  png = await makePng(16, 16);
});
afterAll(() => stack.stop());

const gql = <T>(query: string, variables: Record<string, unknown> = {}, token = ADMIN) => postJson<T>(stack.url, query, variables, token);
const jobCount = async () =>
  (await gql<{ jobs: { edges: unknown[] } }>('{ jobs(first: 100) { edges { cursor } } }')).body.data!.jobs.edges.length;
const errorOf = (res: GraphQLResponse) => ({ code: res.body.errors?.[0]?.extensions?.['code'], message: res.body.errors?.[0]?.message });

describe('mutations with input', () => {
  it('cancelJob(input: { id })', async () => {
    const id = await submitPicsi(stack.url, png, USER);
    const res = await gql<{ cancelJob: { id: string; status: string; code: string } }>(
      'mutation ($input: CancelJobInput!) { cancelJob(input: $input) { id status code } }',
      { input: { id } },
      USER,
    );
    expect(res.body).toEqual({ data: { cancelJob: { id, status: 'CANCELLED', code: 'CANCELLED' } } });
  });

  it('listIds(input:) and deleteAllIds(input:) run their commands with the input’s delivery fields', async () => {
    for (const [field, input] of [
      ['listIds', 'ListIdsInput'],
      ['deleteAllIds', 'DeleteAllIdsInput'],
    ] as const) {
      const res = await gql<Record<string, { command: string; status: string; channel: string; replyRef: string }>>(
        `mutation ($input: ${input}!) { ${field}(input: $input) { command status channel replyRef } }`,
        { input: { channel, replyRef: field, wait: true } },
        USER,
      );
      expect(res.body.errors, field).toBeUndefined();
      expect(res.body.data?.[field], field).toEqual({
        command: field === 'listIds' ? 'LISTID' : 'DELALL',
        status: 'COMPLETED',
        channel,
        replyRef: field,
      });
    }
  });

  it('pauseAccount(input:), resumeAccount(input:) and deleteAccount(input:)', async () => {
    const paused = await gql<{ pauseAccount: { health: { state: string; message: string } } }>(
      'mutation ($input: PauseAccountInput!) { pauseAccount(input: $input) { health { state message } } }',
      { input: { channel, note: 'input style' } },
    );
    expect(paused.body.data?.pauseAccount.health).toEqual({ state: 'PAUSED', message: 'input style' });
    const resumed = await gql<{ resumeAccount: { health: { state: string } } }>(
      'mutation ($input: ResumeAccountInput!) { resumeAccount(input: $input) { health { state } } }',
      { input: { channel } },
    );
    expect(resumed.body.data?.resumeAccount.health.state).toBe('ACTIVE');

    const extra = stack.simulator.createAccount();
    const upsert = await gql('mutation ($input: AccountInput!) { upsertAccount(input: $input) { channel } }', {
      input: { channel: extra.channelId, server: extra.guildId, discord: extra.token },
    });
    expect(upsert.body.errors).toBeUndefined();
    const remove = 'mutation ($input: DeleteAccountInput!) { deleteAccount(input: $input) }';
    expect((await gql(remove, { input: { channel: extra.channelId } })).body).toEqual({ data: { deleteAccount: true } });
    expect((await gql(remove, { input: { channel: extra.channelId } })).body).toEqual({ data: { deleteAccount: false } });
    expect(errorOf(await gql(remove, { input: { channel } }, USER)).code).toBe('FORBIDDEN');
  });
});

describe('input or the deprecated arguments', () => {
  it('the deprecated form still works', async () => {
    const id = await submitPicsi(stack.url, png, USER);
    const res = await gql<{ cancelJob: { status: string } }>('mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id }, USER);
    expect(res.body.data?.cancelJob.status).toBe('CANCELLED');
  });

  it('refuses both at once, and neither where the input is required, with BAD_USER_INPUT', async () => {
    const cases: [string, string][] = [
      [
        'mutation { cancelJob(input: { id: "a" }, id: "a") { id } }',
        'cancelJob takes input or its deprecated arguments, not both: move id into input',
      ],
      ['mutation { cancelJob { id } }', 'cancelJob needs input: { id }'],
      [
        `mutation { listIds(input: { wait: true }, channel: "${channel}", wait: false) { id } }`,
        'listIds takes input or its deprecated arguments, not both: move channel, wait into input',
      ],
      [
        `mutation { pauseAccount(input: { channel: "${channel}" }, note: "x") { channel } }`,
        'pauseAccount takes input or its deprecated arguments, not both: move note into input',
      ],
      ['mutation { pauseAccount(note: "x") { channel } }', 'pauseAccount needs input: { channel }'],
      ['mutation { resumeAccount { channel } }', 'resumeAccount needs input: { channel }'],
      ['mutation { deleteAccount }', 'deleteAccount needs input: { channel }'],
    ];
    const jobsBefore = await jobCount();
    for (const [query, message] of cases) expect(errorOf(await gql(query)), query).toEqual({ code: 'BAD_USER_INPUT', message });
    // Refused before anything ran: the account is still ACTIVE, no job was started.
    const read = await gql<{ account: { health: { state: string } } }>(
      'query ($c: String!) { account(channel: $c) { health { state } } }',
      {
        c: channel,
      },
    );
    expect(read.body.data?.account.health.state).toBe('ACTIVE');
    expect(await jobCount()).toBe(jobsBefore);
  });
});
