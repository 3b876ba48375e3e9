/**
 * Every scripted bot behaviour, driven through the driver's public surface against the simulator:
 * each job ends in exactly one result or one typed DriverError, and leaves no waiter behind.
 */
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DriverError } from '../../src/discord/index.js';
import type { CommandResult } from '../../src/discord/index.js';
import { BOT_ERROR_KINDS, BOT_ERRORS, DECOY_APPLICATION_ID, PICSI_CREDIT_COST } from '../../src/simulator/index.js';
import type { BotErrorKind } from '../../src/simulator/index.js';
import { never, removeSpooledImages, startHarness } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  // Whatever the outcome, nobody is left waiting on the gateway.
  expect(h.driver.inspect()).toMatchObject({ waiters: 0, running: 0 });
  await h.close();
});
afterAll(removeSpooledImages);

/** Runs one job; returns exactly one of result / DriverError (anything else fails the test). */
async function run(command = h.command(), signal = never()): Promise<{ result?: CommandResult; error?: DriverError; sending: number }> {
  let sending = 0;
  try {
    const result = await h.driver.picsi(command, signal, { onCommandSending: () => void (sending += 1) });
    return { result, sending };
  } catch (error) {
    if (!(error instanceof DriverError)) throw error;
    return { error, sending };
  }
}

const posts = (path: string): number => h.sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith(path)).length;
const interactionPosts = (): number => posts('/interactions');

describe('success', () => {
  it('returns the bot message with a real PNG attachment, its size and the interaction id', async () => {
    h = await startHarness();
    const { result, error, sending } = await run();
    expect(error).toBeUndefined();
    expect(sending).toBe(1);
    if (!result) throw new Error('no result');
    expect(result.attachments).toHaveLength(1);
    const [attachment] = result.attachments;
    expect(attachment).toMatchObject({ contentType: 'image/png', filename: 'scene_swapped.png', width: 120, height: 90 });
    expect(attachment?.proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\/attachments\//);
    const bytes = Buffer.from(await (await fetch(attachment?.url ?? '')).arrayBuffer());
    expect(bytes.length).toBe(attachment?.size);
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 120, 90]);

    expect(result.messageId).toMatch(/^\d+$/);
    expect(result.interactionId).toBe(h.sim.interactionsLog(h.account.channelId)[0]?.interactionId);
    expect(new Date(result.timestamp).toISOString()).toBe(result.timestamp);
    expect(result.content).toContain(h.account.userId ?? 'missing');
    // The command was sent once and charged once.
    expect(interactionPosts()).toBe(1);
    expect(h.sim.stats(h.account.channelId)).toMatchObject({ interactions: 1, completed: 1, inFlight: 0 });
    expect(h.sim.credits(h.account.channelId).used).toBe(PICSI_CREDIT_COST);
  });

  it('speaks the documented sequence (docs/discord-protocol.md): gateway, command index, upload slots, two PUTs, /interactions', async () => {
    h = await startHarness();
    await run();
    const seq = h.sim.requests.map(
      (r) => `${r.method} ${r.path.replace(/\d{5,}/g, ':id').replace(/\/upload\/[^/]+\/[^/]+$/, '/upload/…')} ${r.status}`,
    );
    expect(seq).toEqual([
      'GET /api/v9/gateway 200',
      'GET /gateway 101',
      'GET /api/v9/guilds/:id/application-command-index 200',
      'POST /api/v9/channels/:id/attachments 200',
      'PUT /upload/… 200',
      'PUT /upload/… 200',
      'POST /api/v9/interactions 204',
    ]);
  });

  it('picks InsightFaceSwap /picsi from the index, never the decoy app listed first', async () => {
    h = await startHarness();
    const index = (await (
      await fetch(`${h.sim.apiUrl}/v9/guilds/${h.account.guildId}/application-command-index`, {
        headers: { authorization: h.account.token },
      })
    ).json()) as {
      application_commands: { application_id: string; name: string }[];
    };
    expect(index.application_commands[0]).toMatchObject({ application_id: DECOY_APPLICATION_ID, name: 'picsi' });
    h.sim.resetStats();
    const { result } = await run();
    expect(result?.attachments).toHaveLength(1);
    // Cached: a second job does not read the index again.
    await run();
    expect(h.sim.requests.filter((r) => r.path.endsWith('/application-command-index'))).toHaveLength(1);
  });

  it('passes the options string; the bot answers an invalid one with INVALID_OPTION', async () => {
    h = await startHarness();
    const ok = await run(h.command({ options: '-m --shut' }));
    expect(ok.result?.attachments).toHaveLength(1);
    const bad = await run(h.command({ options: '-m --bogus' }));
    expect(bad.error?.code).toBe('BOT_ERROR');
    expect(bad.error?.reason).toBe('INVALID_OPTION');
  });
});

