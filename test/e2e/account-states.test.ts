/**
 * Each health state, reached through the simulator's scripted fault for its signal (two accounts:
 * `a` gets the fault, `b` stays healthy). A fault that refuses the command before it runs moves the
 * job to `b`; an answer of the bot (credits, a warning) ends that job, and the account's state follows.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import type { SimulatedAccount } from '../../src/simulator/index.js';
import { account, ACCOUNT_FIELDS, mutate, runPicsi, type AccountRead, type JobRead } from './account-helpers.js';

let png: Buffer;
let stack: Stack | undefined;
beforeAll(async () => {
  png = await makePng(32, 32);
});
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(): Promise<{ stack: Stack; a: SimulatedAccount; b: SimulatedAccount }> {
  stack = await startStack({ channels: 2, botDelayMs: 300 });
  const [a, b] = stack.accounts as [SimulatedAccount, SimulatedAccount];
  return { stack, a, b };
}

/** Two jobs at once: each channel claims one. */
const twoJobs = (url: string): Promise<JobRead[]> => Promise.all([runPicsi(url, png), runPicsi(url, png)]);

const evidenceOf = (read: AccountRead) => JSON.parse(read.health.evidence ?? 'null') as Record<string, unknown>;

describe('account health states', () => {
  it('NEEDS_PERSON: verification required (403 40002): the job moves, the account waits for a person', async () => {
    const { stack, a, b } = await start();
    stack.simulator.setAccountFault(a.channelId, 'verificationRequired');
    for (const job of await twoJobs(stack.url)) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
    const read = await account(stack.url, a.channelId);
    expect(read).toMatchObject({ enabled: false, health: { state: 'NEEDS_PERSON', reason: 'VERIFICATION_REQUIRED', until: null } });
    expect(evidenceOf(read)).toMatchObject({ status: 403, code: 40002 });
  });

  it('NEEDS_PERSON: token rejected (401, gateway 4004)', async () => {
    const { stack, a, b } = await start();
    stack.simulator.revokeToken(a.channelId);
    for (const job of await twoJobs(stack.url)) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
    const read = await account(stack.url, a.channelId);
    expect(read.health).toMatchObject({ state: 'NEEDS_PERSON', reason: 'TOKEN_REJECTED' });
    // The gateway's 4004 or REST's 401, whichever the job met first.
    expect([4004, 401]).toContain(evidenceOf(read)['closeCode'] ?? evidenceOf(read)['status']);
  });

  it('NEEDS_PERSON: access to the channel lost (403 50001)', async () => {
    const { stack, a, b } = await start();
    stack.simulator.setAccountFault(a.channelId, 'accessLost');
    for (const job of await twoJobs(stack.url)) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
    const read = await account(stack.url, a.channelId);
    expect(read.health).toMatchObject({ state: 'NEEDS_PERSON', reason: 'ACCESS_LOST' });
    expect(evidenceOf(read)).toMatchObject({ status: 403, code: 50001, message: 'Missing Access' });
  });

  it('NEEDS_PERSON: a moderation warning of the bot ends that job and holds the account', async () => {
    const { stack, a, b } = await start();
    stack.simulator.script(a.channelId, { kind: 'accountWarning' });
    const warned = await runPicsi(stack.url, png, a.channelId);
    expect(warned).toMatchObject({ status: 'FAILED', code: 'BOT_ERROR' });
    expect(JSON.parse(warned.errorDetails!)).toMatchObject({ reason: 'ACCOUNT_WARNING' });
    const read = await account(stack.url, a.channelId);
    expect(read.health).toMatchObject({ state: 'NEEDS_PERSON', reason: 'MODERATION' });
    expect(String(evidenceOf(read)['text'])).toContain('temporarily restricted');
    for (const job of await twoJobs(stack.url)) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
  });

  it('COOLING_DOWN: a 429 with retry_after moves the job, the account waits that long', async () => {
    const { stack, a, b } = await start();
    stack.simulator.script(a.channelId, { kind: 'rateLimit', retryAfterSeconds: 30 });
    const before = Date.now();
    for (const job of await twoJobs(stack.url)) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
    const read = await account(stack.url, a.channelId);
    expect(read).toMatchObject({ enabled: true, health: { state: 'COOLING_DOWN', reason: 'RATE_LIMITED' } });
    expect(evidenceOf(read)).toMatchObject({ status: 429, retry_after: 30 });
    const until = Date.parse(read.health.until!);
    expect(until).toBeGreaterThanOrEqual(before + 30_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30_000);
  });

  it('OUT_OF_CREDITS: the bot says the credits are spent: until the 00:00 UTC reset', async () => {
    const { stack, a, b } = await start();
    stack.simulator.script(a.channelId, { kind: 'botError', error: 'CREDITS_EXHAUSTED' });
    expect(await runPicsi(stack.url, png, a.channelId)).toMatchObject({ status: 'FAILED', code: 'BOT_ERROR' });
    const read = await account(stack.url, a.channelId);
    expect(read.health).toMatchObject({ state: 'OUT_OF_CREDITS', reason: 'CREDITS_EXHAUSTED' });
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(read.health.until).toBe(midnight.toISOString());
    for (const job of await twoJobs(stack.url)) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
  });

  it('PAUSED by an operator: no job runs there until resumeAccount, which runs the checks first', async () => {
    const { stack, a, b } = await start();
    const paused = await mutate<{ pauseAccount: AccountRead }>(
      stack.url,
      `mutation ($c: String!) { pauseAccount(channel: $c, note: "maintenance") { ${ACCOUNT_FIELDS} } }`,
      { c: a.channelId },
    );
    expect(paused.body.data?.pauseAccount).toMatchObject({
      enabled: false,
      health: { state: 'PAUSED', reason: 'OPERATOR', message: 'maintenance' },
    });
    for (const job of await twoJobs(stack.url)) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
    expect(stack.simulator.interactionsLog(a.channelId)).toHaveLength(0);
    const resumed = await mutate<{ resumeAccount: AccountRead }>(
      stack.url,
      `mutation ($c: String!) { resumeAccount(channel: $c) { ${ACCOUNT_FIELDS} } }`,
      { c: a.channelId },
    );
    expect(resumed.body.data?.resumeAccount).toMatchObject({ enabled: true, health: { state: 'ACTIVE', reason: null } });
    expect(await runPicsi(stack.url, png, a.channelId)).toMatchObject({ status: 'COMPLETED', channel: a.channelId });
  });

  it('ACTIVE, and pauseAccount/resumeAccount of an unknown channel are NOT_FOUND', async () => {
    const { stack, a } = await start();
    expect(await account(stack.url, a.channelId)).toMatchObject({ managed: 'CONFIG', enabled: true, health: { state: 'ACTIVE' } });
    for (const op of ['pauseAccount', 'resumeAccount']) {
      const res = await mutate(stack.url, `mutation { ${op}(channel: "1234567890123") { channel } }`);
      expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    }
  });
});
