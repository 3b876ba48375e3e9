/**
 * A subscription the client leaves while the server waits for the next change (the bot is still
 * working) drops its Redis subscription at once: by unsubscribing, and by closing the
 * connection. Counted on Redis itself (PUBSUB CHANNELS), so a listener left behind shows.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { submitPicsi, wsClient } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-subscription-cleanup';
const REDIS_URL = 'redis://127.0.0.1:6379';
const PREFIX = `test:sub-cleanup:${randomUUID()}:`;

let stack: Stack;
let redis: Redis;
beforeAll(async () => {
  // The bot takes a minute: once it has the command, nothing happens to the job for the test's length.
  stack = await startStack({ env: { API_TOKENS: TOKEN, REDIS_URL, REDIS_PREFIX: PREFIX }, botDelayMs: 60_000 });
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

/** The pub/sub channels of this stack that some connection listens on. */
const listened = async (): Promise<string[]> =>
  ((await redis.pubsub('CHANNELS', '*')) as string[]).filter((c) => c.includes(PREFIX.slice(0, -1))).sort();

const SUBSCRIPTIONS = {
  jobUpdated: 'subscription ($id: ID!) { jobUpdated(id: $id) { id status } }',
  jobsUpdated: 'subscription { jobsUpdated { id status } }',
};

describe('leaving a subscription that waits for the next change', () => {
  let jobId: string;
  beforeAll(async () => {
    jobId = await submitPicsi(stack.url, await makePng(16, 16), TOKEN);
    await vi.waitFor(() => expect(stack.simulator.stats(stack.accounts[0]!.channelId).inFlight).toBe(1));
  });

  it.each(['unsubscribe', 'disconnect'] as const)('%s: jobUpdated and jobsUpdated leave no Redis subscription', async (how) => {
    const before = await listened();
    const client = wsClient(stack.url, TOKEN);
    const seen: string[] = [];
    const stops = Object.entries(SUBSCRIPTIONS).map(([field, query]) =>
      client.subscribe(
        { query, variables: { id: jobId } },
        { next: () => seen.push(field), error: () => undefined, complete: () => undefined },
      ),
    );
    // jobUpdated answers with the stored state once subscribed; both then wait.
    await expect.poll(() => seen).toContain('jobUpdated');
    await expect.poll(listened).toHaveLength(before.length + 2);

    if (how === 'unsubscribe') for (const stop of stops) stop();
    else await client.dispose();
    await expect.poll(listened).toEqual(before);
    if (how === 'unsubscribe') await client.dispose();
  });
});