/**
 * The reason the driver must report for each error the simulated bot sends. The simulator's
 * wordings and the driver's patterns are written apart: a wording either side gets wrong fails here.
 */
const DRIVER_REASON: Record<BotErrorKind, string> = {
  NO_FACE: 'NO_FACE',
  INVALID_OPTION: 'INVALID_OPTION',
  CREDITS_EXHAUSTED: 'CREDITS_EXHAUSTED',
  DAILY_LIMIT: 'DAILY_LIMIT',
};

describe('bot errors', () => {
  it.each(BOT_ERROR_KINDS)("the simulated bot's %s reply → BOT_ERROR with its reason and the bot text", async (kind) => {
    h = await startHarness();
    h.sim.script(h.account.channelId, { kind: 'botError', error: kind });
    const { result, error, sending } = await run();
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'BOT_ERROR', reason: DRIVER_REASON[kind], commandSent: true, disableAccount: false });
    expect(error?.details).toEqual({ reason: DRIVER_REASON[kind], text: expect.stringContaining(BOT_ERRORS[kind].description) as unknown });
    expect(sending).toBe(1);
    expect(interactionPosts()).toBe(1);
  });

  it('a real shortage of credits is reported by the bot as CREDITS_EXHAUSTED', async () => {
    h = await startHarness({ account: { credits: 2 } });
    const { error } = await run();
    expect(error).toMatchObject({ code: 'BOT_ERROR', reason: 'CREDITS_EXHAUSTED' });
  });
});

