/**
 * A command that was sent and whose answer is unclear or whose sender went away: the driver follows
 * it to the bot's real outcome (gateway events, then channel history) and never sends it again.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordDriver, DriverError, type DiscordDriver } from '../../src/discord/index.js';
import type { SentCommand } from '../../src/jobs/model.js';
import { createManualClock, type Clock } from '../../src/timing/clock.js';
import { startInteractionsProxy, type InteractionAnswer, type InteractionsProxy } from '../helpers/interactions-proxy.js';
import { never, removeSpooledImages, startHarness, until, type Harness } from './harness.js';

let h: Harness | undefined;
let proxy: InteractionsProxy | undefined;
const extra: DiscordDriver[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((d) => d.close()));
  await proxy?.close();
  await h?.close();
  await removeSpooledImages();
  h = proxy = undefined;
});

const secondDriver = (apiUrl: string, timeoutMs = 10_000, clock?: Clock) => {
  const d = createDiscordDriver({ apiUrl, logger: pino({ level: 'silent' }), timeoutMs, historyPollMs: 50, ...(clock ? { clock } : {}) });
  extra.push(d);
  return d;
};

describe('an ambiguous answer to POST /interactions', () => {
  it.each<InteractionAnswer>(['status-502', 'drop', 'garbled-2xx'])(
    '%s: the job waits for the bot and completes; one interaction only',
    async (answer) => {
      h = await startHarness({ sim: { botDelayMs: 150 } });
      proxy = await startInteractionsProxy(h.sim.apiUrl);
      proxy.spoil(answer);
      const driver = secondDriver(proxy.apiUrl);
      const result = await driver.picsi(h.command(), never());
      expect(result.attachments).toHaveLength(1);
      expect(h.sim.interactionsLog(h.account.channelId)).toHaveLength(1);
      expect(proxy.forwarded).toBe(1);
    },
  );

  it('a 502 for a command the bot fails: the bot error, not a Discord error', async () => {
    h = await startHarness({ sim: { botDelayMs: 50 } });
    h.sim.script(h.account.channelId, { kind: 'botError', error: 'NO_FACE' });
    proxy = await startInteractionsProxy(h.sim.apiUrl);
    proxy.spoil('status-502');
    const error = await secondDriver(proxy.apiUrl)
      .picsi(h.command(), never())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'BOT_ERROR', commandSent: true });
  });

  it('a 502 for a command the bot never answers: TIMEOUT after the job timeout, not at once', async () => {
    h = await startHarness({ sim: { botDelayMs: 0 } });
    h.sim.script(h.account.channelId, { kind: 'silence', holdMs: 5000 });
    proxy = await startInteractionsProxy(h.sim.apiUrl);
    proxy.spoil('status-502');
    const started = Date.now();
    const error = await secondDriver(proxy.apiUrl, 1500)
      .picsi(h.command(), never())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT', commandSent: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });
});

describe('driver.follow', () => {
  it("follows another session's command to the bot's result while it runs; nothing is sent", async () => {
    h = await startHarness({ sim: { botDelayMs: 800 } });
    let sent: SentCommand | undefined;
    const sender = new AbortController();
    const first = h.driver.picsi(h.command(), sender.signal, { onCommandSending: (s) => void (sent = s) }).catch((e: unknown) => e);
    const harness = h;
    await until(() => harness.sim.interactionsLog(harness.account.channelId).length === 1);
    sender.abort(); // the sender "dies": it stops listening
    await first;
    const follower = secondDriver(h.sim.apiUrl);
    const invokesBefore = h.sim.requests.filter((r) => r.path.endsWith('/interactions')).length;
    const result = await follower.follow({ jobId: 'adopted', account: h.command().account, command: sent! }, never());
    expect(result.attachments).toHaveLength(1);
    expect(h.sim.requests.filter((r) => r.path.endsWith('/interactions')).length).toBe(invokesBefore);
    expect(h.sim.interactionsLog(h.account.channelId)).toHaveLength(1);
  });

  it('finds an answer that came before it started, in the channel history', async () => {
    h = await startHarness({ sim: { botDelayMs: 0 } });
    let sent: SentCommand | undefined;
    let learnt: string | undefined;
    const original = await h.driver.picsi(h.command(), never(), {
      onCommandSending: (s) => void (sent = s),
      onInteractionId: (id) => void (learnt = id),
    });
    expect(learnt).toBe(h.sim.interactionsLog(h.account.channelId)[0]!.interactionId);
    for (const command of [sent!, { ...sent!, interactionId: learnt! }]) {
      const result = await secondDriver(h.sim.apiUrl).follow({ jobId: 'late', account: h.command().account, command }, never());
      expect(result.messageId).toBe(original.messageId);
    }
    expect(h.sim.interactionsLog(h.account.channelId)).toHaveLength(1);
  });

  it('a command that never reached the bot: TIMEOUT once the job timeout (from sentAt) is over, by the driver clock', async () => {
    h = await startHarness();
    const clock = createManualClock(Date.now());
    // Sent 200 ms ago: 400 ms of the 600 ms job timeout are left.
    const command: SentCommand = { nonce: '1234567890123456789', interactionId: null, sentAt: new Date(clock.now() - 200).toISOString() };
    let settled = false;
    const pending = secondDriver(h.sim.apiUrl, 600, clock)
      .follow({ jobId: 'ghost', account: h.command().account, command }, never())
      .catch((e: unknown) => e)
      .finally(() => (settled = true));
    await clock.advance(399);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await pending;
    expect(error).toMatchObject({ code: 'TIMEOUT', commandSent: true });
    expect(h.sim.interactionsLog()).toHaveLength(0);
  });
});
