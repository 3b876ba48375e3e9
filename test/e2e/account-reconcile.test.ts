/**
 * DISCORD_ACCOUNTS is the truth for the accounts it manages, on both stores: restarted with one
 * account fewer, the server removes it and runs nothing on it (its queued pinned job fails, saying
 * so), while an account created with upsertAccount is kept as it was.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { startStack } from '../helpers/stack.js';
import { accounts, mutate, picsi, readJob, runPicsi, until } from './account-helpers.js';

let png: Buffer;
let simulator: DiscordSimulator;
beforeAll(async () => {
  png = await makePng(24, 24);
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
});
afterAll(() => simulator.close());

const backends: [string, () => Record<string, string>][] = [
  ['embedded', () => ({})],
  ['Redis', () => ({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `test:${randomUUID()}:` })],
];

describe.each(backends)('reconciling the %s store with DISCORD_ACCOUNTS at start', (_name, storeEnv) => {
  it('removes an account no longer listed (nothing runs on it) and keeps an API-managed one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'picsi-reconcile-'));
    const env = { ...storeEnv(), DATA_DIR: dataDir };
    const [kept, removed, viaApi] = [simulator.createAccount(), simulator.createAccount(), simulator.createAccount()] as SimulatedAccount[];
    const first = await startStack({ simulator, accounts: [kept!, removed!], env });
    const upserted = await mutate(first.url, 'mutation ($input: AccountInput!) { upsertAccount(input: $input) { channel managed } }', {
      input: { channel: viaApi!.channelId, server: viaApi!.guildId, discord: viaApi!.token },
    });
    expect(upserted.body.data).toEqual({ upsertAccount: { channel: viaApi!.channelId, managed: 'API' } });
    // A job pinned to the account about to be removed, queued behind one the bot never answers.
    simulator.script(removed!.channelId, { kind: 'silence', holdMs: 0 });
    await picsi(first.url, png, { channel: removed!.channelId });
    const pinned = (await picsi(first.url, png, { channel: removed!.channelId })).body.data!.picsi.id;
    expect((await readJob(first.url, pinned)).status).toBe('QUEUED');
    // Stopped without the stack helper's clean-up, which would empty the Redis prefix.
    await first.server.stop();
    await first.services.close();

    const second = await startStack({ simulator, accounts: [kept!], env });
    try {
      const listed = await accounts(second.url);
      expect(listed.map((a) => [a.channel, a.managed]).sort()).toEqual(
        [
          [kept!.channelId, 'CONFIG'],
          [viaApi!.channelId, 'API'],
        ].sort(),
      );
      await until(async () => (await readJob(second.url, pinned)).status === 'FAILED', 'the pinned job to fail');
      expect(await readJob(second.url, pinned)).toMatchObject({ code: 'ACCOUNT_UNAVAILABLE' });
      expect((await readJob(second.url, pinned)).error).toContain('not in DISCORD_ACCOUNTS');
      const before = simulator.interactionsLog(removed!.channelId).length;
      const jobs = await Promise.all(Array.from({ length: 4 }, () => runPicsi(second.url, png)));
      for (const job of jobs) expect(job.status).toBe('COMPLETED');
      expect(jobs.map((j) => j.channel)).not.toContain(removed!.channelId);
      expect(simulator.interactionsLog(removed!.channelId)).toHaveLength(before);
      const refused = await picsi(second.url, png, { channel: removed!.channelId });
      expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    } finally {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
