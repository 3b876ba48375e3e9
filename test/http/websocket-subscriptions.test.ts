/**
 * Several jobUpdated subscriptions on one graphql-ws connection, each ended by the client the moment
 * it sees the terminal state (bench/common.ts `waitTerminal`) while the server completes it too.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWs, submit, waitTerminal } from '../../bench/common.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-ws-subscriptions';
const JOBS = 5;
const COORDINATORS: Record<string, Record<string, string>> = {
  embedded: {},
  redis: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `test:ws-subs:${randomUUID()}:` },
};

describe.each(Object.keys(COORDINATORS))('jobUpdated subscriptions sharing a connection (%s coordinator)', (coordinator) => {
  let stack: Stack;
  beforeAll(async () => {
    // One channel and a slow bot: the jobs run one after another, so later subscriptions are still
    // waiting when the earlier ones get COMPLETED and are unsubscribed.
    stack = await startStack({ env: { API_TOKENS: TOKEN, ...COORDINATORS[coordinator] }, botDelayMs: 200 });
  });
  afterAll(() => stack.stop());

  it('unsubscribing one right after its COMPLETED leaves the others running to COMPLETED', async () => {
    const files = { source: await makePng(32, 32), target: await makePng(48, 48) };
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) ids.push((await submit(stack.url, files, { mode: 'QUEUE' }, TOKEN)).id);
    const client = openWs(stack.url, TOKEN);
    const closes: number[] = [];
    client.on('closed', (event) => closes.push((event as { code: number }).code));
    try {
      const outcomes = await Promise.all(ids.map((id) => waitTerminal(client, id).catch((error: unknown) => String(error))));
      expect(outcomes).toEqual(ids.map(() => 'COMPLETED'));
      // The client kept its connection: no socket closed under the subscriptions still waiting.
      expect(closes).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});
