/** Dispatch on its own, with an injected clock and randomness: which channels a pass tries, in which order. */
import { systemClock } from '../../src/timing/clock.js';
import { AccountHealthKeeper } from '../../src/executor/account-health.js';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDiscordDriver } from '../../src/discord/index.js';
import type { ExecutorContext } from '../../src/executor/context.js';
import { isClaimed, utcDay, type ClaimRequest, type Coordinator } from '../../src/executor/store/port.js';
import { Dispatcher } from '../../src/executor/run/dispatch.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { RunningJobs } from '../../src/executor/run/runs.js';
import { StoreLossBackup } from '../../src/executor/store-loss-backup.js';
import { TerminalEffects } from '../../src/executor/run/terminal-effects.js';
import { tempBlobStore } from '../helpers/blobs.js';
import { queuedJobRecord } from '../helpers/jobs.js';

const CHANNELS = ['100001', '100002', '100003'];
const config = loadConfig({ ACCOUNT_MIN_GAP_MS: '0', ACCOUNT_JITTER_MS: '0' }).config;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp() {
  const clock = { now: Date.parse('2026-12-01T08:00:00.000Z') };
  const coordinator = createMemoryCoordinator({ now: () => clock.now });
  for (const channel of CHANNELS) await coordinator.upsertAccount({ channel, server: '900001', discord: `token-${channel}-xxxxxxxx` });
  const claims: string[] = [];
  const listings = { count: 0 };
  const claim = coordinator.claim.bind(coordinator);
  const hooks: { duringClaim?: (channel: string) => void } = {};
  coordinator.claim = async (request) => {
    claims.push(request.channel);
    const result = await claim(request);
    hooks.duringClaim?.(request.channel);
    return result;
  };
  const listAccounts = coordinator.listAccounts.bind(coordinator);
  coordinator.listAccounts = async () => (listings.count++, listAccounts());
  const logger = pino({ level: 'silent' });
  const blobs = await tempBlobStore();
  const driver = createDiscordDriver({ apiUrl: 'http://127.0.0.1:9/api', logger, timeoutMs: 1000 });
  const ctx: ExecutorContext = {
    config,
    coordinator,
    driver,
    blobs,
    logger,
    instanceId: 'i-test',
    clock: { ...systemClock, now: () => clock.now },
    now: () => clock.now,
    retentionSec: 60,
    health: new AccountHealthKeeper(coordinator, { send: () => undefined }, logger, () => clock.now),
    random: Math.random,
  };
  const journal = new StoreLossBackup();
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
  cleanups.push(async () => {
    dispatcher.stop();
    await driver.close();
  });
  return { clock, coordinator, claims, listings, hooks, dispatcher, claim };
}

/** Another instance holds `channel` (a job of its own, lease of the configured TTL). */
async function holdElsewhere(claim: Coordinator['claim'], coordinator: Coordinator, channel: string, nowMs: number) {
  const job = queuedJobRecord(`held-${channel}`, new Date(nowMs).toISOString(), { requestedChannel: channel });
  await coordinator.createJob(job, true);
  const request: ClaimRequest = {
    channel,
    instance: 'i-other',
    token: `other-${channel}`,
    ttlMs: config.jobs.leaseTtlMs,
    nowMs,
    day: utcDay(nowMs),
    creditCost: 1,
    creditsPerDay: 100,
    start: { server: '900001', discord: 'tok…xxx', startedAt: new Date(nowMs).toISOString() },
    lost: { patch: { status: 'FAILED' }, retentionSec: 60, jobTimeoutMs: 60_000 },
  };
  const result = await claim(request);
  if (!isClaimed(result)) throw new Error(`could not hold ${channel}: ${JSON.stringify(result)}`);
  return { job: result.job, token: request.token };
}

it('tries the channel just freed first, stops once nothing is queued anywhere, re-reads the accounts only after a second', async () => {
  const { clock, claims, listings, dispatcher } = await setUp();
  await dispatcher.wake('100002');
  expect(claims).toEqual(['100002']); // its miss said nothing is queued on any channel: the others would miss too
  expect(listings.count).toBe(1);

  claims.length = 0;
  clock.now += 999;
  await dispatcher.wake('100003');
  expect(claims).toEqual(['100003']);
  expect(listings.count).toBe(1);
  clock.now += 2;
  await dispatcher.wake();
  expect(listings.count).toBe(2);
});

it('skips a channel held elsewhere until its freed event or a third of the lease TTL, and an idle one until a sweep', async () => {
  const { clock, coordinator, claims, dispatcher, claim } = await setUp();
  const held = await holdElsewhere(claim, coordinator, '100001', clock.now);
  await holdElsewhere(claim, coordinator, '100002', clock.now);
  await dispatcher.wake('100001');
  expect(claims).toEqual(CHANNELS); // held, held, then nothing queued

  claims.length = 0;
  await dispatcher.wake(); // a sweep: the idle channel again, not the held ones
  expect(claims).toEqual(['100003']);
  claims.length = 0;
  await dispatcher.wake('100003'); // an event for the idle channel
  expect(claims).toEqual(['100003']);

  claims.length = 0;
  await coordinator.updateJob(held.job.id, { patch: { status: 'COMPLETED' }, token: held.token, channel: '100001', retentionSec: 60 });
  await dispatcher.wake('100001'); // the freed event: only that channel (the idle one waits for a sweep)
  expect(claims).toEqual(['100001']);

  // A job only 100002 may run: nothing else is claimable, so every pass goes through its channels.
  await coordinator.createJob(queuedJobRecord('waits-for-2', new Date(clock.now).toISOString(), { requestedChannel: '100002' }), true);
  claims.length = 0;
  await dispatcher.wake('100001');
  expect(claims).toEqual(['100001']); // 100002 held (remembered), 100003 idle (until a sweep)
  claims.length = 0;
  clock.now += Math.floor(config.jobs.leaseTtlMs / 3);
  await dispatcher.wake('100001');
  expect(claims).toEqual(['100001', '100002']); // 100002's memo ran out: asked again (still held)
});

it('does not remember a miss whose channel was freed while the claim was out (the event may have overtaken the reply)', async () => {
  const { clock, coordinator, claims, hooks, dispatcher, claim } = await setUp();
  await holdElsewhere(claim, coordinator, '100001', clock.now);
  let raced = false;
  hooks.duringClaim = (channel) => {
    if (channel !== '100001' || raced) return;
    raced = true;
    dispatcher.poke('100001');
  };
  await dispatcher.wake('100001');
  expect(claims.filter((c) => c === '100001')).toHaveLength(2); // the pass the event scheduled asked again
  claims.length = 0;
  await dispatcher.wake('100003');
  expect(claims).toEqual(['100003']); // the second miss (no event meanwhile) is remembered
});
