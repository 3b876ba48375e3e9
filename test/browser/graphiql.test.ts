/**
 * GraphiQL at /graphql in a real Chromium with every non-loopback request blocked: it renders from
 * this server's own assets, and with auth on a jobUpdated subscription authenticated by the Headers
 * tab's token runs until COMPLETED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { submitPicsi } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { blockNonLoopback, launchChromium, type Browser } from './chromium.js';

const TOKEN = 'browser-graphiql-token';
let stack: Stack;
let browser: Browser;
let blocked: string[];

beforeAll(async () => {
  stack = await startStack({ botDelayMs: 1500, env: { API_TOKENS: TOKEN } });
  browser = await launchChromium();
  blocked = await blockNonLoopback(browser.context);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The result pane's text (Monaco renders spaces as no-break spaces). */
const resultText = async () => (await browser.page.locator('.result-window').innerText()).replace(/\s+/g, ' ');

describe('GraphiQL, offline', () => {
  it('renders with every non-loopback request blocked', async () => {
    const { page } = browser;
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
    expect(await page.title()).toBe('picsi-graphql');
    expect(blocked).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('runs a jobUpdated subscription with the Headers tab token until COMPLETED', async () => {
    const png = await makePng(32, 32);
    const id = await submitPicsi(stack.url, png, TOKEN);
    const { page } = browser;
    await page.goto(`${stack.url}?query=${encodeURIComponent(`subscription { jobUpdated(id: "${id}") { id status } }`)}`);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Headers' }).click();
    const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
    await headersEditor.click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${TOKEN}` }));
    const streams: Record<string, string>[] = [];
    page.on('request', (request) => {
      if ((request.headers()['accept'] ?? '').includes('text/event-stream')) streams.push(request.headers());
    });
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(resultText, { timeout: 15_000 }).toMatch(/"status": "COMPLETED"/);
    // It went over SSE, carrying the Headers tab's token.
    expect(streams.map((h) => h['authorization'])).toEqual([`Bearer ${TOKEN}`]);
    expect(await resultText()).toContain(id);
    expect(blocked).toEqual([]);
  });
});
