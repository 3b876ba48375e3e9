/**
 * Mistakes on the page at /, in Chromium, in people's words: the token field says whether the
 * token was taken and why not (Enter submits it); a picked file the server would refuse (not an
 * image, too large, too many pixels, a GIF with more frames than the account's plan) is refused on
 * its field before anything is uploaded, and the error goes as soon as a good file is picked; a
 * refusal only the server can make lands on its field, and the button is usable again at once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGif, makeImage, makePng, makePngOfSize } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { seriousViolations } from './axe.js';
import { launchChromium, type Browser } from './chromium.js';
import { faceInput, fieldError, swapButton, swapImages, targetInput } from './page-driver.js';

const ADMIN = 'browser-errors-admin-token';
const MAX_FILE_BYTES = 3 * 1024 * 1024;
const MAX_PIXELS = 4_000_000;

let files: Record<'text' | 'tooBig' | 'tooWide' | 'longGif' | 'face' | 'target' | 'shortGif', string>;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'picsi-errors-files-'));
  const write = (name: string, bytes: Buffer | string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  files = {
    text: write('notes.png', 'these are notes, not a picture\n'),
    tooBig: write('big.png', await makePngOfSize(3_600_000)),
    tooWide: write('wide.png', await makePng(2100, 2000)),
    longGif: write('long.gif', await makeGif(32, 32, 25)),
    shortGif: write('short.gif', await makeGif(32, 32, 5)),
    face: write('face.png', await makeImage(200, 200, 'png', '#d9a27a')),
    target: write('target.jpg', await makeImage(320, 240, 'jpeg', '#4a7bd0')),
  };
});

/** Uploads the page sends (multipart POSTs), counted from now on. */
function countUploads(page: Page): { count: number } {
  const seen = { count: 0 };
  page.on('request', (request) => {
    if (request.method() === 'POST' && (request.headers()['content-type'] ?? '').startsWith('multipart/form-data')) seen.count += 1;
  });
  return seen;
}

describe('errors on the page, in words', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({
      botDelayMs: 100,
      env: { ADMIN_TOKENS: ADMIN, UPLOAD_MAX_FILE_BYTES: String(MAX_FILE_BYTES), UPLOAD_MAX_PIXELS: String(MAX_PIXELS) },
    });
    browser = await launchChromium();
    await browser.page.goto(stack.server.pageUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('the token field says when a token is refused and why, and when it is taken; Enter submits it', async () => {
    const { page } = browser;
    const token = page.getByRole('textbox', { name: 'API token' });
    const state = page.locator('#token-state');
    expect(await state.textContent()).toBe('This server needs a token. It is kept in this browser only.');
    await token.fill('not-the-token');
    await token.press('Enter');
    await expect
      .poll(() => state.textContent())
      .toBe('This token was refused: this server does not know it (check it, or ask the operator for a valid one).');
    expect(await token.getAttribute('aria-invalid')).toBe('true');
    expect(await state.textContent()).not.toMatch(/saved/i);

    await token.fill(ADMIN);
    await token.press('Enter');
    await expect.poll(() => state.textContent()).toBe('Token accepted. It is kept in this browser only.');
    expect(await token.getAttribute('aria-invalid')).toBeNull();
  });

  it('refuses a file on its field before uploading it, and clears the error when a good one is picked', async () => {
    const { page } = browser;
    const uploads = countUploads(page);
    const face = faceInput(page);
    const target = targetInput(page);

    await face.setInputFiles(files.text);
    await expect
      .poll(() => fieldError(face))
      .toBe('Face: this file is a text file. Pick a PNG, JPEG, GIF or WebP image (videos are not supported).');
    expect(await face.getAttribute('aria-invalid')).toBe('true');

    await face.setInputFiles(files.tooBig);
    await expect
      .poll(() => fieldError(face))
      .toMatch(/^Face: this file is 3\.\d MB; this server takes at most 3 MB\. Pick a smaller image, or shrink this one first\.$/);

    await face.setInputFiles(files.tooWide);
    await expect
      .poll(() => fieldError(face))
      .toBe('Face: this image is 2100×2000 pixels (4.2 megapixels); the most is 4 megapixels. Shrink it and pick it again.');

    // The demo account's plan (BASIC) takes GIF targets of at most 20 frames.
    await target.setInputFiles(files.longGif);
    await expect
      .poll(() => fieldError(target))
      .toBe("Target: this GIF has 25 frames; the bot takes at most 20 on this account's plan. Shorten it and pick it again.");

    await swapButton(page).click();
    expect(await swapButton(page).isEnabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    expect(uploads.count).toBe(0);

    await face.setInputFiles(files.face);
    await expect.poll(() => fieldError(face)).toBe('');
    expect(await face.getAttribute('aria-invalid')).toBeNull();
    await target.setInputFiles(files.shortGif);
    await expect.poll(() => fieldError(target)).toBe('');
    expect(uploads.count).toBe(0);
  });

  it('a refusal only the server makes lands on its field; the button works again at once', async () => {
    const { page } = browser;
    const more = page.getByLabel('More options');
    await faceInput(page).setInputFiles(files.face);
    await targetInput(page).setInputFiles(files.target);
    await more.fill('--bogus');
    await swapButton(page).click();
    await expect.poll(() => fieldError(more)).toMatch(/^More options: unknown option "--bogus"; known options: /);
    expect(await swapButton(page).isEnabled()).toBe(true);
    await more.fill('');
    expect(await fieldError(more)).toBe('');
    await swapImages(page, files.face, files.target);
  });
});
