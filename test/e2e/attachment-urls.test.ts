/** Result URLs on Discord's CDN expire; a finished job read after that gets fresh ones. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CDN_URL_TTL_MS = 30_000;
let skewMs = 0;
let simulator: DiscordSimulator;
let stack: Stack;
beforeAll(async () => {
  // The simulator's clock can run ahead of ours: its CDN then sees our stored URLs as expired.
  simulator = await DiscordSimulator.start({ botDelayMs: 0, cdnUrlTtlMs: CDN_URL_TTL_MS, now: () => Date.now() + skewMs });
  stack = await startStack({ simulator, accounts: [simulator.createAccount({ credits: 1000 })] });
});
afterAll(async () => {
  await stack.stop();
  await simulator.close();
});

type Attachment = { url: string; proxyUrl: string | null };
const JOB_QUERY = 'query ($id: ID!) { job(id: $id) { status version attachments { url proxyUrl } } }';
const refreshCalls = () => simulator.requests.filter((r) => r.path.endsWith('/attachments/refresh-urls')).length;

async function completedJob(): Promise<{ id: string; attachments: Attachment[] }> {
  const png = await makePng(32, 32);
  const res = await postMultipart<{ picsi: { id: string; status: string } }>(
    stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, wait: true } },
    { 'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' }, 'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' } },
  );
  expect(res.body.data?.picsi.status).toBe('COMPLETED');
  const job = await postJson<{ job: { attachments: Attachment[] } }>(stack.url, JOB_QUERY, { id: res.body.data!.picsi.id });
  return { id: res.body.data!.picsi.id, attachments: job.body.data!.job.attachments };
}

describe('result URLs', () => {
  it('a completed job whose CDN URL lapsed is served with a fresh, working URL, stored on the job', async () => {
    skewMs = 0;
    const png = await makePng(32, 32);
    const res = await postMultipart<{ picsi: { id: string; status: string; attachments: Attachment[] } }>(
      stack.url,
      `mutation ($input: PicsiInput!) { picsi(input: $input) { id status attachments { url proxyUrl } } }`,
      { input: { sourceImage: null, targetImage: null, wait: true } },
      { 'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' }, 'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' } },
    );
    const { id, attachments: [original] } = res.body.data!.picsi;
    expect(original).toBeDefined();
    skewMs = 40_000; // Discord's clock: 40 s later, past the URL's 30 s lifetime
    expect((await fetch(original!.url)).ok).toBe(false);

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
