/**
 * The production command: `npm run build` compiles to dist/ (with the page and Lua assets), and
 * `node dist/main.js` serves the page and GraphQL without tsx, then shuts down on SIGTERM.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { serverProcessEnv } from '../helpers/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('npm run build, then node dist/main.js serves / and /graphql and exits 0 on SIGTERM', async () => {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
  expect(existsSync(`${ROOT}dist/web/index.html`)).toBe(true);
  expect(existsSync(`${ROOT}dist/callbacks/lua/claim-due-2.lua`)).toBe(true);
  expect(existsSync(`${ROOT}dist/executor/store/redis/lua/claim-18.lua`)).toBe(true);

  const server = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    // The production default log level (info) and NODE_ENV, as an operator runs it.
    env: serverProcessEnv({ NODE_ENV: 'production' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const pageUrl = await new Promise<string>((resolve, reject) => {
    exited.then((code) => reject(new Error(`dist/main.js exited (${code}):\n${lines.join('\n')}`)), reject);
    createInterface({ input: server.stdout }).on('line', (line) => {
      lines.push(line);
      const match = /"page":"(http:[^"]+)"/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
  try {
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="picsi-form"');
    const res = await fetch(new URL('/graphql', pageUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  } finally {
    server.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(lines.some((l) => l.includes('"msg":"shutdown complete"'))).toBe(true);
}, 120_000);
