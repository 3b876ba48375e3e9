/**
 * The page's own reading of a picked file (src/web/image-check.js), run in Chromium on images
 * sharp writes in every accepted form: the type, the pixel size and a GIF's frame count must be
 * what sharp reads back, so the page never refuses what the server takes nor lets through what it
 * refuses.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGif, makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { launchChromium, type Browser } from './chromium.js';

interface Checked {
  ok: boolean;
  image?: { type: string; width: number; height: number; frames: number };
  problem?: string;
}

const RULES = { maxFileBytes: 10 * 1024 * 1024, maxPixels: 64_000_000, gif: { maxBytes: 10 * 1024 * 1024, maxFrames: 75 } };

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  await browser.page.goto(stack.server.pageUrl);
  // The module as the page loads it, exposed for the tests.
  await browser.page.addScriptTag({
    type: 'module',
    content: "import { checkImage } from '/web/image-check.js'; window.checkImage = checkImage;",
  });
  await browser.page.waitForFunction(() => 'checkImage' in window);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function checkInPage(bytes: Buffer, rules = RULES): Promise<Checked> {
  return browser.page.evaluate(
    async ({ base64, rules }) => {
      const { checkImage } = window as unknown as { checkImage: (file: File, rules: unknown) => Promise<Checked> };
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      return checkImage(new File([data], 'picked'), rules);
    },
    { base64: bytes.toString('base64'), rules },
  );
}

let png: Buffer;
const base = () => sharp(png);

describe("the page's image check agrees with sharp", () => {
  beforeAll(async () => {
    png = await makePng(301, 157);
  });

  const FORMS: [string, () => Promise<Buffer>, string][] = [
    ['PNG', () => Promise.resolve(png), 'PNG'],
    ['baseline JPEG', () => base().jpeg().toBuffer(), 'JPEG'],
    ['progressive JPEG with EXIF', () => base().jpeg({ progressive: true }).withMetadata({ orientation: 1 }).toBuffer(), 'JPEG'],
    ['lossy WebP', () => base().webp().toBuffer(), 'WebP'],
    ['lossless WebP', () => base().webp({ lossless: true }).toBuffer(), 'WebP'],
    ['WebP with alpha (VP8X)', () => base().ensureAlpha(0.5).webp().toBuffer(), 'WebP'],
    ['still GIF', () => base().gif().toBuffer(), 'GIF'],
  ];

  for (const [name, make, type] of FORMS) {
    it(`${name}: type and pixel size`, async () => {
      const bytes = await make();
      const meta = await sharp(bytes).metadata();
      expect(await checkInPage(bytes)).toEqual({ ok: true, image: { type, width: meta.width, height: meta.height, frames: 1 } });
    });
  }

  it('an animated GIF: its frames counted as sharp counts them', async () => {
    for (const frames of [2, 7, 21]) {
      const bytes = await makeGif(40, 30, frames);
      expect((await sharp(bytes).metadata()).pages).toBe(frames);
      expect((await checkInPage(bytes)).image).toEqual({ type: 'GIF', width: 40, height: 30, frames });
    }
  });

  it('a truncated image whose size cannot be read is refused as damaged', async () => {
    const jpeg = await base().jpeg().toBuffer();
    const cut = jpeg.subarray(0, 20);
    expect(await checkInPage(cut)).toEqual({
      ok: false,
      problem: 'this JPEG image looks damaged: its size cannot be read. Pick another one.',
    });
  });

  it('a video is named as one', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(32)]);
    expect((await checkInPage(mp4)).problem).toBe('this file is a video. Pick a PNG, JPEG, GIF or WebP image (videos are not supported).');
  });
});
