/**
 * A POST /interactions whose answer is lost or unclear after it reached Discord (a 502 from a
 * proxy, a dropped connection): the bot may be working on it, so the channel is not given to the
 * next job until the bot answered — and the job ends with the bot's real answer.
 */
import { afterAll, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { postJson, postPicsi } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startInteractionsProxy, type InteractionAnswer } from '../helpers/interactions-proxy.js';
import { startStack } from '../helpers/stack.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

type JobState = { status: string; code: string | null; startedAt: string | null; finishedAt: string | null };
const JOB_QUERY = 'query ($id: ID!) { job(id: $id) { status code startedAt finishedAt } }';

it.each<InteractionAnswer>(['status-502', 'drop'])(
  '%s after the send: the next job waits for the bot; both complete, never two on the channel',
  async (answer) => {
    const simulator = await DiscordSimulator.start({ botDelayMs: 600 });
    cleanups.push(() => simulator.close());
    const account = simulator.createAccount({ credits: 1000 });
    const proxy = await startInteractionsProxy(simulator.apiUrl);
    cleanups.push(() => proxy.close());
    const stack = await startStack({ simulator, accounts: [account], env: { DISCORD_API_URL: proxy.apiUrl } });
    cleanups.push(() => stack.stop());
    proxy.spoil(answer);

    const png = await makePng(16, 16);
    const submit = async () => (await postPicsi(stack.url, png)).body.data!.picsi.id;
    const [first, second] = [await submit(), await submit()];
    const read = async (id: string) => (await postJson<{ job: JobState }>(stack.url, JOB_QUERY, { id })).body.data!.job;
    await expect.poll(async () => (await read(second)).status, { timeout: 20_000, interval: 50 }).toBe('COMPLETED');

    const [a, b] = [await read(first), await read(second)];
    expect(a).toMatchObject({ status: 'COMPLETED', code: null });
    expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));
    expect(simulator.stats(account.channelId)).toMatchObject({ maxInFlight: 1, interactions: 2, completed: 2 });
    expect(proxy.forwarded).toBe(2);
  },
  60_000,
);
