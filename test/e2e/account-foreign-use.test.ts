/**
 * Foreign use: a person runs a command in the account's channel from another client (the
 * simulator's personCommand: the bot's placeholder reaches our gateway session too). The channel
 * counts as busy until the bot answered that command, so the next job is sent only after it;
 * accountUpdated shows the foreign command start and end.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wsClient } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { runPicsi, until, account } from './account-helpers.js';

let png: Buffer;
let stack: Stack;
beforeAll(async () => {
  png = await makePng(24, 24);
  stack = await startStack({ channels: 1, botDelayMs: 0 });
});
afterAll(() => stack.stop());

it('delays the next job until the bot answered the command a person sent in the channel', async () => {
  const channel = stack.accounts[0]!.channelId;
  expect(await runPicsi(stack.url, png)).toMatchObject({ status: 'COMPLETED' });
  const client = wsClient(stack.url);
  const shown: boolean[] = [];
  const unsubscribe = client.subscribe<{ accountUpdated: { foreignCommand: boolean } }>(
    { query: 'subscription ($c: String) { accountUpdated(channel: $c) { channel foreignCommand } }', variables: { c: channel } },
    {
      next: (value) => value.data && shown.push(value.data.accountUpdated.foreignCommand),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  try {
    await until(() => shown.length > 0, 'the current state first');
    const person = stack.simulator.personCommand(channel, { delayMs: 1500 });
    await until(async () => (await account(stack.url, channel)).foreignCommand, 'the foreign command to be seen');
    const job = await runPicsi(stack.url, png);
    expect(job).toMatchObject({ status: 'COMPLETED', channel });
    const answered = await person;
    const ours = stack.simulator.interactionsLog(channel).at(-1)!;
    expect(ours.nonce).not.toBe(answered.nonce);
    expect(ours.at).toBeGreaterThanOrEqual(answered.endedAt!);
    expect(stack.simulator.stats(channel).maxInFlight).toBe(1);
    expect((await account(stack.url, channel)).foreignCommand).toBe(false);
    await until(() => shown.lastIndexOf(false) > shown.indexOf(true) && shown.includes(true), 'updates showing it start and end');
    expect(shown[0]).toBe(false);
  } finally {
    unsubscribe();
    await new Promise((resolve) => setImmediate(resolve));
    await client.dispose();
  }
});
