/**
 * Fairness between API tokens, through the GraphQL API on one account: a token's burst does not
 * starve another's job (round-robin across tokens at each claim), and with TOKEN_DAILY_CREDITS no
 * token spends the others' credits: its jobs past its share are refused at submit, and every job
 * admitted completes. On the embedded store and on Redis.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/jobs/model.js';
import type { JobView } from '../../src/jobs/job-service.js';
import { postPicsi, type GraphQLResponse } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKENS = ['token-a-fairness', 'token-b-fairness', 'token-c-fairness'] as const;
const [A, B, C] = TOKENS;

async function finalState(stack: Stack, id: string): Promise<JobView> {
  for await (const job of stack.services.jobs.watch(id, AbortSignal.timeout(60_000))) if (isTerminal(job.status)) return job;
  throw new Error(`job ${id} ended its watch before a terminal state`);
}

type Submitted = GraphQLResponse<{ picsi: { id: string } }>;
const idOf = (res: Submitted) => {
  const id = res.body.data?.picsi.id;
  if (!id) throw new Error(`refused: ${JSON.stringify(res.body.errors)}`);
  return id;
};

const stores: [string, Record<string, string>][] = [
  ['embedded', {}],
  ['redis', { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `test:fairness:${randomUUID()}:` }],
];

describe.each(stores)('fairness between API tokens (%s store)', (_name, env) => {
  let stack: Stack | undefined;
  afterEach(async () => stack?.stop());
  const png = makePng(16, 16);

  it('token A queues 12 jobs, then token B queues 1, on one channel: B’s job runs before at least 8 of A’s', async () => {
    stack = await startStack({ botDelayMs: 20, env: { ...env, API_TOKENS: TOKENS.join(',') } });
    const url = stack.url;
    const channel = stack.accounts[0]!.channelId;
    // A third token's job holds the channel (the bot never answers it) while A and B queue, however slow the machine.
    stack.simulator.script(channel, { kind: 'silence' });
    const holder = idOf(await postPicsi(url, await png, { token: C }));
    await expect.poll(() => stack!.simulator.stats(channel).interactions, { timeout: 10_000 }).toBe(1);
    const a: string[] = [];
    for (let i = 0; i < 12; i++) a.push(idOf(await postPicsi(url, await png, { token: A })));
    const b = idOf(await postPicsi(url, await png, { token: B }));
    await stack.services.jobs.cancel(holder, null);
    const ends = await Promise.all([...a, b].map((id) => finalState(stack!, id)));
    expect(ends.map((j) => j.status)).toEqual(Array(13).fill('COMPLETED'));
    const started = (id: string) => Date.parse(ends.find((j) => j.id === id)!.startedAt!);
    const aAfterB = a.filter((id) => started(id) > started(b)).length;
    expect(aAfterB).toBeGreaterThanOrEqual(8);
    expect(aAfterB).toBe(11); // B's job shares A's first round: it runs second
    // A's own jobs ran in the order A queued them.
    expect([...a].sort((x, y) => started(x) - started(y))).toEqual(a);
  });

  it('TOKEN_DAILY_CREDITS: a token’s jobs past its share are refused at submit; every job admitted completes', async () => {
    stack = await startStack({
      botDelayMs: 20,
      env: { ...env, API_TOKENS: TOKENS.join(','), CREDITS_PER_DAY: '50', PICSI_CREDIT_COST: '3', TOKEN_DAILY_CREDITS: '24' },
    });
    const url = stack.url;
    const submit = async (token: string, n: number) => {
      const replies: Submitted[] = [];
      for (let i = 0; i < n; i++) replies.push(await postPicsi(url, await png, { token }));
      return replies;
    };
    // The burst: 17 jobs of one token, then another token's.
    const fromA = await submit(A, 17);
    const fromB = await submit(B, 9);
    const [fromC] = await submit(C, 1);
    const accepted = [...fromA, ...fromB].filter((r) => r.status === 200).map(idOf);
    expect(accepted).toHaveLength(16);
    for (const refused of [fromA.slice(8), fromB.slice(8)].flat()) {
      expect(refused.status).toBe(402);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'TOKEN_CREDITS_SPENT', share: 24, cost: 3 });
    }
    // 48 of the account's 50 credits are the two tokens': a third finds no 3 credits left unreserved.
    expect(fromC!.status).toBe(402);
    expect(fromC!.body.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_REQUIRED', room: 2, cost: 3 });
    const ends = await Promise.all(accepted.map((id) => finalState(stack!, id)));
    expect(ends.map((j) => j.status)).toEqual(Array(16).fill('COMPLETED'));
    expect(await stack.services.jobs.accounts.list()).toMatchObject([{ credits: { used: 48, total: 50 } }]);
  });
});
