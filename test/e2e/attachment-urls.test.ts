/**
 * Result URLs on Discord's CDN expire. Results are served from our copy; a result whose copy
 * failed (the blob store was read-only when it completed) falls back to Discord's URLs, and a job
 * read after they lapsed gets fresh ones.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { makeReadOnly } from '../helpers/read-only-dir.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CDN_URL_TTL_MS = 30_000;
let skewMs = 0;
let simulator: DiscordSimulator;
let stack: Stack;
const blobRoot = mkdtempSync(join(tmpdir(), 'picsi-url-blobs-'));
beforeAll(async () => {
  // The simulator's clock can run ahead of ours: its CDN then sees our stored URLs as expired.
  simulator = await DiscordSimulator.start({ botDelayMs: 0, cdnUrlTtlMs: CDN_URL_TTL_MS, now: () => Date.now() + skewMs });
  stack = await startStack({
    simulator,
    accounts: [simulator.createAccount({ credits: 1000 })],
    env: { STORAGE_URL: pathToFileURL(blobRoot).href },
  });
});
afterAll(async () => {
  await stack.stop();
  await simulator.close();
});

type Attachment = { url: string; proxyUrl: string | null; copyState?: string | null };
const JOB_QUERY = 'query ($id: ID!) { job(id: $id) { status version attachments { url proxyUrl } } }';
const COPY_QUERY = 'query ($id: ID!) { job(id: $id) { status attachments { url proxyUrl copyState } } }';
const refreshCalls = () => simulator.requests.filter((r) => r.path.endsWith('/attachments/refresh-urls')).length;

async function completedJob(): Promise<{ id: string; attachments: Attachment[] }> {
  const png = await makePng(32, 32);
  const res = await postMultipart<{ picsi: { id: string; status: string } }>(
    stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, wait: true } },
    {
      'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
    },
  );
  expect(res.body.data?.picsi.status).toBe('COMPLETED');
  const job = await postJson<{ job: { attachments: Attachment[] } }>(stack.url, JOB_QUERY, { id: res.body.data!.picsi.id });
  return { id: res.body.data!.picsi.id, attachments: job.body.data!.job.attachments };
}

describe('result URLs', () => {
  it('a completed job whose copy failed and whose CDN URL lapsed is served with a fresh, working URL, stored on the job', async () => {
    skewMs = 0;
    const png = await makePng(32, 32);
    const channel = stack.accounts[0]!.channelId;
    simulator.script(channel, { kind: 'success', delayMs: 300 });
    const submitted = await postMultipart<{ picsi: { id: string } }>(
      stack.url,
      'mutation ($input: PicsiInput!) { picsi(input: $input) { id } }',
      { input: { sourceImage: null, targetImage: null } },
      {
        'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
        'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
      },
    );
    const id = submitted.body.data!.picsi.id;
    const undoReadOnly = await makeReadOnly(blobRoot); // the result copy cannot be written
    let done: { status: string; attachments: Attachment[] } | undefined;
    try {
      await expect
        .poll(async () => (done = (await postJson<{ job: typeof done }>(stack.url, COPY_QUERY, { id })).body.data!.job)?.status, {
          timeout: 10_000,
        })
        .toBe('COMPLETED');
    } finally {
      await undoReadOnly();
    }
    const [failedCopy] = done!.attachments;
    expect(failedCopy?.copyState).toBe('FAILED');
    const original = failedCopy && { url: failedCopy.url, proxyUrl: failedCopy.proxyUrl };
    expect(original).toBeDefined();
    skewMs = 40_000; // Discord's clock: 40 s later, past the URL's 30 s lifetime
    expect((await fetch(original!.url)).ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the one-second read copy of the poll above

    const before = refreshCalls();
    const read = await postJson<{ job: { status: string; version: number; attachments: Attachment[] } }>(stack.url, JOB_QUERY, { id });
    const fresh = read.body.data!.job.attachments[0]!;
    expect(refreshCalls()).toBe(before + 1);
    expect(fresh.url).not.toBe(original!.url);
    const image = await fetch(fresh.url);
    expect(image.ok).toBe(true);
    expect(image.headers.get('content-type')).toBe('image/png');
    // Stored: another instance (or this one after its one-second read copy) serves the same URL.
    const stored = await stack.services.jobs.get(id);
    expect(stored?.attachments[0]?.url).toBe(fresh.url);
  });

  it('results with a stored copy are never refreshed through Discord, however old their URLs', async () => {
    skewMs = 0;
    const before = refreshCalls();
    const { id } = await completedJob();
    skewMs = 40_000;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the one-second read copy
    const read = await postJson<{ job: { attachments: { copyState: string; download: { url: string } }[] } }>(
      stack.url,
      'query ($id: ID!) { job(id: $id) { attachments { copyState download { url } } } }',
      { id },
    );
    expect(read.body.data!.job.attachments[0]?.copyState).toBe('STORED');
    expect((await fetch(read.body.data!.job.attachments[0]!.download.url)).ok).toBe(true);
    expect(refreshCalls()).toBe(before);
  });

  it('URLs that are still valid for long are served without asking Discord', async () => {
    skewMs = 10 * 60_000; // Discord's clock 10 minutes ahead: the URLs it signs outlive our margin
    const before = refreshCalls();
    const { id, attachments } = await completedJob();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the one-second read copy
    const read = await postJson<{ job: { attachments: Attachment[] } }>(stack.url, JOB_QUERY, { id });
    expect(read.body.data!.job.attachments).toEqual(attachments);
    expect(refreshCalls()).toBe(before);
  });
});
