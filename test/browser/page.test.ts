/**
 * The web page at / in a real Chromium, driven through its labelled controls: a swap of images of
 * the hosted sample's sizes followed live to its result, shown and downloaded from our stored copy;
 * the queue position and cancel of a waiting job; the history's pages; axe-core, 44 px targets and
 * no sideways scrolling at desktop and phone (390×844) sizes; visible keyboard focus.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { makeGif, makeImage, makePng, makePngOfSize } from '../helpers/images.js';
import { submitPicsi } from '../helpers/graphql-http.js';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { seriousViolations } from './axe.js';
import { blockNonLoopback, launchChromium, type Browser } from './chromium.js';
import { history, imagesLoaded, jobStatus, recordStatuses, swapButton, swapImages, waitForJob } from './page-driver.js';

const BOT_DELAY_MS = 300;
const PHONE = { width: 390, height: 844 };
let images: { face: string; target: string; gif: string; bigFace: string; bigTarget: string };
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'picsi-page-images-'));
  images = {
    face: join(dir, 'face.png'),
    target: join(dir, 'target.jpg'),
    gif: join(dir, 'target.gif'),
    bigFace: join(dir, 'source.png'),
    bigTarget: join(dir, 'big-target.png'),
  };
  writeFileSync(images.face, await makeImage(256, 256, 'png', '#d9a27a'));
  writeFileSync(images.target, await makeImage(480, 320, 'jpeg', '#4a7bd0'));
  writeFileSync(images.gif, await makeGif(160, 120, 6, 100));
  // The hosted API's sample job: a 2.4 MB source and a 1.6 MB target.
  writeFileSync(images.bigFace, await makePngOfSize(2_438_986));
  writeFileSync(images.bigTarget, await makePngOfSize(1_604_758));
});

describe('the page at /, auth off', () => {
  let simulator: DiscordSimulator;
  let stack: Stack;
  let browser: Browser;
  let blocked: string[];
  beforeAll(async () => {
    // Credits for a dozen swaps and a GIF (the simulator keeps the bot's daily credits).
    simulator = await DiscordSimulator.start({ botDelayMs: BOT_DELAY_MS });
    const account = simulator.createAccount({ credits: 1000 });
    stack = await startStack({ simulator, accounts: [account], env: { CREDITS_PER_DAY: '1000' } });
    browser = await launchChromium();
    blocked = await blockNonLoopback(browser.context);
    await browser.page.goto(stack.server.pageUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await simulator?.close();
  });

  it('swaps a 2.4 MB face onto a 1.6 MB target, live, and shows and downloads the result from our stored copy', async () => {
    const { page } = browser;
    await page.getByLabel('keep the mouth (-m)').check();
    const seen = await swapImages(page, images.bigFace, images.bigTarget);
    expect(seen.statuses).toContain('STARTED');
    expect(seen.statuses.at(-1)).toBe('COMPLETED');

    // The result is our copy (a /files/ link of this server), never the simulator's CDN.
    const src = await page.getByRole('img', { name: 'The face swap result' }).getAttribute('src');
    expect(new URL(src!, stack.server.pageUrl).origin).toBe(new URL(stack.server.pageUrl).origin);
    expect(new URL(src!, stack.server.pageUrl).pathname).toMatch(/^\/files\//);

    // A real download: the browser saves a file (no new tab), with the bytes the server stored.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the result' }).click()]);
    expect(page.context().pages()).toHaveLength(1);
    const saved = readFileSync(await download.path());
    const stored = Buffer.from(await (await fetch(new URL(src!, stack.server.pageUrl))).arrayBuffer());
    expect(saved.equals(stored)).toBe(true);
    expect(download.suggestedFilename()).toMatch(/\.(png|jpe?g|webp|gif)$/);

    // The history lists it, its thumbnail loaded from the same copy.
    await expect.poll(() => imagesLoaded(history(page).getByRole('img'))).toEqual([true]);
    expect(await history(page).first().textContent()).toContain('Face swap');
    expect(blocked).toEqual([]);
  });

  it('a download link read long ago is renewed before use', async () => {
    // A page of its own, on a clock the test moves (the other tests keep the real one).
    const page = await browser.context.newPage();
    try {
      await page.clock.install();
      await page.goto(stack.server.pageUrl);
      const link = history(page).first().getByRole('link', { name: 'Download' });
      const old = new URL((await link.getAttribute('href'))!, stack.server.pageUrl).href;
      const reads: string[] = [];
      page.on('request', (request) => {
        if (request.postData()?.includes('job(id: $id)')) reads.push(request.url());
      });
      await page.clock.fastForward('02:00:00'); // the one-hour link has expired
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(reads).toHaveLength(1); // the job was read again for a fresh link
      expect(new URL(download.url()).pathname).toBe(new URL(old).pathname);
      expect(readFileSync(await download.path()).length).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('a GIF target gives an animated GIF result, shown moving', async () => {
    const { page } = browser;
    await swapImages(page, images.face, images.gif);
    const result = page.getByRole('img', { name: 'The face swap result' });
    const response = await fetch(new URL((await result.getAttribute('src'))!, stack.server.pageUrl));
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).pages).toBe(6);
    // An <img> plays the GIF: two pictures of it a few frames apart differ.
    const first = await result.screenshot();
    await expect.poll(async () => (await result.screenshot()).equals(first), { interval: 150 }).toBe(false);
  });

  it('a job waiting for the busy channel shows its place in line, then its result', async () => {
    const { page } = browser;
    // The job ahead holds the channel long enough for the page's job to be seen waiting.
    stack.simulator.script(stack.accounts[0]!.channelId, { kind: 'success', delayMs: 1500 });
    await submitPicsi(stack.url, await makePng(16, 16));
    const seen = await recordStatuses(page);
    await swapButton(page).click();
    // The API gives a queued job its estimated start (Job.estimatedStartAt): the page shows both.
    await expect.poll(() => seen.texts.find((t) => t.startsWith('Queued'))).toMatch(/^Queued — position 1 in line, starting about \S/);
    await waitForJob(page, 'COMPLETED');
    expect(seen.texts.at(-1)).toBe('Completed');
  });

  it('cancels a job while it waits in line, and the button goes away', async () => {
    const { page } = browser;
    stack.simulator.script(stack.accounts[0]!.channelId, { kind: 'success', delayMs: 4000 });
    await submitPicsi(stack.url, await makePng(16, 16));
    await swapButton(page).click();
    await waitForJob(page, 'QUEUED');
    const cancel = page.getByRole('button', { name: 'Cancel this job' });
    await cancel.click();
    await waitForJob(page, 'CANCELLED');
    expect(await jobStatus(page).textContent()).toBe('Cancelled');
    expect(await cancel.isVisible()).toBe(false);
    await expect.poll(() => history(page).first().getAttribute('data-status')).toBe('CANCELLED');
  });

  it('pages through the history: older and newer', async () => {
    const { page } = browser;
    const png = await makePng(16, 16);
    for (let i = 0; i < 8; i++) await submitPicsi(stack.url, png);
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect.poll(() => history(page).count()).toBe(10);
    const firstPage = await history(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')));
    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => page.getByText('Page 2').isVisible()).toBe(true);
    const secondPage = await history(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')));
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => history(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')))).toEqual(firstPage);
  });

  it('has no serious or critical accessibility violations at desktop and phone sizes (390×844), light and dark', async () => {
    const { page } = browser;
    await page.reload();
    await swapImages(page, images.face, images.target);
    // Thumbnails load lazily: bring them into view.
    await history(page).last().scrollIntoViewIfNeeded();
    await expect.poll(() => imagesLoaded(history(page).getByRole('img'))).not.toContain(false);
    expect(await seriousViolations(page)).toEqual([]);

    await page.setViewportSize(PHONE);
    expect(await seriousViolations(page)).toEqual([]);
    // Nothing wider than the phone's screen, and every button and link a 44 px target.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('button, a, input[type="checkbox"], input[type="radio"], select, input[type="text"]')]
        .filter((node) => (node as HTMLElement).offsetParent !== null)
        .map((node) => {
          const box = (node.closest('label') ?? node).getBoundingClientRect();
          return { text: node.textContent?.trim() || node.getAttribute('aria-label') || node.id, height: box.height };
        })
        .filter((target) => target.height < 44),
    );
    expect(small).toEqual([]);

    // The dark scheme's colours too.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 900, height: 1000 });
  });

  it('shows where the keyboard is on the Face and Target zones', async () => {
    const { page } = browser;
    await page.getByLabel('Face', { exact: true }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    const outline = await page.locator('.drop[data-kind="source"] .drop-area').evaluate((node) => getComputedStyle(node).outlineStyle);
    expect(outline).toBe('solid');
    const unfocused = await page.locator('.drop[data-kind="target"] .drop-area').evaluate((node) => getComputedStyle(node).outlineStyle);
    expect(unfocused).toBe('none');
  });
});
