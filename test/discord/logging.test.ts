/** The raw token never appears in a log line, a result or an error; logs carry the masked form. */
import { afterAll, expect, it } from 'vitest';
import { maskToken } from '../../src/jobs/model.js';
import { never, removeSpooledImages, startHarness } from './harness.js';

afterAll(removeSpooledImages);

it('logs (at trace level), results and errors never contain the token', async () => {
  const h = await startHarness({ driver: { timeoutMs: 1000 }, connect: true });
  const token = h.account.token;
  const outputs: unknown[] = [];
  const collect = async (job: Promise<unknown>): Promise<void> => {
    outputs.push(await job.catch((e: unknown) => e));
  };
  try {
    h.sim.script(
      h.account.channelId,
      { kind: 'success' },
      { kind: 'botError', error: 'DAILY_LIMIT' },
      { kind: 'rateLimit', retryAfterSeconds: 0.01 },
      { kind: 'interactionFailure' },
      { kind: 'dropGatewayMidJob', resumable: false },
      { kind: 'staleCommandVersion' },
      { kind: 'silence' },
    );
    for (let i = 0; i < 7; i += 1) await collect(h.driver.picsi(h.command(), never()));
    const command = h.command();
    // 403 from REST, and a refused gateway IDENTIFY with a different bad token.
    const stranger = h.sim.createAccount();
    await collect(
      h.driver.picsi({ ...command, account: { ...command.account, server: stranger.guildId, channel: stranger.channelId } }, never()),
    );
    const badToken = 'bad-token-that-must-not-leak-0123456789';
    await collect(h.driver.picsi({ ...command, account: { ...command.account, channel: '999', discord: badToken } }, never()));
    await h.driver.close();

    expect(h.logs.length).toBeGreaterThan(20);
    const logText = h.logs.join('');
    expect(logText).not.toContain(token);
    expect(logText).not.toContain(badToken);
    expect(logText).toContain(`"account":"${maskToken(token)}"`);
    // Each job logged its outcome with its channel.
    expect(logText).toMatch(/"channel":"\d+".*"picsi completed"/);
    expect(logText).toMatch(/"code":"BOT_ERROR"/);

    for (const output of outputs) {
      const text =
        JSON.stringify(output, Object.getOwnPropertyNames(output ?? {})) +
        String(output) +
        JSON.stringify((output as { details?: unknown }).details ?? null);
      expect(text).not.toContain(token);
      expect(text).not.toContain(badToken);
    }
  } finally {
    await h.close();
  }
});
