/**
 * Account plans and GIF targets: each account's plan (DISCORD_ACCOUNTS `plan`) sets the GIF frame
 * limit and price a job is checked and charged against (src/jobs/command-costs.ts). A job pinned to
 * a channel follows that account's plan; a job any account may claim must suit every candidate's
 * plan and costs the dearest price.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIF_RULES } from '../../src/jobs/command-costs.js';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { picsiFiles, postJson, postMultipart } from '../helpers/graphql-http.js';
import { makeGif, makeImage } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-gif-plans';
const ADMIN = 'admin-token-gif-plans';
const PLENTY = 100_000;
const GIF_FILE = { filename: 'clip.gif', type: 'image/gif' };
const PRO_ONLY_FRAMES = GIF_RULES.basic.maxFrames.value + 5;

let stack: Stack;
let simulator: DiscordSimulator;
let basic: string;
let pro: string;
let face: Buffer;
beforeAll(async () => {
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const basicAccount = simulator.createAccount({ credits: PLENTY });
  const proAccount = simulator.createAccount({ credits: PLENTY, plan: 'pro' });
  [basic, pro] = [basicAccount.channelId, proAccount.channelId];
  stack = await startStack({
    simulator,
    accounts: [basicAccount, proAccount],
    env: { API_TOKENS: TOKEN, ADMIN_TOKENS: ADMIN, CREDITS_PER_DAY: String(PLENTY) },
  });
  face = await makeImage(64, 64, 'png', '#c08060');
});
afterAll(async () => {
  await stack.stop();
  await simulator.close();
});

type PicsiJob = { status: string; code: string | null; channel: string | null; creditCost: number | null };
const PICSI = `mutation ($input: PicsiInput!) { picsi(input: $input) { status code channel creditCost } }`;

async function picsiOnto(gif: Buffer, channel?: string) {
  return postMultipart<{ picsi: PicsiJob }>(
    stack.url,
    PICSI,
    { input: { sourceImage: null, targetImage: null, wait: true, ...(channel ? { channel } : {}) } },
    picsiFiles(face, gif, GIF_FILE),
    { token: TOKEN },
  );
}

const sentCount = () => simulator.interactionsLog(basic).length + simulator.interactionsLog(pro).length;

describe('account plans', () => {
  it('the accounts query shows each account’s plan', async () => {
    const res = await postJson<{ accounts: { channel: string; plan: string }[] }>(stack.url, '{ accounts { channel plan } }', {}, ADMIN);
    expect(res.body.errors).toBeUndefined();
    expect(Object.fromEntries(res.body.data!.accounts.map((a) => [a.channel, a.plan]))).toEqual({ [basic]: 'BASIC', [pro]: 'PRO' });
  });

  it('a GIF over Basic’s frame limit pinned to the Pro account → COMPLETED at the Pro price', async () => {
    const before = simulator.credits(pro).used;
    const res = await picsiOnto(await makeGif(24, 16, PRO_ONLY_FRAMES), pro);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.picsi).toMatchObject({ status: 'COMPLETED', channel: pro, creditCost: GIF_RULES.pro.credits.value });
    expect(simulator.credits(pro).used - before).toBe(GIF_RULES.pro.credits.value);
  });

  it('the same GIF pinned to the Basic account is refused before acceptance with the Basic limit', async () => {
    const sent = sentCount();
    const res = await picsiOnto(await makeGif(24, 16, PRO_ONLY_FRAMES), basic);
    expect(res.body.errors?.[0]).toMatchObject({
      message: `GIF target has ${PRO_ONLY_FRAMES} frames; the basic plan allows at most ${GIF_RULES.basic.maxFrames.value}`,
      extensions: { code: 'BAD_USER_INPUT', field: 'targetImage', max: GIF_RULES.basic.maxFrames.value },
    });
    expect(sentCount()).toBe(sent);
  });

  it('without a channel, a GIF must suit every account’s plan: refused with a hint to name a channel', async () => {
    const sent = sentCount();
    const res = await picsiOnto(await makeGif(24, 16, PRO_ONLY_FRAMES));
    expect(res.body.errors?.[0]).toMatchObject({
      message:
        `GIF target has ${PRO_ONLY_FRAMES} frames; the basic plan allows at most ${GIF_RULES.basic.maxFrames.value}; ` +
        'name the channel of an account whose plan allows it',
      extensions: { code: 'BAD_USER_INPUT', field: 'targetImage' },
    });
    expect(sentCount()).toBe(sent);
  });

  it('without a channel, a GIF every plan allows costs the dearest GIF price of the candidates', async () => {
    const res = await picsiOnto(await makeGif(24, 16, 3));
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.picsi).toMatchObject({ status: 'COMPLETED', creditCost: GIF_RULES.pro.credits.value });
  });
});
