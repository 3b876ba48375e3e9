/**
 * The gateway drops while a job waits for the bot: a resumable session gets the missed events
 * replayed; a lost session falls back to the channel history; otherwise the job fails with a
 * precise code within the timeout.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DriverError } from '../../src/discord/index.js';
import { GATEWAY_PATH, RESUME_PATH } from '../../src/simulator/index.js';
import { never, removeSpooledImages, startHarness, until } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.driver.inspect()).toMatchObject({ waiters: 0, running: 0 });
  await h.close();
});
afterAll(removeSpooledImages);

const upgrades = (path: string): number => h.sim.requests.filter((r) => r.status === 101 && r.path === path).length;
const historyReads = (): number => h.sim.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/messages')).length;

describe('gateway drop mid-job', () => {
  it('resumable (close 4000): RESUME at resume_gateway_url replays the reply; the job completes', async () => {
    h = await startHarness();
    h.sim.script(h.account.channelId, { kind: 'dropGatewayMidJob', resumable: true, delayMs: 100 });
    const result = await h.driver.picsi(h.command(), never());
    expect(result.attachments).toHaveLength(1);
    expect(result.interactionId).toBe(h.sim.interactionsLog(h.account.channelId)[0]?.interactionId);
    expect(upgrades(GATEWAY_PATH)).toBe(1);
    expect(upgrades(RESUME_PATH)).toBe(1);
    expect(historyReads()).toBe(0);
    expect(h.driver.isReady(h.account.channelId)).toBe(true);
  });

  it('resumable, reply finished while disconnected: the replay still carries it', async () => {
    h = await startHarness({ driver: { gateway: { reconnect: { initialMs: 50, maxMs: 500 } } } });
    h.sim.script(h.account.channelId, { kind: 'dropGatewayMidJob', resumable: true, delayMs: 0 });
    const result = await h.driver.picsi(h.command(), never());
    expect(result.attachments[0]).toMatchObject({ width: 120, height: 90 });
    expect(upgrades(RESUME_PATH)).toBe(1);
  });

  it('not resumable (close 4009): new session, the reply is found in the channel history', async () => {
    // Reconnect only after the bot has surely finished, so only the history can have the reply.
    h = await startHarness({ driver: { gateway: { reconnect: { firstMs: 400, initialMs: 50, maxMs: 500 } } } });
    h.sim.script(h.account.channelId, { kind: 'dropGatewayMidJob', resumable: false, delayMs: 0 });
    const result = await h.driver.picsi(h.command(), never());
    expect(result.attachments).toHaveLength(1);
    expect(result.attachments[0]).toMatchObject({ contentType: 'image/png', width: 120, height: 90 });
    expect(result.interactionId).toBe(h.sim.interactionsLog(h.account.channelId)[0]?.interactionId);
    expect(upgrades(GATEWAY_PATH)).toBe(2);
    expect(upgrades(RESUME_PATH)).toBe(0);
    expect(historyReads()).toBeGreaterThanOrEqual(1);
    expect(h.driver.isReady(h.account.channelId)).toBe(true);
  });

  it('not resumable, reply arrives after the new READY: found live or in history', async () => {
    h = await startHarness();
    h.sim.script(h.account.channelId, { kind: 'dropGatewayMidJob', resumable: false, delayMs: 300 });
    const result = await h.driver.picsi(h.command(), never());
    expect(result.attachments).toHaveLength(1);
    expect(upgrades(GATEWAY_PATH)).toBe(2);
  });

  it('not resumable and the bot never finishes: TIMEOUT within the configured timeout, saying the session was lost', async () => {
    h = await startHarness({ driver: { timeoutMs: 1200 }, connect: true });
    h.sim.script(h.account.channelId, { kind: 'dropGatewayMidJob', resumable: false, delayMs: 5000 });
    const started = Date.now();
    const error = await h.driver.picsi(h.command(), never()).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'TIMEOUT', commandSent: true });
    expect((error as DriverError).details).toMatchObject({ step: 'reply', orphaned: true, acknowledged: true });
    expect(elapsed).toBeGreaterThanOrEqual(1190);
    // History was polled until the deadline and not after it.
    const reads = historyReads();
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(h.driver.inspect()).toMatchObject({ waiters: 0, running: 0 }); // the poll loop ends with the job's waiter
    expect(historyReads()).toBe(reads);
  });

  it('an operator-side drop (sim.dropSessions) while the bot works: resumes and completes', async () => {
    h = await startHarness();
    h.sim.setBotDelay(300);
    const job = h.driver.picsi(h.command(), never());
    await until(() => h.sim.stats(h.account.channelId).inFlight === 1);
    h.sim.dropSessions(h.account.token);
    const result = await job;
    expect(result.attachments).toHaveLength(1);
    expect(upgrades(RESUME_PATH)).toBe(1);
  });

  it('isReady follows the session: false before connect, true after, true again after a resume', async () => {
    h = await startHarness();
    const account = h.accountFor(h.account);
    expect(h.driver.isReady(account.channel)).toBe(false);
    await h.driver.connect(account);
    expect(h.driver.isReady(account.channel)).toBe(true);
    h.sim.dropSessions(h.account.token);
    await until(() => upgrades(RESUME_PATH) === 1);
    await until(() => h.driver.isReady(account.channel));
    await h.driver.disconnect(account.channel);
    expect(h.driver.isReady(account.channel)).toBe(false);
    expect(h.driver.inspect().sessions).toBe(0);
  });
});

describe('one gateway session, many channels', () => {
  it('concurrent jobs on two channels of one account share one session; a third account has its own', async () => {
    h = await startHarness();
    const second = h.sim.createAccount({
      token: h.account.token,
      guildId: h.account.guildId,
      ...(h.account.userId ? { userId: h.account.userId } : {}),
    });
    const third = h.sim.createAccount();
    h.sim.setBotDelay(100);
    h.sim.script(second.channelId, { kind: 'botError', error: 'NO_FACE' });
    const [a, b, c] = await Promise.allSettled([
      h.driver.picsi(h.command(), never()),
      h.driver.picsi(h.command({ account: h.accountFor(second) }), never()),
      h.driver.picsi(h.command({ account: h.accountFor(third) }), never()),
    ]);
    expect(a.status === 'fulfilled' && a.value.attachments.length).toBe(1);
    expect(b.status === 'rejected' && b.reason).toMatchObject({ code: 'BOT_ERROR', reason: 'NO_FACE' });
    expect(c.status === 'fulfilled' && c.value.attachments.length).toBe(1);
    // Each answer went to its own job: interaction ids differ and match each channel's log.
    expect(a.status === 'fulfilled' && a.value.interactionId).toBe(h.sim.interactionsLog(h.account.channelId)[0]?.interactionId);
    expect(c.status === 'fulfilled' && c.value.interactionId).toBe(h.sim.interactionsLog(third.channelId)[0]?.interactionId);
    expect(upgrades(GATEWAY_PATH)).toBe(2);
    expect(h.driver.inspect()).toMatchObject({ sessions: 2, channels: 3 });
    // Disconnecting one of the shared channels keeps the session for the other.
    await h.driver.disconnect(second.channelId);
    expect(h.driver.isReady(h.account.channelId)).toBe(true);
    expect(h.driver.inspect().sessions).toBe(2);
  });
});
