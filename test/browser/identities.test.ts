/**
 * The saved-faces workflow on the page at /, in Chromium, through its labelled controls: save a
 * face under a name, see it listed (the bot's list, read with listIds), swap it by name onto a
 * target and see the result, make it the default, delete it, delete all. With two accounts the
 * account is picked from a menu (open dev mode lists them); a token that may not list accounts
 * types the channel id. What the page shows is checked against the simulated bot's own book. The
 * README's screenshots (docs/screenshot.png, docs/screenshot-phone.png) are taken here, refreshed
 * with UPDATE_SCREENSHOT=1 (otherwise they go to the OS temp folder: a test run leaves the work tree
 * clean).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../helpers/graphql-http.js';
import { makeImage } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { seriousViolations } from './axe.js';
import { blockNonLoopback, launchChromium, type Browser } from './chromium.js';
import { fieldError, history, savedFaces, swapButton, targetInput, waitForJob } from './page-driver.js';

const TOKEN = 'browser-identities-token';
const PHONE = { width: 390, height: 844 };
const shotPath = (name: string) =>
  process.env['UPDATE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL(`../../docs/${name}.png`, import.meta.url))
    : join(tmpdir(), `picsi-${name}-${process.pid}.png`);

let images: { face: string; target: string };
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'picsi-identity-images-'));
  images = { face: join(dir, 'alice.png'), target: join(dir, 'group.jpg') };
  writeFileSync(images.face, await makeImage(256, 256, 'png', '#d9a27a'));
  writeFileSync(images.target, await makeImage(480, 320, 'jpeg', '#4a7bd0'));
});

const listedNames = (page: Page) => savedFaces(page).locator('.name').allTextContents();
const idsStatus = (page: Page) => page.locator('#ids-status').textContent();

async function saveFace(page: Page, name: string) {
  await page.getByLabel('Face to save', { exact: true }).setInputFiles(images.face);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Save face' }).click();
}

describe('saved faces on the page, one account (open dev mode)', () => {
  let stack: Stack;
  let browser: Browser;
  let blocked: string[];
  beforeAll(async () => {
    stack = await startStack({ botDelayMs: 200 });
    browser = await launchChromium();
    blocked = await blockNonLoopback(browser.context);
    await browser.page.goto(stack.server.pageUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('saves a face as a name and lists it from the bot', async () => {
    const { page } = browser;
    // One account: nothing to choose.
    expect(await page.getByLabel('Discord account').isVisible()).toBe(false);
    await saveFace(page, 'alice');
    await expect.poll(() => listedNames(page), { timeout: 10_000 }).toEqual(['alice']);
    expect(await idsStatus(page)).toBe('1 saved face.');
    expect(stack.simulator.identities(stack.accounts[0]!.channelId).names).toEqual(['alice']);
    // saveId makes it the default; the list says so.
    expect(await savedFaces(page).getByText('default', { exact: true }).count()).toBe(1);
    // The form is ready for the next face.
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('');
  });

  it('swaps the saved face by name onto a target and shows the result', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Use alice in the swap' }).click();
    expect(await page.getByRole('radio', { name: 'saved faces' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Saved faces to use').inputValue()).toBe('alice');
    expect(await page.getByLabel('Face', { exact: true }).isVisible()).toBe(false);
    await targetInput(page).setInputFiles(images.target);
    await swapButton(page).click();
    await waitForJob(page, 'COMPLETED');
    await expect.poll(() => history(page).first().textContent()).toContain('Swap saved faces alice');
    const { body } = await postJson<{ jobs: { edges: { node: { verb: string; idname: string; status: string } }[] } }>(
      stack.url,
      '{ jobs(first: 1) { edges { node { verb idname status } } } }',
    );
    expect(body.data?.jobs.edges[0]?.node).toEqual({ verb: 'faceswap-swapid', idname: 'alice', status: 'COMPLETED' });
  });

  it('refuses a name the bot would refuse before sending it, and clears the error once fixed', async () => {
    const { page } = browser;
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('bad name!');
    await page.getByRole('button', { name: 'Save face' }).click();
    expect(await fieldError(name)).toBe('Name: "bad name!" may contain only letters and digits (no spaces or signs).');
    expect(await fieldError(page.getByLabel('Face to save', { exact: true }))).toBe('Face to save: pick an image first.');
    expect(requests.filter((url) => url.endsWith('/graphql'))).toEqual([]);
    await name.fill('bob');
    expect(await fieldError(name)).toBe('');
    expect(await name.getAttribute('aria-invalid')).toBeNull();
  });

  it('makes a face the default, then deletes it, and the list follows the bot', async () => {
    const { page } = browser;
    await saveFace(page, 'bob');
    await expect.poll(() => listedNames(page), { timeout: 10_000 }).toEqual(['alice', 'bob']);
    await page.getByRole('button', { name: 'Make default: alice' }).click();
    await expect.poll(() => idsStatus(page), { timeout: 10_000 }).toBe('2 saved faces.');
    expect(stack.simulator.identities(stack.accounts[0]!.channelId).defaultId).toBe('alice');

    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: shotPath('screenshot'), fullPage: true });
    await page.setViewportSize(PHONE);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: shotPath('screenshot-phone'), fullPage: true });
    await page.setViewportSize({ width: 900, height: 1000 });

    await page.getByRole('button', { name: 'Delete alice' }).click();
    await expect.poll(() => listedNames(page), { timeout: 10_000 }).toEqual(['bob']);
    expect(stack.simulator.identities(stack.accounts[0]!.channelId).names).toEqual(['bob']);
  });

  it('deletes every saved face after asking', async () => {
    const { page } = browser;
    page.once('dialog', (dialog) => dialog.accept().catch(() => undefined));
    await page.getByRole('button', { name: 'Delete all saved faces' }).click();
    await expect.poll(() => savedFaces(page).textContent(), { timeout: 10_000 }).toBe('No saved faces yet.');
    expect(stack.simulator.identities(stack.accounts[0]!.channelId).names).toEqual([]);
    expect(blocked).toEqual([]);
  });
});

describe('saved faces with two accounts', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ botDelayMs: 100, channels: 2, env: { API_TOKENS: TOKEN } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('open dev mode: the account is picked from a menu, and the face is saved on that one', async () => {
    const open = await startStack({ botDelayMs: 100, channels: 2, simulator: stack.simulator });
    try {
      const { page } = browser;
      await page.goto(open.server.pageUrl);
      const second = open.accounts[1]!.channelId;
      const menu = page.getByLabel('Discord account');
      await expect.poll(() => menu.isVisible()).toBe(true);
      expect(await menu.locator('option').allTextContents()).toEqual([
        expect.stringMatching(/credits left today$/),
        expect.stringMatching(/credits left today$/),
      ]);
      await menu.selectOption(second);
      await saveFace(page, 'carol');
      await expect.poll(() => listedNames(page), { timeout: 10_000 }).toEqual(['carol']);
      expect(stack.simulator.identities(second).names).toEqual(['carol']);
      expect(stack.simulator.identities(open.accounts[0]!.channelId).names).toEqual([]);
    } finally {
      await open.stop();
    }
  });

  it('a token that may not list the accounts types the channel id; a malformed one is refused in the page', async () => {
    const { page } = browser;
    await page.goto(stack.server.pageUrl);
    await page.getByRole('textbox', { name: 'API token' }).fill(TOKEN);
    await page.getByRole('textbox', { name: 'API token' }).press('Enter');
    await expect.poll(() => page.locator('#token-state').textContent()).toBe('Token accepted. It is kept in this browser only.');
    const channel = page.getByLabel('Discord channel id');
    await expect.poll(() => channel.isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Refresh list' }).click();
    await expect
      .poll(() => fieldError(channel))
      .toBe(
        'Discord channel id: required, since this server has several Discord accounts. Paste the channel id of the one your faces are saved on.',
      );

    await channel.fill('12345');
    await page.getByRole('button', { name: 'Refresh list' }).click();
    expect(await fieldError(channel)).toBe('Discord channel id: a channel id is a long number of 17 to 20 digits.');

    const first = stack.accounts[0]!.channelId;
    await channel.fill(first);
    expect(await fieldError(channel)).toBe('');
    await saveFace(page, 'dave');
    await expect.poll(() => listedNames(page), { timeout: 10_000 }).toEqual(['dave']);
    expect(stack.simulator.identities(first).names).toEqual(['dave']);
  });
});
