/**
 * The operator view (#operator) in Chromium, through its labelled controls: every account with its
 * state, credits, pacing and what it runs, live; pause and resume; the queue by channel; recent
 * alerts; /metrics. axe-core at desktop and phone sizes. Its screenshot (docs/screenshot-operator.png)
 * is taken here, refreshed with UPDATE_SCREENSHOT=1 (otherwise it goes to the OS temp folder).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, submitPicsi } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { seriousViolations } from './axe.js';
import { blockNonLoopback, launchChromium, type Browser } from './chromium.js';

const PHONE = { width: 390, height: 844 };
const shotPath = (name: string) =>
  process.env['UPDATE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL(`../../docs/${name}.png`, import.meta.url))
    : join(tmpdir(), `picsi-${name}-${process.pid}.png`);

const accounts = (page: Page) => page.getByRole('list', { name: 'Accounts' }).getByRole('listitem');
const account = (page: Page, channel: string) => accounts(page).filter({ hasText: channel });
const stateOf = (page: Page, channel: string) => account(page, channel).locator('.account-state').textContent();
const queue = (page: Page) => page.getByRole('list', { name: 'Queue by channel' });

async function apiState(stack: Stack, channel: string): Promise<string> {
  const res = await postJson<{ account: { health: { state: string } } }>(
    stack.url,
    'query ($c: String!) { account(channel: $c) { health { state } } }',
    {
      c: channel,
    },
  );
  return res.body.data!.account.health.state;
}

describe('the operator view, auth off (every caller is admin)', () => {
  let stack: Stack;
  let browser: Browser;
  let blocked: string[];
  let channels: string[];
  beforeAll(async () => {
    stack = await startStack({ botDelayMs: 200, channels: 2 });
    channels = stack.accounts.map((a) => a.channelId);
    browser = await launchChromium();
    blocked = await blockNonLoopback(browser.context);
    await browser.page.goto(stack.server.pageUrl);
    await browser.page.getByRole('link', { name: 'Operator' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists every account with its state, credits, pacing and what it runs', async () => {
    const { page } = browser;
    await expect.poll(() => accounts(page).count()).toBe(2);
    for (const channel of channels) {
      expect(await stateOf(page, channel)).toBe('Active: takes jobs');
      const facts = await account(page, channel).locator('.facts').textContent();
      expect(facts).toContain('Credits50 of 50 left today');
      expect(facts).toContain('Pacingno pacing');
      expect(facts).toContain('Nowidle');
    }
    expect(await page.getByRole('link', { name: 'Swap' }).getAttribute('aria-current')).toBeNull();
    expect(await page.getByRole('link', { name: 'Operator' }).getAttribute('aria-current')).toBe('page');
  });

  it('pauses an account and resumes it through its buttons; the alert shows meanwhile', async () => {
    const { page } = browser;
    const [first] = channels as [string];
    await page.getByRole('button', { name: `Pause channel ${first}` }).click();
    await expect.poll(() => stateOf(page, first)).toMatch(/^Paused — OPERATOR: /);
    expect(await apiState(stack, first)).toBe('PAUSED');
    await expect
      .poll(() => page.getByRole('list', { name: 'Recent alerts' }).textContent())
      .toContain(`channel ${first}: PAUSED — OPERATOR`);
    await page.getByRole('button', { name: `Resume channel ${first}` }).click();
    await expect.poll(() => stateOf(page, first), { timeout: 15_000 }).toBe('Active: takes jobs');
    expect(await apiState(stack, first)).toBe('ACTIVE');
  });

  it('follows changes made elsewhere, live', async () => {
    const { page } = browser;
    const second = channels[1]!;
    await postJson(stack.url, 'mutation ($c: String!) { pauseAccount(input: { channel: $c, note: "from the API" }) { channel } }', {
      c: second,
    });
    await expect.poll(() => stateOf(page, second)).toBe('Paused — OPERATOR: from the API');
    await postJson(stack.url, 'mutation ($c: String!) { resumeAccount(input: { channel: $c }) { channel } }', { c: second });
    await expect.poll(() => stateOf(page, second), { timeout: 15_000 }).toBe('Active: takes jobs');
  });

  it('shows the running job and the queue by channel, live', async () => {
    const { page } = browser;
    const [first] = channels as [string];
    stack.simulator.script(first, { kind: 'success', delayMs: 3000 });
    await postJson(stack.url, 'mutation ($c: String!) { pauseAccount(input: { channel: $c }) { channel } }', { c: channels[1] });
    const png = await makePng(16, 16);
    const running = await submitPicsi(stack.url, png);
    const waiting = await submitPicsi(stack.url, png);
    await expect.poll(() => account(page, first).locator('.facts').textContent()).toContain(`Nowbusy: job ${running} (/picsi)`);
    await expect.poll(() => queue(page).textContent()).toContain(`Any account: 1 waiting#1 /picsi ${waiting}`);
    await expect.poll(() => queue(page).textContent(), { timeout: 15_000 }).toBe('No job is waiting.');
    await postJson(stack.url, 'mutation ($c: String!) { resumeAccount(input: { channel: $c }) { channel } }', { c: channels[1] });
  });

  it('links /metrics', async () => {
    const { page } = browser;
    const href = await page.getByRole('link', { name: 'Prometheus metrics (/metrics)' }).getAttribute('href');
    const res = await fetch(new URL(href!, stack.server.pageUrl));
    expect(await res.text()).toContain('# HELP');
  });

  it('has no serious accessibility violations at desktop and phone sizes', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: `Pause channel ${channels[0]}` }).click();
    await expect.poll(() => stateOf(page, channels[0]!)).toMatch(/^Paused/);
    // The jobs of the tests before have ended: both accounts idle, nothing waits.
    await expect.poll(() => page.locator('#op-status').textContent()).toBe('2 accounts, 0 busy, 0 jobs waiting. Updated live.');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: shotPath('screenshot-operator'), fullPage: true });
    await page.setViewportSize(PHONE);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize({ width: 900, height: 1000 });
    expect(blocked).toEqual([]);
  });
});

describe('the operator view with tokens', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ env: { API_TOKENS: 'user-token', ADMIN_TOKENS: 'admin-token' } });
    browser = await launchChromium();
    await browser.page.goto(`${stack.server.pageUrl}#operator`);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('says a user token may not see it, and shows the accounts once an admin token is entered', async () => {
    const { page } = browser;
    const token = page.getByRole('textbox', { name: 'API token' });
    await token.fill('user-token');
    await token.press('Enter');
    await expect.poll(() => page.locator('#op-error').textContent()).toContain('needs an admin token');
    await token.fill('admin-token');
    await page.getByRole('button', { name: 'Save token' }).click();
    await expect.poll(() => accounts(page).count()).toBe(1);
    expect(await page.locator('#op-error').isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Prometheus metrics (/metrics)' }).click();
    await expect.poll(() => page.getByLabel('Metrics text').textContent()).toContain('# HELP');
  });
});
