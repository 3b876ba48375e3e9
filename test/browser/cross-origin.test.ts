/**
 * A page on another origin (http://localhost:port) calling the API at http://127.0.0.1:port with
 * fetch in Chromium: refused uploads (unknown token, no CSRF preflight header, too many files)
 * reach its script as their status and JSON error, not "TypeError: Failed to fetch".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PICSI_MUTATION } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
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
