/**
 * Cancellation: from the instant the job's AbortSignal fires, the job rejects with ABORTED and no
 * further HTTP request of that job reaches Discord; `commandSent` says whether the command left.
 */
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DriverError, createDiscordDriver } from '../../src/discord/index.js';
import { makePngOfSize } from '../helpers/images.js';
import { fileInput, mark, never, removeSpooledImages, startHarness, until } from './harness.js';
import type { Harness } from './harness.js';
import pino from 'pino';

let h: Harness | undefined;
afterEach(async () => {
  if (h) {
    expect(h.driver.inspect()).toMatchObject({ waiters: 0, running: 0 });
    await h.close();
  }
  h = undefined;
});
afterAll(removeSpooledImages);

const settle = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => ({ value: v }),
    (e: unknown) => e,
  );
const interactionPosts = (x: Harness): number => x.sim.requests.filter((r) => r.path.endsWith('/interactions')).length;

describe('abort', () => {
  it('before the job: ABORTED at once, nothing sent, no session opened', async () => {
    h = await startHarness();
    const controller = new AbortController();
    controller.abort();
    let sending = 0;
    const error = await settle(h.driver.picsi(h.command(), controller.signal, { onCommandSending: () => void (sending += 1) }));
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'ABORTED', commandSent: false });
    expect(sending).toBe(0);
    expect(h.sim.requests).toEqual([]);
    expect(h.driver.inspect().sessions).toBe(0);
  });

  it('right before POST /interactions (in onCommandSending): the command never leaves', async () => {
    h = await startHarness();
    const controller = new AbortController();
    let at = 0;
    const error = await settle(
      h.driver.picsi(h.command(), controller.signal, {
        onCommandSending: () => {
          at = mark();
          controller.abort();
        },
      }),
    );
    expect(error).toMatchObject({ code: 'ABORTED', commandSent: false });
    expect(h.driver.inspect()).toMatchObject({ waiters: 0, running: 0 }); // nothing of the job is left to send
    expect(h.requestsAfter(at)).toEqual([]);
    expect(interactionPosts(h)).toBe(0);
  });

  it('during the uploads: in-flight PUTs are cancelled, nothing else is sent', async () => {
    h = await startHarness();
    const dir = await mkdtemp(join(tmpdir(), 'picsi-abort-'));
    try {
      const big = await makePngOfSize(12 * 1024 * 1024);
      const file = (name: string) => fileInput(join(dir, name), name, big.length, 'image/png');
      await writeFile(join(dir, 'a.png'), big);
      await writeFile(join(dir, 'b.png'), big);
      const controller = new AbortController();
      const job = settle(h.driver.picsi(h.command({ source: file('a.png'), target: file('b.png') }), controller.signal));
      const harness = h;
      await until(() => harness.sim.requests.some((r) => r.path.endsWith('/attachments')), 5000);
      const at = mark();
      controller.abort();
      const error = await job;
      // Ended before the uploads did: the simulator records a PUT before it answers it.
      expect(h.sim.requests.filter((r) => r.method === 'PUT' && r.status < 300).length).toBeLessThan(2);
      expect(error).toMatchObject({ code: 'ABORTED', commandSent: false });
      expect((error as DriverError).details).toEqual({ step: 'upload' });
      expect(h.driver.inspect()).toMatchObject({ waiters: 0, running: 0 });
      // The simulator shares this process, so a PUT issued just before the abort may be stamped
      // just after it; besides those two in-flight uploads, nothing may arrive.
      const late = h.requestsAfter(at);
      expect(late.length).toBeLessThanOrEqual(2);
      expect(late.every((r) => r.method === 'PUT' && r.path.startsWith('/upload/'))).toBe(true);
      expect(interactionPosts(h)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('while the bot works: ABORTED with commandSent true, and no request after the abort', async () => {
    h = await startHarness();
    h.sim.setBotDelay(1000);
    const controller = new AbortController();
    const job = settle(h.driver.picsi(h.command(), controller.signal));
    const harness = h;
    await until(() => harness.sim.stats(harness.account.channelId).inFlight === 1);
    const at = mark();
    controller.abort();
    const error = await job;
    expect(harness.sim.stats(harness.account.channelId).inFlight).toBe(1); // ended while the bot still works
    expect(error).toMatchObject({ code: 'ABORTED', commandSent: true });
    // The 204 may still be on its way when the abort lands: either step is the truth.
    expect(['POST /interactions', 'reply']).toContain(((error as DriverError).details as { step: string }).step);
    // Even once the bot's reply lands, the aborted job sends nothing.
    await until(() => harness.sim.stats(harness.account.channelId).inFlight === 0);
    expect(h.requestsAfter(at)).toEqual([]);
  });

  it('while polling the channel history after a lost session: polling stops at the abort', async () => {
    h = await startHarness();
    h.sim.script(h.account.channelId, { kind: 'dropGatewayMidJob', resumable: false, delayMs: 5000 });
    const controller = new AbortController();
    const job = settle(h.driver.picsi(h.command(), controller.signal));
    const harness = h;
    await until(() => harness.sim.requests.filter((r) => r.path.endsWith('/messages')).length >= 2);
    const at = mark();
    controller.abort();
    expect(await job).toMatchObject({ code: 'ABORTED', commandSent: true });
    expect(h.driver.inspect()).toMatchObject({ waiters: 0, running: 0 }); // the poll loop ends with the job's waiter
    // At most the one history read already in flight (stamped on arrival, in this same process).
    const late = h.requestsAfter(at);
    expect(late.length).toBeLessThanOrEqual(1);
    expect(late.every((r) => r.method === 'GET' && r.path.endsWith('/messages'))).toBe(true);
  });

  it('driver.close() while a job waits: the job ends ABORTED, sockets and timers are released', async () => {
    h = await startHarness();
    h.sim.setBotDelay(5000);
    const job = settle(h.driver.picsi(h.command(), never()));
    const harness = h;
    await until(() => harness.sim.stats(harness.account.channelId).inFlight === 1);
    await h.driver.close();
    expect(await job).toMatchObject({ code: 'ABORTED', commandSent: true });
    expect(h.driver.inspect()).toEqual({ sessions: 0, channels: 0, waiters: 0, running: 0 });
    await expect(h.driver.picsi(h.command(), never())).rejects.toMatchObject({ code: 'ABORTED', commandSent: false });
  });
});

describe('disconnect', () => {
  it('disconnect(channel) while its job waits: the job ends ABORTED and the session is closed', async () => {
    h = await startHarness({ connect: true });
    h.sim.setBotDelay(5000);
    const job = settle(h.driver.picsi(h.command(), never()));
    const harness = h;
    await until(() => harness.sim.stats(harness.account.channelId).inFlight === 1);
    await h.driver.disconnect(h.account.channelId);
    expect(await job).toMatchObject({ code: 'ABORTED', commandSent: true });
    expect(h.driver.inspect()).toMatchObject({ sessions: 0, channels: 0, waiters: 0 });
  });
});

describe('Discord unreachable', () => {
  it('the gateway retries with backoff (no crash); the job fails with TIMEOUT at the deadline, or ABORTED', async () => {
    // A port nothing listens on: every REST call and socket fails with ECONNREFUSED.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const address = s.address();
        s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const driver = createDiscordDriver({
      apiUrl: `http://127.0.0.1:${port}/api`,
      logger: pino({ level: 'silent' }),
      timeoutMs: 500,
      gateway: { reconnect: { initialMs: 20, maxMs: 100 } },
    });
    const harness = await startHarness();
    try {
      const command = harness.command();
      const timedOut = await settle(driver.picsi(command, never()));
      expect(timedOut).toMatchObject({ code: 'TIMEOUT', commandSent: false });
      expect((timedOut as DriverError).details).toMatchObject({ step: 'gateway', gateway: 'reconnecting' });
      const controller = new AbortController();
      const aborted = settle(driver.picsi(command, controller.signal));
      await until(() => driver.inspect().waiters > 0); // waiting for the gateway, which keeps failing
      controller.abort();
      expect(await aborted).toMatchObject({ code: 'ABORTED', commandSent: false });
      expect(driver.isReady(command.account.channel)).toBe(false);
    } finally {
      await driver.close();
      await harness.close();
    }
  });
});
