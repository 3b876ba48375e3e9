/**
 * GIF targets end to end: picsi and swapId onto an animated GIF complete with an animated GIF, the
 * job records the GIF price (src/jobs/command-costs.ts) and the bot charges it; a GIF over the
 * plan's frame limit is refused before a job is accepted.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIF_RULES, COMMAND_COSTS } from '../../src/jobs/command-costs.js';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { picsiFiles, postMultipart } from '../helpers/graphql-http.js';
import { IdentityClient } from '../helpers/identity-client.js';
import { makeGif, makeImage } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'user-token-identity-gif';
const PLENTY = 100_000;

let stack: Stack;
let simulator: DiscordSimulator;
let api: IdentityClient;
let channel: string;
let face: Buffer;
beforeAll(async () => {
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const account = simulator.createAccount({ credits: PLENTY });
  channel = account.channelId;
  stack = await startStack({ simulator, accounts: [account], env: { API_TOKENS: TOKEN, CREDITS_PER_DAY: String(PLENTY) } });
  api = new IdentityClient(stack.url, TOKEN);
  face = await makeImage(64, 64, 'png', '#c08060');
});
afterAll(async () => {
  await stack.stop();
  await simulator.close();
});

type PicsiJob = {
  status: string;
  code: string | null;
  creditCost: number | null;
  attachments: { url: string; contentType: string | null; download: { url: string } | null }[];
};
const PICSI = `mutation ($input: PicsiInput!) {
  picsi(input: $input) { status code creditCost attachments { url contentType download { url } } }
}`;

async function framesOf(url: string): Promise<{ format: string | undefined; pages: number | undefined }> {
  const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
  const meta = await sharp(bytes, { animated: true }).metadata();
  return { format: meta.format, pages: meta.pages };
}

describe('GIF targets', () => {
  it('picsi onto an animated GIF → COMPLETED with an image/gif of more than one frame, at the GIF price', async () => {
    const gif = await makeGif(48, 32, 5);
    const before = simulator.credits(channel).used;
    const res = await postMultipart<{ picsi: PicsiJob }>(
      stack.url,
      PICSI,
      { input: { sourceImage: null, targetImage: null, wait: true } },
      picsiFiles(face, gif, { filename: 'clip.gif', type: 'image/gif' }),
      { token: TOKEN },
    );
    expect(res.body.errors).toBeUndefined();
    const job = res.body.data!.picsi;
    expect(job).toMatchObject({ status: 'COMPLETED', creditCost: GIF_RULES.basic.credits.value });
    expect(job.attachments).toEqual([expect.objectContaining({ contentType: 'image/gif' })]);
    expect(await framesOf(job.attachments[0]!.url)).toEqual({ format: 'gif', pages: 5 });
    // Our stored copy is the animated GIF too.
    expect(await framesOf(new URL(job.attachments[0]!.download!.url, stack.url).href)).toEqual({ format: 'gif', pages: 5 });
    expect(simulator.credits(channel).used - before).toBe(GIF_RULES.basic.credits.value);
  });

  it('swapId onto an animated GIF → an animated GIF at the GIF price; onto a still image, the still price', async () => {
    const saved = await api.saveId({ idname: 'alice', wait: true }, face);
    expect(saved?.status).toBe('COMPLETED');

    const before = simulator.credits(channel).used;
    const job = await api.swapId({ idname: 'alice', wait: true }, await makeGif(48, 32, 3), 'clip.gif');
    expect(job).toMatchObject({ status: 'COMPLETED', creditCost: GIF_RULES.basic.credits.value, targetImage: { type: 'image/gif' } });
    expect(job?.attachments).toEqual([expect.objectContaining({ contentType: 'image/gif' })]);
    expect(await framesOf(job!.attachments[0]!.url)).toEqual({ format: 'gif', pages: 3 });
    expect(simulator.credits(channel).used - before).toBe(GIF_RULES.basic.credits.value);

    const still = await api.swapId({ idname: 'alice', wait: true }, await makeGif(48, 32, 1), 'one.gif');
    expect(still).toMatchObject({ status: 'COMPLETED', creditCost: COMMAND_COSTS.swapid.value });
    expect(still?.attachments[0]?.contentType).toBe('image/png');
  });

  it('a GIF over the plan’s frame limit is refused before acceptance (BAD_USER_INPUT), nothing is sent', async () => {
    const frames = GIF_RULES.basic.maxFrames.value + 1;
    const sent = simulator.interactionsLog(channel).length;
    const res = await api.swapIdResponse({ idname: 'alice' }, await makeGif(16, 16, frames), 'long.gif');
    expect(api.firstError(res)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `GIF target has ${frames} frames; the basic plan allows at most ${GIF_RULES.basic.maxFrames.value}`,
      extensions: { field: 'targetImage', max: GIF_RULES.basic.maxFrames.value },
    });
    expect(simulator.interactionsLog(channel).length).toBe(sent);
  });
});