describe('Discord refusals', () => {
  it('429 on /interactions → DISCORD_RATE_LIMITED with retry_after, sent exactly once', async () => {
    h = await startHarness();
    h.sim.script(h.account.channelId, { kind: 'rateLimit', retryAfterSeconds: 2.5 });
    const { error, sending } = await run();
    expect(error).toMatchObject({ code: 'DISCORD_RATE_LIMITED', retryAfterMs: 2500, commandSent: true });
    expect(error?.details).toEqual({ message: 'The resource is being rate limited.', retry_after: 2.5, global: false });
    expect(sending).toBe(1);
    expect(h.sim.requests.filter((r) => r.path.endsWith('/interactions')).map((r) => r.status)).toEqual([429]);
    expect(h.sim.stats(h.account.channelId).interactions).toBe(0);
  });

  it('a 429 is never retried by the client: the next job sends its own command', async () => {
    h = await startHarness();
    h.sim.script(h.account.channelId, { kind: 'rateLimit', retryAfterSeconds: 0.2 });
    expect((await run()).error?.code).toBe('DISCORD_RATE_LIMITED');
    // A library that retried a 429 would have answered this job with the retry's result, not the 429.
    expect(interactionPosts()).toBe(1);
    expect((await run()).result?.attachments).toHaveLength(1);
    expect(h.sim.requests.filter((r) => r.path.endsWith('/interactions')).map((r) => r.status)).toEqual([429, 204]);
  });

  it("the library's own pacing (account global limit) delays /interactions instead of failing the job", async () => {
    h = await startHarness({ driver: { globalRequestsPerSecond: 1 } });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await run());
    expect(outcomes.map((o) => o.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok']);
    expect(interactionPosts()).toBe(3);
    expect(h.sim.requests.filter((r) => r.path.endsWith('/interactions')).map((r) => r.status)).toEqual([204, 204, 204]);
  });

  it('INTERACTION_FAILURE → INTERACTION_FAILED with reason_code, without waiting for the timeout', async () => {
    // A job timeout beyond the test's own (30 s): a driver that waited for it could not pass.
    h = await startHarness({ driver: { timeoutMs: 60_000 } });
    h.sim.script(h.account.channelId, { kind: 'interactionFailure' });
    const { error } = await run();
    expect(error).toMatchObject({ code: 'INTERACTION_FAILED', commandSent: true });
    expect(error?.details).toEqual({ reason_code: 2, interactionId: h.sim.interactionsLog(h.account.channelId)[0]?.interactionId });
  });

  it('silence → TIMEOUT after timeoutMs, reporting that the bot acknowledged and showed a placeholder', async () => {
    h = await startHarness({ driver: { timeoutMs: 1000 }, connect: true });
    h.sim.script(h.account.channelId, { kind: 'silence' });
    const started = Date.now();
    const { error } = await run();
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'TIMEOUT', commandSent: true });
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(error?.details).toMatchObject({
      step: 'reply',
      acknowledged: true,
      placeholderId: expect.stringMatching(/^\d+$/) as unknown,
      orphaned: false,
      gateway: 'ready',
    });
  });

  it('silence without a placeholder still times out (acknowledged, no placeholder)', async () => {
    h = await startHarness({ driver: { timeoutMs: 800 }, connect: true });
    h.sim.script(h.account.channelId, { kind: 'silence', placeholder: false });
    const { error } = await run();
    expect(error).toMatchObject({ code: 'TIMEOUT', commandSent: true });
    expect(error?.details).toMatchObject({ acknowledged: true, placeholderId: null });
  });

  it('stale command version → refreshes the index once and succeeds', async () => {
    h = await startHarness();
    await run(); // caches the index
    h.sim.script(h.account.channelId, { kind: 'staleCommandVersion' });
    const { result, sending } = await run();
    expect(result?.attachments).toHaveLength(1);
    expect(sending).toBe(2);
    expect(h.sim.requests.filter((r) => r.path.endsWith('/interactions')).map((r) => r.status)).toEqual([204, 400, 204]);
    expect(h.sim.requests.filter((r) => r.path.endsWith('/application-command-index'))).toHaveLength(2);
    expect(h.sim.stats(h.account.channelId).interactions).toBe(2);
  });

  it('a version still stale after the refresh → DISCORD_ERROR, no second refresh', async () => {
    h = await startHarness();
    h.sim.script(h.account.channelId, { kind: 'staleCommandVersion' }, { kind: 'staleCommandVersion' });
    const { error } = await run();
    expect(error).toMatchObject({ code: 'DISCORD_ERROR', commandSent: true, disableAccount: false });
    expect(error?.details).toMatchObject({ status: 400, code: 50035 });
    expect(interactionPosts()).toBe(2);
    expect(h.sim.requests.filter((r) => r.path.endsWith('/application-command-index'))).toHaveLength(2);
  });

  it('bad token → DISCORD_UNAUTHORIZED (close 4004), account out of rotation, nothing sent', async () => {
    h = await startHarness();
    const command = h.command();
    const { error, sending } = await run({ ...command, account: { ...command.account, discord: 'not.a.valid-token.at-all' } });
    expect(error).toMatchObject({ code: 'DISCORD_UNAUTHORIZED', disableAccount: true, commandSent: false });
    expect(error?.details).toMatchObject({ closeCode: 4004 });
    expect(sending).toBe(0);
    expect(h.sim.requests.filter((r) => r.path.startsWith('/api/') && r.path !== '/api/v9/gateway')).toEqual([]);
    expect(h.driver.isReady(command.account.channel)).toBe(false);
  });

  it('HTTP 403 (a guild the account is not in) → DISCORD_UNAUTHORIZED with disableAccount', async () => {
    h = await startHarness();
    const other = h.sim.createAccount();
    const command = h.command();
    const { error } = await run({ ...command, account: { ...command.account, server: other.guildId, channel: other.channelId } });
    expect(error).toMatchObject({ code: 'DISCORD_UNAUTHORIZED', disableAccount: true, commandSent: false });
    expect(error?.details).toMatchObject({ status: 403, code: 50001, message: 'Missing Access' });
  });

  it('a channel that does not exist → DISCORD_ERROR with ACCESS_LOST: the account cannot use its channel until a person fixes it', async () => {
    h = await startHarness();
    const command = h.command();
    const { error } = await run({ ...command, account: { ...command.account, channel: '123456789012345678' } });
    expect(error).toMatchObject({ code: 'DISCORD_ERROR', disableAccount: true, commandSent: false, signal: { id: 'ACCESS_LOST' } });
    expect(error?.details).toMatchObject({ status: 404, code: 10003 });
  });
});
