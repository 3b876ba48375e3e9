/**
 * The web page at / in a real Chromium: two images picked through its file inputs are uploaded,
 * the live status is followed over graphql-ws and the result image is rendered — with auth off, and
 * with auth on (the token typed into the page). The open-mode run takes a screenshot (docs/screenshot.png
 * with UPDATE_SCREENSHOT=1).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, makePng } from '../helpers/images.js';
import { submitPicsi } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { blockNonLoopback, launchChromium, type Browser } from './chromium.js';

const BOT_DELAY_MS = 300;
const TOKEN = 'browser-page-token';
// The README's screenshot is refreshed on request only (UPDATE_SCREENSHOT=1), so a test run leaves the
// work tree clean; otherwise the shot goes to the OS temp folder.
const SCREENSHOT =
  process.env['UPDATE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url))
    : join(tmpdir(), `picsi-page-${process.pid}.png`);

let images: { face: string; target: string };
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'picsi-page-images-'));
  images = { face: join(dir, 'face.png'), target: join(dir, 'target.jpg') };
  writeFileSync(images.face, await makeImage(256, 256, 'png', '#d9a27a'));
  writeFileSync(images.target, await makeImage(480, 320, 'jpeg', '#4a7bd0'));
});

/** Picks both images, submits, and waits for the rendered result; returns the statuses seen. */
async function swapThroughThePage(browser: Browser, pageUrl: string, token?: string) {
  const { page } = browser;
  const blocked = await blockNonLoopback(browser.context);
  await page.goto(pageUrl);
  if (token) {
    await expect.poll(() => page.locator('#token-section').isVisible()).toBe(true);
    await page.fill('#token-input', token);
    await page.click('#token-save');
  }
  await page.setInputFiles('#source-input', images.face);
  await page.setInputFiles('#target-input', images.target);
  await page.check('input[value="-m"]');
  const statuses: string[] = [];
  await page.exposeFunction('recordStatus', (status: string) => statuses.push(status));
  await page.evaluate(() => {
    const status = document.getElementById('job-status')!;
    new MutationObserver(() =>
      (window as unknown as { recordStatus(s: string): void }).recordStatus(status.dataset['status'] ?? ''),
    ).observe(status, { attributes: true, childList: true });
  });
  await page.click('#submit');
  await page.waitForFunction(
    () => {
      const image = document.getElementById('result-image') as HTMLImageElement | null;
      return image !== null && image.complete && image.naturalWidth > 0;
    },
    undefined,
    { timeout: BOT_DELAY_MS + 2000 + 5000 },
  );
  const status = await page.locator('#job-status').getAttribute('data-status');
  const error = await page.locator('#error').textContent();
  return { statuses, status, error, blocked };
}

describe('the web page at /', () => {
  describe('auth off', () => {
    let stack: Stack;
    let browser: Browser;
    beforeAll(async () => {
      stack = await startStack({ botDelayMs: BOT_DELAY_MS });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    });

    it('uploads two images through its file inputs, follows the job live and shows the rendered result', async () => {
      const result = await swapThroughThePage(browser, stack.server.pageUrl);
      expect(result.status).toBe('COMPLETED');
      expect(result.error).toBe('');
      expect(result.statuses).toContain('STARTED'); // live: the subscription showed the running state
      expect(result.blocked).toEqual([]);
      // The recent-jobs table lists it with its result.
      await expect.poll(() => browser.page.locator('#jobs tbody img').count()).toBe(1);
      await browser.page.screenshot({ path: SCREENSHOT, fullPage: true });
    });

    it('a job waiting for the busy channel shows its queue position, then its result', async () => {
      const png = await makePng(16, 16);
      await submitPicsi(stack.url, png);
      const { page } = browser;
      const texts: string[] = [];
      await page.exposeFunction('recordText', (text: string) => texts.push(text));
      await page.evaluate(() => {
        const status = document.getElementById('job-status')!;
        new MutationObserver(() => (window as unknown as { recordText(s: string): void }).recordText(status.textContent ?? '')).observe(
          status,
          { childList: true, characterData: true, subtree: true },
        );
      });
      const previous = await page.locator('#job-id').textContent();
      await page.click('#submit');
      await page.waitForFunction(
        (previousId) =>
          document.getElementById('job-id')?.textContent !== previousId &&
          document.getElementById('job-status')?.dataset['status'] === 'COMPLETED',
        previous,
        { timeout: 2 * BOT_DELAY_MS + 8000 },
      );
      expect(texts).toContain('Queued — position 1 in line');
      expect(texts.at(-1)).toBe('Completed');
    });
  });

  describe('auth on', () => {
    let stack: Stack;
    let browser: Browser;
    beforeAll(async () => {
      stack = await startStack({ botDelayMs: BOT_DELAY_MS, env: { API_TOKENS: TOKEN } });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    });

    it('without a token, says in words that one is needed', async () => {
      const { page } = browser;
      await page.goto(stack.server.pageUrl);
      await page.setInputFiles('#source-input', images.face);
      await page.setInputFiles('#target-input', images.target);
      await page.click('#submit');
      await expect.poll(() => page.locator('#error').textContent()).toMatch(/needs a valid API token/);
    });

    it('with the token entered in the page, uploads, follows and shows the result', async () => {
      const result = await swapThroughThePage(browser, stack.server.pageUrl, TOKEN);
      expect(result.status).toBe('COMPLETED');
      expect(result.statuses).toContain('STARTED');
      expect(await browser.page.evaluate(() => localStorage.getItem('picsi-graphql:token'))).toBe(TOKEN);
    });
  });
});
