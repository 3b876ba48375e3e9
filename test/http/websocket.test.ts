import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { collect, submitPicsi, wsClient } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-ws-test';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: TOKEN }, botDelayMs: 50 });
});
afterAll(() => stack.stop());

const JOB_UPDATED = 'subscription ($id: ID!) { jobUpdated(id: $id) { id status version attachments { url width height } } }';

describe('graphql-ws on the same port and path', () => {
  it('connects, subscribes, receives every state and completes after the terminal one', async () => {
    const png = await makePng(40, 40);
    const id = await submitPicsi(stack.url, png, TOKEN);
    const client = wsClient(stack.url, TOKEN);
    try {
      const { results, errors } = await collect<{ jobUpdated: { status: string; version: number; attachments: unknown[] } }>(
        client,
        JOB_UPDATED,
        { id },
      );
      expect(errors).toEqual([]);
      const statuses = results.map((r) => r.jobUpdated.status);
      expect(statuses.at(-1)).toBe('COMPLETED');
      const versions = results.map((r) => r.jobUpdated.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
      expect(results.at(-1)!.jobUpdated.attachments).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });

  it('closes a connection without a token with 4401, with an unknown token with 4403, each saying why', async () => {
    const closes = [];
    for (const token of [undefined, 'wrong-token']) {
      const client = wsClient(stack.url, token);
      const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
        client.on('closed', (event) => resolve(event as { code: number; reason: string }));
        client.subscribe({ query: '{ __typename }' }, { next: () => {}, error: () => {}, complete: () => {} });
      });
      closes.push({ code: closed.code, reason: closed.reason });
      await client.dispose();
    }
    expect(closes).toEqual([
      { code: 4401, reason: 'missing token' },
      { code: 4403, reason: 'unknown token' },
    ]);
  });

  it('reports NOT_FOUND for another token’s or an unknown job, and completes', async () => {
    const client = wsClient(stack.url, TOKEN);
    try {
      const { errors } = await collect(client, JOB_UPDATED, { id: 'no-such-job' });
      expect(errors).toHaveLength(1);
      expect((errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('NOT_FOUND');
    } finally {
      await client.dispose();
    }
  });
});
