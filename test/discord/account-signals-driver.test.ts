/**
 * Signals the driver reads off the wire with the simulator's faults: a gateway that never gives the
 * account a session moves the job on after gatewayReadyMs (GATEWAY_UNAVAILABLE), a captcha on the
 * upload slots is CAPTCHA before anything was sent, and a foreign command in the channel is reported
 * when it starts and when the bot answered it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ForeignCommandEvent } from '../../src/discord/foreign-commands.js';
import { DriverError } from '../../src/discord/types.js';
import { createManualClock } from '../../src/timing/clock.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const failureOf = async (promise: Promise<unknown>): Promise<DriverError> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DriverError)) throw new Error(`expected a DriverError, got ${String(error)}`);
  return error;
};

describe('account signals from the simulator', () => {
  it('a gateway that never comes up: GATEWAY_UNAVAILABLE after gatewayReadyMs, nothing sent', async () => {
    const clock = createManualClock(Date.now());
    h = await startHarness({ driver: { gatewayReadyMs: 400, timeoutMs: 10_000, clock } });
    h.sim.setAccountFault(h.account.channelId, 'gatewayDown');
    let settled = false;
    const failing = failureOf(h.driver.picsi(h.command(), new AbortController().signal)).finally(() => (settled = true));
    // Moves on exactly when gatewayReadyMs of the driver's clock passed, not before.
    await clock.advance(399);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await failing;
    expect(error).toMatchObject({ code: 'DISCORD_ERROR', commandSent: false, signal: { id: 'GATEWAY_UNAVAILABLE' } });
    expect(h.sim.requests.filter((r) => r.path.endsWith('/interactions'))).toHaveLength(0);
  });

  it('a captcha on the upload slots: CAPTCHA with its evidence, before any upload or command', async () => {
    h = await startHarness({ connect: true });
    h.sim.setAccountFault(h.account.channelId, 'captcha');
    const error = await failureOf(h.driver.picsi(h.command(), new AbortController().signal));
    expect(error).toMatchObject({ code: 'DISCORD_UNAUTHORIZED', commandSent: false, signal: { id: 'CAPTCHA', refused: true } });
    expect(error.signal?.evidence).toMatchObject({ status: 400, captcha_key: ['captcha-required'], route: 'upload' });
    expect(h.sim.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
  });
});

describe('foreign commands', () => {
  it('reports a person’s command in the channel when the bot starts on it and when it answered', async () => {
    const events: ForeignCommandEvent[] = [];
    h = await startHarness({ connect: true, driver: { onForeignCommand: (e) => events.push(e) } });
    const answered = await h.sim.personCommand(h.account.channelId, { delayMs: 100 });
    await expect.poll(() => events.length).toBe(2);
    expect(events.map((e) => [e.channel, e.interactionId, e.running])).toEqual([
      [h.account.channelId, answered.interactionId, true],
      [h.account.channelId, answered.interactionId, false],
    ]);
    expect(events[0]!.evidence).toMatchObject({ invoker: h.account.userId });
    // Our own commands are never reported.
    await h.driver.picsi(h.command(), new AbortController().signal);
    expect(events).toHaveLength(2);
  });
});
