import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { creditCost } from '../../src/jobs/command-costs.js';
import { ERROR_COLOUR, GIF_ERRORS, GIF_MAX_BYTES, GIF_RULES, PICSI_CREDIT_COST } from '../../src/simulator/index.js';
import { makeGif, makeImage } from '../helpers/images.js';
import type { FileToSend } from '../helpers/picsi-client.js';
import { download, runCommand } from '../helpers/sim-commands.js';
import { simTest } from '../helpers/sim-fixture.js';
import { finalReply, loginUser, sampleImages, startPicsi } from '../helpers/sim-session.js';
import type { UserSession } from '../helpers/sim-session.js';

const gif = async (frames: number, delayMs = 100): Promise<FileToSend> => ({
  filename: 'clip.gif',
  bytes: await makeGif(48, 32, frames, delayMs),
});

async function picsiOnto(user: UserSession, target: FileToSend) {
  const { source } = await sampleImages();
  const { nonce } = await startPicsi(user, { files: { source, target } });
  return finalReply(user, nonce);
}

const refusal = (description: string) => ({ embeds: [{ title: 'Error', description, color: ERROR_COLOUR }], attachments: [] });

describe('GIF targets', () => {
  simTest('/picsi onto an animated GIF yields an animated GIF: same frames, size and delays', async ({ sim, user, channel }) => {
    const target = await gif(5, 120);
    const reply = await picsiOnto(user, target);
    expect(reply.attachments).toEqual([
      expect.objectContaining({ filename: 'clip_swapped.gif', content_type: 'image/gif', width: 48, height: 32 }),
    ]);
    const bytes = await download(reply.attachments[0]?.url ?? '');
    const meta = await sharp(bytes, { animated: true }).metadata();
    expect(meta).toMatchObject({ format: 'gif', pages: 5, pageHeight: 32, width: 48, delay: [120, 120, 120, 120, 120] });
    // Frames keep their own content: the face is pasted on each, not one frame repeated.
    const [first, last] = await Promise.all([0, 4].map((page) => sharp(bytes, { page }).raw().toBuffer()));
    expect(first?.equals(last ?? Buffer.alloc(0))).toBe(false);
    const original = await Promise.all([0, 4].map((page) => sharp(target.bytes, { page }).raw().toBuffer()));
    expect(first?.equals(original[0] ?? Buffer.alloc(0))).toBe(false);
    expect(last?.equals(original[1] ?? Buffer.alloc(0))).toBe(false);
    expect(sim.credits(channel).used).toBe(GIF_RULES.basic.credits);
  });

  simTest('/swapid onto an animated GIF is animated as well', async ({ sim, user, channel }) => {
    await runCommand(user, 'saveid', {
      strings: { idname: 'alice' },
      files: { image: { filename: 'a.png', bytes: await makeImage(64, 64) } },
    });
    const reply = await runCommand(user, 'swapid', { strings: { idname: 'alice' }, files: { image: await gif(3) } });
    const meta = await sharp(await download(reply.attachments[0]?.url ?? ''), { animated: true }).metadata();
    expect(meta.pages).toBe(3);
    expect(sim.credits(channel).used).toBe(GIF_RULES.basic.credits);
  });

  simTest('a single-frame GIF is a still target: PNG result at the still price', async ({ sim, user, channel }) => {
    const reply = await picsiOnto(user, await gif(1));
    expect(reply.attachments[0]).toMatchObject({ content_type: 'image/png', filename: 'clip_swapped.png' });
    expect(sim.credits(channel).used).toBe(PICSI_CREDIT_COST);
  });

  simTest(`Basic allows ${GIF_RULES.basic.maxFrames} frames; one more is refused and not charged`, async ({ sim, user, channel }) => {
    const atLimit = await picsiOnto(user, await gif(GIF_RULES.basic.maxFrames, 50));
    expect(atLimit.attachments[0]?.content_type).toBe('image/gif');
    const over = await picsiOnto(user, await gif(GIF_RULES.basic.maxFrames + 1, 50));
    expect(over).toMatchObject(refusal(GIF_ERRORS.GIF_TOO_MANY_FRAMES(GIF_RULES.basic.maxFrames + 1, GIF_RULES.basic.maxFrames)));
    expect(sim.credits(channel).used).toBe(GIF_RULES.basic.credits);
  });

  simTest(`Pro allows ${GIF_RULES.pro.maxFrames} frames at ${GIF_RULES.pro.credits} credits; more are refused`, async ({ sim }) => {
    const pro = await loginUser(sim, sim.createAccount({ plan: 'pro', credits: 100 }));
    const reply = await picsiOnto(pro, await gif(GIF_RULES.basic.maxFrames + 1, 20));
    const meta = await sharp(await download(reply.attachments[0]?.url ?? ''), { animated: true }).metadata();
    expect(meta.pages).toBe(GIF_RULES.basic.maxFrames + 1);
    expect(sim.credits(pro.account.channelId).used).toBe(GIF_RULES.pro.credits);

    const over = await picsiOnto(pro, await gif(GIF_RULES.pro.maxFrames + 1, 20));
    expect(over).toMatchObject(refusal(GIF_ERRORS.GIF_TOO_MANY_FRAMES(GIF_RULES.pro.maxFrames + 1, GIF_RULES.pro.maxFrames)));
    expect(sim.credits(pro.account.channelId).used).toBe(GIF_RULES.pro.credits);
    await pro.gateway.close();
  });

  simTest('setPlan switches the limits for later jobs', async ({ sim, user, channel }) => {
    const target = await gif(GIF_RULES.basic.maxFrames + 1, 20);
    expect((await picsiOnto(user, target)).embeds).toHaveLength(1);
    sim.setPlan(channel, 'pro');
    expect((await picsiOnto(user, target)).attachments[0]?.content_type).toBe('image/gif');
  });

  simTest('a GIF over 10 MB is refused before it is decoded', async ({ sim, user, channel }) => {
    const small = await makeGif(16, 16, 2);
    const padded = Buffer.concat([small, Buffer.alloc(GIF_MAX_BYTES + 1 - small.length)]);
    const reply = await picsiOnto(user, { filename: 'huge.gif', bytes: padded });
    expect(reply).toMatchObject(refusal(GIF_ERRORS.GIF_TOO_LARGE(padded.length)));
    expect(sim.credits(channel).used).toBe(0);
  });

  simTest('a GIF costs more than a still swap: not enough credits for it → credits exhausted', async ({ sim }) => {
    const poor = await loginUser(sim, sim.createAccount({ credits: GIF_RULES.basic.credits - 1 }));
    const reply = await picsiOnto(poor, await gif(3));
    expect(reply.embeds[0]?.description).toMatch(/credits/);
    expect(reply.attachments).toEqual([]);
    expect(sim.credits(poor.account.channelId).used).toBe(0);
    await poor.gateway.close();
  });
});

describe("the driver's cost table against the simulated bot", () => {
  simTest('creditCost predicts what the bot charges for still and GIF targets on both plans', async ({ sim }) => {
    for (const plan of ['basic', 'pro'] as const) {
      const user = await loginUser(sim, sim.createAccount({ plan, credits: 1000 }));
      for (const target of [await gif(1), await gif(4), { filename: 'still.png', bytes: await makeImage(40, 40) }]) {
        const before = sim.credits(user.account.channelId).used;
        expect((await picsiOnto(user, target)).attachments).toHaveLength(1);
        const meta = await sharp(target.bytes, { animated: true }).metadata();
        const predicted = creditCost('picsi', { format: meta.format, frames: meta.pages ?? 1, bytes: target.bytes.length }, plan);
        expect(sim.credits(user.account.channelId).used - before).toBe(predicted);
      }
      await user.gateway.close();
    }
  });

  simTest('the GIF limits match the published ones: Basic 20 frames, Pro 75, 10 MB', () => {
    expect(GIF_RULES).toEqual({ basic: { maxFrames: 20, credits: 20 }, pro: { maxFrames: 75, credits: 30 } });
    expect(GIF_MAX_BYTES).toBe(10 * 1024 * 1024);
  });
});
