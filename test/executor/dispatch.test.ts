/** Dispatch on its own, with an injected clock and randomness: which channels a pass tries, in which order. */
import pino from 'pino';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDiscordDriver } from '../../src/discord/index.js';
import type { ExecutorContext } from '../../src/executor/context.js';
import { Dispatcher } from '../../src/executor/dispatch.js';
import { createMemoryCoordinator } from '../../src/executor/memory-coordinator.js';
import { RunningJobs } from '../../src/executor/runs.js';
import { StoreLossJournal } from '../../src/executor/store-loss-journal.js';
import { TerminalEffects } from '../../src/executor/terminal-effects.js';
import { tempBlobStore } from '../helpers/blobs.js';

it('tries the channel just freed first, and re-reads the accounts only after a second of the injected clock', async () => {
  let clock = Date.parse('2026-12-01T08:00:00.000Z');
  const coordinator = createMemoryCoordinator();
  for (const channel of ['100001', '100002', '100003'])
    await coordinator.upsertAccount({ channel, server: '900001', discord: `token-${channel}-xxxxxxxx` });
  const claims: string[] = [];
  let listings = 0;
  const claim = coordinator.claim.bind(coordinator);
  coordinator.claim = async (request) => (claims.push(request.channel), claim(request));
  const listAccounts = coordinator.listAccounts.bind(coordinator);
  coordinator.listAccounts = async () => (listings++, listAccounts());
  const logger = pino({ level: 'silent' });
  const blobs = await tempBlobStore();
  const driver = createDiscordDriver({ apiUrl: 'http://127.0.0.1:9/api', logger, timeoutMs: 1000 });
  const ctx: ExecutorContext = {
    config: loadConfig({}).config,
    coordinator,
    driver,
    blobs,
    logger,
    instanceId: 'i-test',
    now: () => clock,
    retentionSec: 60,
  };
  const journal = new StoreLossJournal();
  const terminal = new TerminalEffects(blobs, journal, logger);
  const runs = new RunningJobs({
    ctx,
    journal,
    terminal,
    copyResult: () => Promise.resolve(),
    restoreLostRun: () => Promise.resolve(null),
    onChannelFreed: (c) => dispatcher.poke(c),
  });
  const dispatcher = new Dispatcher({ ctx, runs, journal, terminal, onStoreLost: () => undefined, random: () => 0 });

  await dispatcher.wake('100002');
  expect(claims[0]).toBe('100002');
  expect(new Set(claims)).toEqual(new Set(['100001', '100002', '100003']));
  expect(listings).toBe(1);

  claims.length = 0;
  clock += 999;
  await dispatcher.wake('100003');
  expect(claims[0]).toBe('100003');
  expect(listings).toBe(1);
  clock += 2;
  await dispatcher.wake();
  expect(listings).toBe(2);
  dispatcher.stop();
  await driver.close();
});
