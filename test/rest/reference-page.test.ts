/**
 * The REST API reference at /v1/docs in a real Chromium with every non-loopback request blocked: it
 * renders from this server's own assets (Swagger UI from node_modules) and shows every operation of
 * /v1/openapi.json.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blockNonLoopback, launchChromium, type Browser } from '../browser/chromium.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let browser: Browser;
let blocked: string[];

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  blocked = await blockNonLoopback(browser.context);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('renders offline and lists every operation of the document', async () => {
  const origin = new URL(stack.url).origin;
  const doc = (await (await fetch(`${origin}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));

  const { page } = browser;
  const failed: string[] = [];
  page.on('requestfailed', (request) => failed.push(request.url()));
  await page.goto(`${origin}/v1/docs`);
  await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
  expect(await page.title()).toBe('picsi-graphql: REST API reference');
  const shown = await page
    .locator('.opblock-summary')
    .evaluateAll((blocks) =>
      blocks.map(
        (b) =>
          `${b.querySelector('.opblock-summary-method')?.textContent ?? ''} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''}`,
      ),
    );
  expect(shown.sort()).toEqual(operations.sort());
  expect(blocked).toEqual([]);
  expect(failed).toEqual([]);
});
