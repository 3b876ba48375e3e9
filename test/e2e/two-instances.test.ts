/** Two server instances on one Redis share jobs, channels and events. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { collect, PICSI_MUTATION, postJson, postMultipart, wsClient } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { inputBlobsUnder } from '../helpers/files.js';

const TOKEN = 'user-token-two-instances';
const blobRoot = mkdtempSync(join(tmpdir(), 'picsi-two-blobs-'));
let simulator: DiscordSimulator;
let a: Stack;
let b: Stack;
beforeAll(async () => {
  simulator = await DiscordSimulator.start({ botDelayMs: 100 });
  const accounts = [simulator.createAccount()];
  const env = {
    API_TOKENS: TOKEN,
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `test:${randomUUID()}:`,
    REAPER_INTERVAL_MS: '100',
    STORAGE_URL: pathToFileURL(blobRoot).href,
  };
  a = await startStack({ simulator, accounts, env });
  b = await startStack({ simulator, accounts, env });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await simulator?.close();
});

describe('two instances, one Redis', () => {
  it('a job created on A is followed to completion by a subscriber on B', async () => {
    const png = await makePng(32, 32);
    const created = await postMultipart<{ picsi: { id: string } }>(
      a.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null } },
      {
        'input.sourceImage': { bytes: png, filename: 'a.png', type: 'image/png' },
        'input.targetImage': { bytes: png, filename: 'b.png', type: 'image/png' },
      },
      { token: TOKEN },
    );
    const id = created.body.data!.picsi.id;
    const client = wsClient(b.url, TOKEN);
    try {
      const { results, errors } = await collect<{ jobUpdated: { status: string; attachments: unknown[] } }>(
        client,
        'subscription ($id: ID!) { jobUpdated(id: $id) { status attachments { url } } }',
        { id },
      );
      expect(errors).toEqual([]);
      expect(results.at(-1)?.jobUpdated.status).toBe('COMPLETED');
      expect(results.at(-1)?.jobUpdated.attachments).toHaveLength(1);
    } finally {
      await client.dispose();
    }
    const onB = await postJson<{ job: { status: string } }>(b.url, 'query ($id: ID!) { job(id: $id) { status } }', { id }, TOKEN);
    expect(onB.body.data?.job.status).toBe('COMPLETED');
  });

  it('jobs from both instances on one channel never overlap on Discord', async () => {
    const png = await makePng(16, 16);
    const channel = a.accounts[0]!.channelId;
    simulator.resetStats();
    const submit = (stack: Stack) =>
      postMultipart<{ picsi: { id: string } }>(
        stack.url,
        PICSI_MUTATION,
        { input: { sourceImage: null, targetImage: null, wait: true } },
        {
          'input.sourceImage': { bytes: png, filename: 'a.png', type: 'image/png' },
          'input.targetImage': { bytes: png, filename: 'b.png', type: 'image/png' },
        },
        { token: TOKEN },
      );
    const results = await Promise.all([submit(a), submit(b), submit(a), submit(b)]);
    expect(results.every((r) => r.body.errors === undefined)).toBe(true);
    expect(simulator.stats(channel).maxInFlight).toBe(1);
    expect(simulator.stats(channel).completed).toBe(4);
  });

  it('a job queued on A and cancelled on B: its input images leave the shared blob store', async () => {
    const png = await makePng(32, 32);
    const files = {
      'input.sourceImage': { bytes: png, filename: 'a.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 'b.png', type: 'image/png' },
    };
    const channel = a.accounts[0]!.channelId;
    simulator.script(channel, { kind: 'silence', holdMs: 0 });
    const holder = (
      await postMultipart<{ picsi: { id: string } }>(a.url, PICSI_MUTATION, { input: { sourceImage: null, targetImage: null } }, files, {
        token: TOKEN,
      })
    ).body.data!.picsi.id;
    const queued = (
      await postMultipart<{ picsi: { id: string; status: string } }>(
        a.url,
        PICSI_MUTATION,
        { input: { sourceImage: null, targetImage: null } },
        files,
        { token: TOKEN },
      )
    ).body.data!.picsi;
    expect(queued.status).toBe('QUEUED');
    expect(inputBlobsUnder(blobRoot)).toHaveLength(4);

    const cancelled = await postJson<{ cancelJob: { status: string } }>(
      b.url,
      'mutation ($id: ID!) { cancelJob(id: $id) { status } }',
      { id: queued.id },
      TOKEN,
    );
    expect(cancelled.body.data?.cancelJob.status).toBe('CANCELLED');
    await expect.poll(() => inputBlobsUnder(blobRoot), { timeout: 2000, interval: 20 }).toHaveLength(2);
    await postJson(b.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id: holder }, TOKEN);
    await expect.poll(() => inputBlobsUnder(blobRoot), { timeout: 6000, interval: 20 }).toHaveLength(0);
  });
});
