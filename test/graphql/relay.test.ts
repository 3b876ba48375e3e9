/**
 * Relay against the server, in Node (relay-runtime, no React): the documents in
 * test/graphql/relay/documents.ts, compiled by relay-compiler against schema/schema.graphql (which
 * needs Node and node(id:) for the @refetchable Job fragment). Relay fetches jobs through the
 * connection, pages with `after` (its connection handler appends the page), and refetches a job
 * through node(id:) into the same normalised record the connection's edge reads.
 */
import {
  createOperationDescriptor,
  Environment,
  fetchQuery,
  getSelector,
  Network,
  RecordSource,
  Store,
  type ConcreteRequest,
  type GraphQLResponse,
  type OperationType,
  type ReaderFragment,
} from 'relay-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import RelayJob_job, { type RelayJob_job$data } from '../../schema/generated/relay/RelayJob_job.graphql.js';
import RelayJobRefetchQuery, {
  type RelayJobRefetchQuery as RefetchOperation,
} from '../../schema/generated/relay/RelayJobRefetchQuery.graphql.js';
import RelayJobs_query, { type RelayJobs_query$data } from '../../schema/generated/relay/RelayJobs_query.graphql.js';
import RelayJobsPaginationQuery from '../../schema/generated/relay/RelayJobsPaginationQuery.graphql.js';
import RelayJobsQuery, { type RelayJobsQuery as JobsOperation } from '../../schema/generated/relay/RelayJobsQuery.graphql.js';
import { makePng } from '../helpers/images.js';
import { postJson, submitPicsi } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-relay';
const OTHER = 'user-token-relay-other';

interface Sent {
  name: string;
  text: string;
  variables: Record<string, unknown>;
}

/** A Relay environment whose network is plain fetch to the server, recording each operation it sends. */
function relayEnvironment(url: string, token: string, sent: Sent[]): Environment {
  const network = Network.create(async (params, variables) => {
    sent.push({ name: params.name, text: params.text ?? '', variables });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: params.text, variables }),
    });
    return (await res.json()) as GraphQLResponse;
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

/** What a query's root reads from the store (fragment references, as a component would receive them). */
function readQuery<T extends OperationType>(env: Environment, query: ConcreteRequest, variables: T['variables']): T['response'] {
  return env.lookup(createOperationDescriptor(query, variables).fragment).data;
}

/** What a fragment reads from the store for one reference (useFragment without React). */
function readFragment<T>(env: Environment, fragment: ReaderFragment, ref: unknown): T {
  const selector = getSelector(fragment, ref);
  if (selector?.kind !== 'SingularReaderSelector') throw new Error(`no selector for ${fragment.name}`);
  return env.lookup(selector).data as T;
}

let stack: Stack;
let ids: string[];
beforeAll(async () => {
  // One channel and a slow bot: the first job runs for 5 s while the two others stay QUEUED.
  stack = await startStack({ env: { API_TOKENS: `${TOKEN},${OTHER}` }, botDelayMs: 5_000 });
  const png = await makePng(16, 16);
  ids = [];
  for (let i = 0; i < 3; i++) ids.push(await submitPicsi(stack.url, png, TOKEN));
});
afterAll(() => stack.stop());

describe('relay-runtime', () => {
  it('fetches jobs through the connection, pages with after, and refetches a job through node', async () => {
    const [oldest, middle, newest] = ids as [string, string, string];
    const sent: Sent[] = [];
    const env = relayEnvironment(stack.url, TOKEN, sent);
    const readJobs = () => readFragment<RelayJobs_query$data>(env, RelayJobs_query, readQuery<JobsOperation>(env, RelayJobsQuery, {}));
    const job = (id: string) => {
      const edge = readJobs().jobs.edges.find((e) => e.node.id === id);
      if (!edge) throw new Error(`job ${id} is not in the connection`);
      return readFragment<RelayJob_job$data>(env, RelayJob_job, edge.node);
    };

    await fetchQuery(env, RelayJobsQuery, {}).toPromise();
    const first = readJobs();
    expect(first.jobs.edges.map((e) => e.node.id)).toEqual([newest, middle]);
    expect(first.jobs.pageInfo.hasNextPage).toBe(true);
    expect(job(newest)).toMatchObject({ id: newest, command: 'PICSI', status: 'QUEUED' });

    // The next page, as usePaginationFragment's loadNext asks for it: Relay's connection handler
    // appends it to the connection the first query read.
    const after = first.jobs.pageInfo.endCursor;
    await fetchQuery(env, RelayJobsPaginationQuery, { first: 2, after }).toPromise();
    expect(sent.at(-1)).toMatchObject({ name: 'RelayJobsPaginationQuery', variables: { first: 2, after } });
    const all = readJobs();
    expect(all.jobs.edges.map((e) => e.node.id)).toEqual([newest, middle, oldest]);
    expect(all.jobs.pageInfo.hasNextPage).toBe(false);

    // The job changes on the server; Relay's store still has it QUEUED until it is refetched.
    const cancelled = await postJson(
      stack.url,
      'mutation ($input: CancelJobInput!) { cancelJob(input: $input) { status } }',
      {
        input: { id: newest },
      },
      TOKEN,
    );
    expect(cancelled.body.data).toEqual({ cancelJob: { status: 'CANCELLED' } });
    expect(job(newest).status).toBe('QUEUED');

    // The @refetchable fragment's query: node(id:) with the job's id.
    await fetchQuery(env, RelayJobRefetchQuery, { id: newest }).toPromise();
    expect(sent.at(-1)).toMatchObject({ name: 'RelayJobRefetchQuery', variables: { id: newest } });
    expect(sent.at(-1)!.text).toContain('node(id: $id)');
    const refetched = readQuery<RefetchOperation>(env, RelayJobRefetchQuery, { id: newest });
    expect(readFragment<RelayJob_job$data>(env, RelayJob_job, refetched.node)).toMatchObject({ id: newest, status: 'CANCELLED' });
    // One record per id: the connection's edge reads the refetched state.
    expect(job(newest).status).toBe('CANCELLED');
    expect(job(middle).status).toBe('QUEUED');
  });

  it("refetches another token's job as null", async () => {
    const env = relayEnvironment(stack.url, OTHER, []);
    await fetchQuery(env, RelayJobRefetchQuery, { id: ids[0]! }).toPromise();
    expect(readQuery<RefetchOperation>(env, RelayJobRefetchQuery, { id: ids[0]! })).toEqual({ node: null });
  });
});
