/**
 * Results are ours: a completed job's result file is copied into the blob store, and its
 * `download` link keeps working after Discord's CDN URL expired, after the account was deleted, and
 * with Discord (the simulator) stopped — on every blob store backend.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { postJson, postPicsi } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { storageBackends, withSdkEnv } from '../helpers/storage-backends.js';

const CDN_URL_TTL_MS = 30_000;
const ADMIN = 'admin-token-for-result-copies';

type Attachment = { url: string; copyState: string | null; download: { url: string; expiresAt: string } | null };
const JOB_QUERY = 'query ($id: ID!) { job(id: $id) { status attachments { url copyState download { url expiresAt } } } }';
const PICSI =
  'mutation ($input: PicsiInput!) { picsi(input: $input) { id status attachments { url copyState download { url expiresAt } } } }';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.each(storageBackends())('result copies on the $name blob store', (backend) => {
  it('a completed result downloads from our link after its CDN URL expired, after its account was deleted, and with Discord stopped', async () => {
    let skewMs = 0;
    const simulator = await DiscordSimulator.start({ botDelayMs: 0, cdnUrlTtlMs: CDN_URL_TTL_MS, now: () => Date.now() + skewMs });
    const account = simulator.createAccount({ credits: 1000 });
    const storage = await backend.start();
    cleanups.push(() => storage.stop());
    const restoreEnv = withSdkEnv(storage.sdkEnv);
    cleanups.push(() => Promise.resolve(restoreEnv()));
    const stack: Stack = await startStack({
      simulator,
      accounts: [account],
      env: { ...storage.env, ADMIN_TOKENS: ADMIN, API_TOKENS: 'user-token-for-result-copies' },
    });
    cleanups.push(() => stack.stop());
    const png = await makePng(40, 40);
    const res = await postPicsi<{ picsi: { id: string; status: string; attachments: Attachment[] } }>(stack.url, png, {
      query: PICSI,
      wait: true,
      token: ADMIN,
    });
    expect(res.body.errors).toBeUndefined();
    const {
      id,
      status,
      attachments: [first],
    } = res.body.data!.picsi;
    expect(status).toBe('COMPLETED');
    expect(first!.copyState).toBe('STORED');
    const original = Buffer.from(await (await fetch(first!.url)).arrayBuffer());
    expect(original.length).toBeGreaterThan(0);
    const downloaded = async (): Promise<Buffer> => {
      const read = await postJson<{ job: { attachments: Attachment[] } }>(stack.url, JOB_QUERY, { id }, ADMIN);
      const link = read.body.data!.job.attachments[0]!.download!;
      expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
      const response = await fetch(link.url);
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    expect((await downloaded()).equals(original)).toBe(true);

    skewMs = 40_000; // Discord's clock: past the CDN URL's 30 s lifetime
    expect((await fetch(first!.url)).ok).toBe(false);
    expect((await downloaded()).equals(original)).toBe(true);

    const deleted = await postJson<{ deleteAccount: boolean }>(
      stack.url,
      'mutation ($channel: String!) { deleteAccount(channel: $channel) }',
      { channel: account.channelId },
      ADMIN,
    );
    expect(deleted.body.data?.deleteAccount).toBe(true);
    expect((await downloaded()).equals(original)).toBe(true);

    await simulator.close();
    expect((await downloaded()).equals(original)).toBe(true);
  }, 60_000);
});
