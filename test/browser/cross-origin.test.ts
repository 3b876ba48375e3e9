/**
 * A page on another origin (http://localhost:port) calling the API at http://127.0.0.1:port with
 * fetch in Chromium: refused uploads (unknown token, no CSRF preflight header, too many files)
 * reach its script as their status and JSON error, not "TypeError: Failed to fetch".
 * And a page of another site (http://attacker.test, served by the browser's request routing)
 * against open dev mode: its form POST reaches the server and is refused, while the page on
 * loopback keeps its websocket. (This Chromium blocks that page's fetch and websocket to loopback
 * itself, "Local Network Access", but not a form's navigation; other browsers may block neither:
 * the server's refusal of those, with a browser's headers, is audited in
 * test/http/bad-input/cases/open-mode.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PICSI_MUTATION } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './chromium.js';

const TOKEN = 'browser-cors-token';
const TRIES = 24;
let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: TOKEN, HOST: '127.0.0.1' } });
  browser = await launchChromium();
  const port = new URL(stack.url).port;
  await browser.page.goto(`http://localhost:${port}/`);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Attempt {
  headers: Record<string, string>;
  files: number;
}

/** Runs `tries` uploads of `files` 2 MB files from the page; returns "status code" or the error's text per try. */
function uploadFromPage(apiUrl: string, attempt: Attempt, tries: number) {
  return browser.page.evaluate(
    async ({ apiUrl, query, attempt, tries }) => {
      const outcomes: string[] = [];
      for (let i = 0; i < tries; i++) {
        const form = new FormData();
        const map: Record<string, string[]> = {};
        for (let f = 0; f < attempt.files; f++)
          map[String(f)] = [f === 0 ? 'variables.input.sourceImage' : f === 1 ? 'variables.input.targetImage' : `variables.input.replyRef`];
        form.set('operations', JSON.stringify({ query, variables: { input: { sourceImage: null, targetImage: null, replyRef: null } } }));
        form.set('map', JSON.stringify(map));
        for (let f = 0; f < attempt.files; f++)
          form.set(String(f), new Blob([new Uint8Array(2 * 1024 * 1024)], { type: 'image/png' }), `${f}.png`);
        try {
          const res = await fetch(apiUrl, { method: 'POST', headers: attempt.headers, body: form });
          const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
          outcomes.push(`${res.status} ${body.errors?.[0]?.extensions?.code}`);
        } catch (error) {
          outcomes.push(String(error));
        }
      }
      return outcomes;
    },
    { apiUrl, query: PICSI_MUTATION, attempt, tries },
  );
}

const CASES: { name: string; attempt: Attempt; expected: string }[] = [
  {
    name: 'unknown token',
    attempt: { headers: { authorization: 'Bearer nope', 'x-graphql-yoga-csrf': '1' }, files: 2 },
    expected: '401 UNAUTHENTICATED',
  },
  {
    name: 'no CSRF preflight header',
    attempt: { headers: { authorization: `Bearer ${TOKEN}` }, files: 2 },
    expected: '400 CSRF_PREFLIGHT_REQUIRED',
  },
  {
    name: 'three files',
    attempt: { headers: { authorization: `Bearer ${TOKEN}`, 'x-graphql-yoga-csrf': '1' }, files: 3 },
    expected: '413 REQUEST_ENTITY_TOO_LARGE',
  },
];

describe('cross-origin refusals in Chromium', () => {
  for (const { name, attempt, expected } of CASES) {
    it(`${name}: ${TRIES} of ${TRIES} read as ${expected}`, async () => {
      const outcomes = await uploadFromPage(stack.url, attempt, TRIES);
      expect(outcomes).toEqual(Array.from({ length: TRIES }, () => expected));
    }, 60_000);
  }
});

const ATTACKER = 'http://attacker.test/';

/** The page's websocket to `url`: its first message's type, `close <code>`, or `error` (refused before opening). */
function websocketFrom(page: Page, url: string): Promise<string> {
  return page.evaluate(
    (wsUrl) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
        socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
        socket.onmessage = (event) => resolve((JSON.parse(String(event.data)) as { type: string }).type);
        socket.onclose = (event) => resolve(`close ${event.code}`);
        socket.onerror = () => resolve('error');
      }),
    url.replace(/^http/, 'ws'),
  );
}

describe('open dev mode in Chromium: a page of another site', () => {
  let open: Stack;
  let attacker: Browser;
  beforeAll(async () => {
    open = await startStack();
    attacker = await launchChromium();
    await attacker.context.route(`${ATTACKER}**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form id="f" method="POST" action="${open.url}"><input name="query" value="mutation { upsertAccount(input: { channel: &quot;123456789012345678&quot;, server: &quot;1&quot;, discord: &quot;stolen&quot; }) { channel } }"></form>`,
      }),
    );
    await attacker.page.goto(ATTACKER);
  });
  afterAll(async () => {
    await attacker?.close();
    await open?.stop();
  });

  it('its cross-site form POST (upsertAccount) is refused with 403 and changes nothing', async () => {
    const [response] = await Promise.all([
      attacker.page.waitForResponse((r) => r.url() === open.url),
      attacker.page.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit()),
    ]);
    expect(response.status()).toBe(403);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('ORIGIN_FORBIDDEN');
    expect((await open.services.jobs.accounts.list()).map((a) => a.channel)).toEqual([open.accounts[0]!.channelId]);
    await attacker.page.goto(ATTACKER);
  });

  it('the page on loopback keeps its websocket', async () => {
    const own = await launchChromium();
    try {
      await own.page.goto(new URL('/', open.url).href);
      expect(await websocketFrom(own.page, open.url)).toBe('connection_ack');
    } finally {
      await own.close();
    }
  });
});
