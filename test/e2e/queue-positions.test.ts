/**
 * Queue positions that move: a job behind three others on one channel, followed over graphql-ws and
 * over SSE (GraphQL over Server-Sent Events), gets QUEUED at 4, 3, 2 and 1 as the jobs ahead start,
 * then STARTED, then COMPLETED, each exactly once (the commands recorded while it runs are not sent
 * again). On the embedded store and on Redis (the queue event crosses pub/sub).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { submitPicsi, wsClient } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const QUERY = 'subscription ($id: ID!) { jobUpdated(id: $id) { status queuePosition estimatedStartAt } }';
interface Update {
  status: string;
  queuePosition: number | null;
  estimatedStartAt: string | null;
}

/** Every `next` of a subscription over SSE until it completes; `onNext` sees each as it comes. */
async function overSse(url: string, id: string, onNext: (update: Update) => void): Promise<Update[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: QUERY, variables: { id } }),
  });
  if (!res.ok || !res.body) throw new Error(`SSE subscription refused: ${res.status}`);
  const updates: Update[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (/^event: complete/m.test(event)) {
        await reader.cancel();
        return updates;
      }
      const data = /^data: (.*)$/m.exec(event)?.[1];
      if (!/^event: next/m.test(event) || !data) continue;
      const update = (JSON.parse(data) as { data: { jobUpdated: Update } }).data.jobUpdated;
      updates.push(update);
      onNext(update);
    }
  }
  return updates;
}

async function overWs(url: string, id: string, onNext: (update: Update) => void): Promise<Update[]> {
  const client = wsClient(url);
  const updates: Update[] = [];
  try {
    return await new Promise<Update[]>((resolve, reject) => {
      client.subscribe<{ jobUpdated: Update }>(
        { query: QUERY, variables: { id } },
        {
          next: ({ data, errors }) => {
            if (errors) reject(new Error(JSON.stringify(errors)));
            if (!data) return;
            updates.push(data.jobUpdated);
            onNext(data.jobUpdated);
          },
          error: reject,
          complete: () => resolve(updates),
        },
      );
    });
  } finally {
    // Completed by the server: dispose of the client on a later turn, never from inside next().
    await new Promise((resolve) => setImmediate(resolve));
    await client.dispose();
  }
}

const stores: [string, Record<string, string>][] = [
  ['embedded', {}],
  ['redis', { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `test:positions:${randomUUID()}:` }],
];

describe.each(stores)('queue positions pushed as they move (%s store)', (_name, env) => {
  let stack: Stack | undefined;
  afterEach(async () => stack?.stop());

  it('a job behind three others gets QUEUED 4, 3, 2, 1, then STARTED and COMPLETED, each once, over graphql-ws and SSE', async () => {
    stack = await startStack({ botDelayMs: 150, env });
    const channel = stack.accounts[0]!.channelId;
    const png = await makePng(16, 16);
    // The first job holds the channel (the bot never answers it) until it is cancelled.
    stack.simulator.script(channel, { kind: 'silence' });
    const holder = await submitPicsi(stack.url, png);
    await expect.poll(() => stack!.simulator.stats(channel).interactions, { timeout: 10_000 }).toBe(1);
    for (let i = 0; i < 3; i++) await submitPicsi(stack.url, png);
    const id = await submitPicsi(stack.url, png);

    let subscribed = 0;
    let both: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (both = resolve));
    const first = () => {
      if (++subscribed === 2) both();
    };
    const once = (fn: () => void) => {
      let called = false;
      return () => {
        if (!called) fn();
        called = true;
      };
    };
    const streams = [overWs(stack.url, id, once(first)), overSse(stack.url, id, once(first))];
    await ready;
    await stack.services.jobs.cancel(holder, null);
    const [ws, sse] = await Promise.all(streams);

    for (const updates of [ws!, sse!]) {
      expect(updates.map((u) => [u.status, u.queuePosition])).toEqual([
        ['QUEUED', 4],
        ['QUEUED', 3],
        ['QUEUED', 2],
        ['QUEUED', 1],
        ['STARTED', null],
        ['COMPLETED', null],
      ]);
      for (const u of updates.slice(0, 4)) expect(Date.parse(u.estimatedStartAt!)).toBeGreaterThan(0);
      expect(updates.slice(4).map((u) => u.estimatedStartAt)).toEqual([null, null]);
    }
  });
});
