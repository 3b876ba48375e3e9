/**
 * The embedded store (no REDIS_URL) keeps jobs across a restart: a server process runs jobs, is
 * SIGKILLed, and a new process on the same DATA_DIR serves them; a second process on a DATA_DIR in
 * use refuses to start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

let simulator: DiscordSimulator;
let account: SimulatedAccount;
let png: Buffer;
let dataDir: string;
const servers: ServerProcess[] = [];
/** Three server processes start in this test, each up to startServerProcess's own 20 s under load. */
const PROCESS_STARTS_TIMEOUT_MS = 90_000;

beforeAll(async () => {
  [simulator, png] = await Promise.all([DiscordSimulator.start({ botDelayMs: 0 }), makePng(16, 16)]);
  account = simulator.createAccount({ credits: 1000 });
  dataDir = mkdtempSync(join(tmpdir(), 'picsi-embedded-'));
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  await simulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async () => {
  const server = await startServerProcess({
    DATA_DIR: dataDir,
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
    CREDITS_PER_DAY: '1000',
  });
  servers.push(server);
  return server;
};
const submit = (server: ServerProcess) =>
  postMultipart<{ picsi: { id: string } }>(
    server.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null } },
    {
      'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
    },
  );
type Stored = { id: string; status: string; version: number; attachments: { url: string }[] };
const getJob = async (server: ServerProcess, id: string) =>
  (
    await postJson<{ job: Stored | null }>(server.url, 'query ($id: ID!) { job(id: $id) { id status version attachments { url } } }', {
      id,
    })
  ).body.data?.job ?? null;

describe('embedded store across a restart', () => {
  it(
    'finished jobs are still there after a SIGKILL and a restart on the same DATA_DIR',
    async () => {
      const first = await start();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await submit(first)).body.data!.picsi.id);
      const finished: Stored[] = [];
      for (const id of ids) {
        await vi.waitFor(async () => expect((await getJob(first, id))?.status).toBe('COMPLETED'), { timeout: 20_000, interval: 50 });
        finished.push((await getJob(first, id))!);
      }

      await expect(start()).rejects.toThrow(/uses the data directory .*only one instance may run on it without REDIS_URL/);

      await first.kill('SIGKILL');
      const second = await start();
      for (const job of finished) expect(await getJob(second, job.id)).toEqual(job);
      const listed = await postJson<{ jobs: { edges: { node: { id: string } }[] } }>(
        second.url,
        'query { jobs(first: 10) { edges { node { id } } } }',
        {},
      );
      expect(listed.body.data!.jobs.edges.map((e) => e.node.id)).toEqual([...ids].reverse());
    },
    PROCESS_STARTS_TIMEOUT_MS,
  );
});
