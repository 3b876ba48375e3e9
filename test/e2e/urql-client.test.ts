/** A real client library end to end: urql's fetchExchange (multipart upload) + graphql-ws subscriptions. */
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { pipe, subscribe } from 'wonka';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobUpdatedDocument, PicsiDocument } from '../../schema/generated/operations.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-urql';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: TOKEN }, botDelayMs: 20 });
});
afterAll(() => stack.stop());

describe('urql + graphql-ws', () => {
  it('uploads two files with the typed Picsi document and follows the job to COMPLETED', async () => {
    const ws = createWsClient({
      url: stack.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${TOKEN}` },
    });
    const client = new Client({
      url: stack.url,
      fetchOptions: { headers: { authorization: `Bearer ${TOKEN}`, 'apollo-require-preflight': 'true' } },
      exchanges: [
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
        fetchExchange,
      ],
    });
    try {
      const png = await makePng(30, 20);
      const source = new File([new Uint8Array(png)], 'face.png', { type: 'image/png' });
      const target = new File([new Uint8Array(png)], 'target.png', { type: 'image/png' });
      const created = await client
        .mutation(PicsiDocument, { input: { sourceImage: source, targetImage: target, replyRef: 'urql' } })
        .toPromise();
      expect(created.error).toBeUndefined();
      const job = created.data!.picsi;
      expect(job.sourceImage).toEqual({ size: png.length, type: 'image/png', filename: 'face.png' });

      const statuses = await new Promise<string[]>((resolve, reject) => {
        const seen: string[] = [];
        const subscription = pipe(
          client.subscription(JobUpdatedDocument, { id: job.id }),
          subscribe((result) => {
            if (result.error) return reject(result.error);
            const update = result.data!.jobUpdated;
            seen.push(update.status);
            if (update.status === 'COMPLETED') {
              expect(update.attachments[0]).toMatchObject({ width: 30, height: 20 });
              subscription.unsubscribe();
              resolve(seen);
            }
          }),
        );
      });
      expect(statuses.at(-1)).toBe('COMPLETED');
    } finally {
      await ws.dispose();
    }
  });
});
