/**
 * The embedded default (no REDIS_URL, no STORAGE_URL): its job store and its blob store live under
 * DATA_DIR, so a restarted server still has its old jobs and their result files.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { postJson, postPicsi } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const servers: ServerProcess[] = [];
let simulator: DiscordSimulator | undefined;
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await simulator?.close();
});

type Attachment = { copyState: string | null; download: { url: string } | null };
const JOB_QUERY = 'query ($id: ID!) { job(id: $id) { status attachments { copyState download { url } } } }';

it('a restarted embedded server still serves its old jobs and their result files', async () => {
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const account = simulator.createAccount({ credits: 1000 });
  const env = {
    DATA_DIR: mkdtempSync(join(tmpdir(), 'picsi-embedded-')),
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
    SHUTDOWN_TIMEOUT_MS: '500',
  };
  const png = await makePng(24, 24);
  const first = await startServerProcess(env);
  servers.push(first);
  const res = await postPicsi(first.url, png, { wait: true });
  expect(res.body.data?.picsi.status).toBe('COMPLETED');
  const id = res.body.data!.picsi.id;
  const before = (await postJson<{ job: { attachments: Attachment[] } }>(first.url, JOB_QUERY, { id })).body.data!.job;
  const bytes = Buffer.from(await (await fetch(before.attachments[0]!.download!.url)).arrayBuffer());
  await first.kill('SIGTERM');

  const second = await startServerProcess(env);
  servers.push(second);
  const after = (await postJson<{ job: { status: string; attachments: Attachment[] } }>(second.url, JOB_QUERY, { id })).body.data!.job;
  expect(after.status).toBe('COMPLETED');
  expect(after.attachments[0]?.copyState).toBe('STORED');
  const again = await fetch(after.attachments[0]!.download!.url);
  expect(again.status).toBe(200);
  expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
  await second.kill();
}, 90_000);
