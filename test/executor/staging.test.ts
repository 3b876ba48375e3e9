/**
 * Staging: while a channel's bot works, the images of the job that channel would run next are
 * uploaded to its attachment slots, so when the bot answers only /interactions remains. The store's
 * queue is never touched: a staged job whose channel's account fails before the command runs simply
 * runs on another account, once.
 */
import { afterEach, expect, it } from 'vitest';
import { DiscordSimulator, type InteractionLogEntry } from '../../src/simulator/index.js';
import { transferMs } from '../../src/simulator/http/link.js';
import { account, readJob, runPicsi, until } from '../e2e/account-helpers.js';
import { postPicsi } from '../helpers/graphql-http.js';
import { makePng, makePngOfSize } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const LINK_MBPS = 20;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stackOn(channels: number): Promise<Stack> {
  const simulator = await DiscordSimulator.start({ botDelayMs: 0, linkMbps: LINK_MBPS });
  cleanups.push(() => simulator.close());
  const accounts = Array.from({ length: channels }, () => simulator.createAccount({ credits: 1_000_000 }));
  const stack = await startStack({ simulator, accounts });
  cleanups.push(() => stack.stop());
  return stack;
}

const submit = async (url: string, source: Buffer, target: Buffer) => {
  const res = await postPicsi(url, source, { target });
  if (!res.body.data?.picsi) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.picsi.id;
};

const attachmentPosts = (stack: Stack, channel: string) =>
  stack.simulator.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${channel}/attachments`));

it("a staged job's command follows the bot's answer within milliseconds, its uploads done during the bot's work", async () => {
  const stack = await stackOn(1);
  const channel = stack.accounts[0]!.channelId;
  const [source, target] = await Promise.all([makePngOfSize(200_000), makePngOfSize(1_500_000)]);
  stack.simulator.setBotDelay(1500);
  for (let i = 0; i < 3; i++) await submit(stack.url, source, target);

  const ended = () => stack.simulator.interactionsLog(channel).filter((e) => e.endedAt !== undefined);
  await until(() => ended().length === 3, 'three answers', 30_000);
  const log: readonly InteractionLogEntry[] = stack.simulator.interactionsLog(channel);
  // The target alone takes this long on the link: a handoff that uploaded it could not be shorter.
  const uploadMs = transferMs(target.length, LINK_MBPS);
  expect(uploadMs).toBeGreaterThan(500);
  for (let i = 1; i < log.length; i++) {
    const previous = log[i - 1]!;
    const gap = log[i]!.at - previous.endedAt!;
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(250);
    // Its images were uploaded while the previous command ran: i + 1 slot requests before that answer.
    expect(attachmentPosts(stack, channel).filter((r) => r.at < previous.endedAt!).length).toBeGreaterThanOrEqual(i + 1);
  }
  expect(stack.simulator.stats(channel).maxInFlight).toBe(1);
}, 60_000);

it("a staged job whose channel's account fails before its command runs is run once, on another account", async () => {
  const stack = await stackOn(2);
  const [x, y] = stack.accounts.map((a) => a.channelId) as [string, string];
  const png = await makePng(24, 24);
  // One job on each first, so both accounts have their gateway session (where a person's command shows).
  for (const channel of [x, y]) expect(await runPicsi(stack.url, png, channel)).toMatchObject({ status: 'COMPLETED' });
  // A person's command keeps y busy (no staging there): the jobs go to x.
  const person = stack.simulator.personCommand(y, { delayMs: 4000 });
  await until(async () => (await account(stack.url, y)).foreignCommand, 'the person’s command on y');
  stack.simulator.setBotDelay(1500);
  const first = await submit(stack.url, png, png);
  await until(() => stack.simulator.interactionsLog(x).length === 2, 'the first command on x');
  const staged = await submit(stack.url, png, png);
  await until(() => attachmentPosts(stack, x).length === 3, 'the second job staged on x');
  expect((await readJob(stack.url, staged)).status).toBe('QUEUED');

  // x now needs a person: its next command is refused (the staged slots are never used).
  const onYBefore = stack.simulator.interactionsLog(y).length;
  stack.simulator.setAccountFault(x, 'captcha');
  await until(async () => (await readJob(stack.url, staged)).status === 'COMPLETED', 'the staged job to complete', 30_000);
  await person;
  expect(await readJob(stack.url, first)).toMatchObject({ status: 'COMPLETED', channel: x });
  expect(await readJob(stack.url, staged)).toMatchObject({ status: 'COMPLETED', channel: y, code: null });
  // x: the warm-up and the first job, nothing more; y: the staged job, once.
  expect(stack.simulator.interactionsLog(x)).toHaveLength(2);
  expect(
    stack.simulator
      .interactionsLog(y)
      .slice(onYBefore)
      .map((e) => e.outcome),
  ).toEqual(['result']);
  expect((await account(stack.url, x)).health.state).toBe('NEEDS_PERSON');
}, 60_000);
