/**
 * The embedded default (no DISCORD_ACCOUNTS: the built-in simulator's demo account) restarted three
 * times in one DATA_DIR keeps one demo account, the same one, and every new job completes; the
 * identity commands need no channel. Demo accounts an earlier version added at each start (new ids
 * every time) are dropped at the first start.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../src/simulator/index.js';
import { postJson } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { accounts, runPicsi } from './account-helpers.js';

const servers: ServerProcess[] = [];
/** Four server processes start one after another, each up to startServerProcess's own 20 s under load. */
const PROCESS_STARTS_TIMEOUT_MS = 120_000;
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
});

/** A demo account as a version before account managers journaled it (its own random ids). */
const legacyDemo = (channel: string) => ({
  account: {
    channel,
    server: '1200000000000000001',
    discord: 'MTIwMDAwMDAwMDAwMDAwMDA.old.demo-token-of-an-earlier-start',
    label: 'simulated demo account',
    enabled: true,
    disabledReason: null,
    cooldownUntil: 0,
    exhaustedDay: null,
  },
});

it(
  'keeps one demo account across three restarts, and every new job completes',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'picsi-demo-'));
    mkdirSync(join(dataDir, 'jobs'));
    writeFileSync(
      join(dataDir, 'jobs', 'journal.jsonl'),
      ['1200000000000000010', '1200000000000000011'].map((c) => `${JSON.stringify(legacyDemo(c))}\n`).join(''),
    );
    const env = { DATA_DIR: dataDir, SIMULATOR_BOT_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: '500' };
    const png = await makePng(24, 24);
    for (let start = 0; start < 4; start++) {
      const server = await startServerProcess(env);
      servers.push(server);
      expect(server.logs.join('\n')).toContain('account pacing is OFF for 1 account(s)');
      const listed = await accounts(server.url);
      expect(listed.map((a) => [a.channel, a.managed, a.health.state])).toEqual([[DEMO_ACCOUNT.channelId, 'CONFIG', 'ACTIVE']]);
      expect(listed[0]!.pacing).toMatchObject({ minGapMs: 0, jitterMs: 0 });
      expect(await runPicsi(server.url, png)).toMatchObject({ status: 'COMPLETED', channel: DEMO_ACCOUNT.channelId });
      const listIds = await postJson<{ listIds: { status: string; code: string | null } }>(
        server.url,
        'mutation { listIds(wait: true) { status code } }',
      );
      expect(listIds.body.data?.listIds).toEqual({ status: 'COMPLETED', code: null });
      await server.kill('SIGTERM');
    }
  },
  PROCESS_STARTS_TIMEOUT_MS,
);
