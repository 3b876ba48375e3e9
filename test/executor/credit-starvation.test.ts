/**
 * The starvation check weighs each queued job by its own credit cost (set at admission), not the
 * configured /picsi price: on a channel with 2 credits left, a free /listid and a 2-credit job stay
 * queued while a 3-credit job and an older record without a cost (the configured 3) fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { utcDay, type Coordinator } from '../../src/executor/store/port.js';
import { CREDITS_SPENT_ERROR, CreditStarvation } from '../../src/executor/service/credit-starvation.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { StoreLossBackup } from '../../src/executor/store-loss-backup.js';
import { TerminalEffects } from '../../src/executor/run/terminal-effects.js';
import { FsBlobStore } from '../../src/storage/fs-store.js';
import { createLinkSigner } from '../../src/storage/signed-links.js';
import { queuedJobRecord } from '../helpers/jobs.js';

const CHANNEL = '100000000000000001';
const logger = pino({ level: 'silent' });
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Spends `credits` of today's on the channel the way a run does: the claim charges them. */
async function spend(coordinator: Coordinator, credits: number, perDay: number): Promise<void> {
  const now = Date.now();
  await coordinator.createJob(queuedJobRecord('spender', new Date(now).toISOString(), { creditCost: credits }), true);
  const claimed = await coordinator.claim({
    channel: CHANNEL,
    instance: 'instance-a',
    token: 'token-a',
    ttlMs: 60_000,
    nowMs: now,
    day: utcDay(now),
    creditCost: credits,
    creditsPerDay: perDay,
    start: { server: 'srv', discord: 'abc…xyz', startedAt: new Date(now).toISOString() },
    lost: { patch: { status: 'FAILED', code: 'EXECUTOR_LOST', error: 'lost' }, retentionSec: 60, jobTimeoutMs: 60_000 },
  });
  expect(claimed).toMatchObject({ job: { id: 'spender' } });
}

it('fails only the queued jobs that cost more than the channel has left, each by its own cost', async () => {
  const { config } = loadConfig({ ACCOUNT_MIN_GAP_MS: '0', ACCOUNT_JITTER_MS: '0', CREDITS_PER_DAY: '6', PICSI_CREDIT_COST: '3' });
  const coordinator = createMemoryCoordinator();
  await coordinator.upsertAccount({ channel: CHANNEL, server: 'srv', discord: 'token' });
  await spend(coordinator, 4, 6);

  const created = new Date().toISOString();
  const queued = { dear: 3, free: 0, exact: 2, legacy: undefined };
  for (const [id, creditCost] of Object.entries(queued))
    await coordinator.createJob(queuedJobRecord(id, created, creditCost === undefined ? {} : { creditCost }), true);

  dir = await mkdtemp(join(tmpdir(), 'starvation-'));
  const blobs = await FsBlobStore.open({ root: dir, signer: createLinkSigner('secret') });
  const starvation = new CreditStarvation(
    { config, coordinator, logger, now: Date.now, retentionSec: 60 },
    new TerminalEffects(blobs, new StoreLossBackup(), logger),
  );
  const failed = await starvation.failStarvedJobs();

  expect(failed.map((j) => j.id).sort()).toEqual(['dear', 'legacy']);
  for (const job of failed) expect(job).toMatchObject({ status: 'FAILED', code: 'PAYMENT_REQUIRED', error: CREDITS_SPENT_ERROR });
  const still = await Promise.all(['free', 'exact'].map((id) => coordinator.getJob(id)));
  expect(still.map((j) => j?.status)).toEqual(['QUEUED', 'QUEUED']);
});
