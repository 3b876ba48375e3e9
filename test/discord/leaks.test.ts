/**
 * After driver.close(), nothing the driver opened is left: no socket, no timer, no waiter. The
 * scenarios run first cover every exit path (result, bot error, 429, failure, timeout, abort,
 * resumed and lost sessions).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mark, never, removeSpooledImages, resourceDelta, startHarness, until } from './harness.js';

afterAll(removeSpooledImages);

const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch((e: unknown) => e);

describe('resources', () => {
  it('every exit path, then close(): no waiter, socket or timer of the driver survives', async () => {
    const baseline = process.getActiveResourcesInfo();
    const h = await startHarness({ driver: { timeoutMs: 1500 }, connect: true });
    const other = h.sim.createAccount();
    const ch = h.account.channelId;
    h.sim.script(
      ch,
      { kind: 'botError', error: 'NO_FACE' },
      { kind: 'rateLimit', retryAfterSeconds: 0.01 },
      { kind: 'interactionFailure' },
      { kind: 'silence' },
      { kind: 'dropGatewayMidJob', resumable: true },
      { kind: 'dropGatewayMidJob', resumable: false },
      { kind: 'staleCommandVersion' },
    );
    const codes: string[] = [];
    const record = async (job: Promise<unknown>): Promise<void> => {
      const outcome = await quiet(job);
      codes.push(outcome instanceof Error ? (outcome as Error & { code: string }).code : 'RESULT');
    };
    for (let i = 0; i < 8; i += 1) await record(h.driver.picsi(h.command(), never()));
    // An abort while the bot works, on a second account.
    h.sim.setBotDelay(2000);
    const controller = new AbortController();
    const aborted = record(h.driver.picsi(h.command({ account: h.accountFor(other) }), controller.signal));
    await until(() => h.sim.stats(other.channelId).inFlight === 1);
    controller.abort();
    await aborted;
    expect(codes).toEqual([
      'BOT_ERROR',
      'DISCORD_RATE_LIMITED',
      'INTERACTION_FAILED',
      'TIMEOUT',
      'RESULT',
      'RESULT',
      'RESULT',
      'RESULT',
      'ABORTED',
    ]);
    expect(h.driver.inspect()).toMatchObject({ sessions: 2, waiters: 0, running: 0 });

    const closedAt = mark();
    await h.driver.close();
    expect(h.driver.inspect()).toEqual({ sessions: 0, channels: 0, waiters: 0, running: 0 });
    // What is left belongs to the simulator alone: its listening socket and the bot's pending sleep.
    await until(() => {
      const left = resourceDelta(baseline);
      return Object.keys(left).every((k) => k === 'TCPServerWrap' || k === 'Timeout') && (left.Timeout ?? 0) <= 1;
    }, 2000);
    expect(h.requestsAfter(closedAt)).toEqual([]);
    await h.sim.close();
    await until(() => Object.keys(resourceDelta(baseline)).length === 0, 2000).catch(() => undefined);
    expect(resourceDelta(baseline)).toEqual({});
  });
});
