/**
 * The hosted API's own examples against this server, as its docs print them with only the URL, the
 * token and the paths filled in (test/rest/fixtures): curl, JavaScript (fetch + FormData + Blob,
 * one image fetched from a URL and one read from a file, neither with a declared type it could
 * trust) and Python (requests with files=). The images are the hosted sample job's sizes (a 2.4 MB
 * source, a 1.6 MB target), and every answer is checked field by field against the Model and
 * against the same job read over GraphQL.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePngOfSize } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { expectSameJob, graphqlJob, type HostedJob } from './helpers.js';

const run = promisify(execFile);
const TOKEN = 'rest-examples-token';
const FIXTURES = join(import.meta.dirname, 'fixtures');
const SOURCE_BYTES = 2_438_986;
const TARGET_BYTES = 1_604_758;

let stack: Stack;
let origin: string;
let dir: string;
let source: Buffer;
let target: Buffer;
let imageServer: Server;
let sourceUrl: string;

beforeAll(async () => {
  stack = await startStack({ env: { API_TOKENS: TOKEN, CREDITS_PER_DAY: '1000' } });
  origin = new URL(stack.url).origin;
  dir = mkdtempSync(join(tmpdir(), 'picsi-rest-examples-'));
  [source, target] = await Promise.all([makePngOfSize(SOURCE_BYTES), makePngOfSize(TARGET_BYTES)]);
  // Incompressible PNGs of about the hosted sample's sizes (PNG framing adds a few kB).
  expect([source.length, target.length].map((n) => Math.round(n / 100_000) / 10)).toEqual([2.4, 1.6]);
  writeFileSync(join(dir, 'source.png'), source);
  writeFileSync(join(dir, 'target.png'), target);
  // Where the JavaScript example fetches its source image from (a URL, as in the hosted docs).
  imageServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(source));
  await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/source.png`;
});
afterAll(async () => {
  await new Promise((resolve) => imageServer?.close(resolve));
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fixture with its {{…}} placeholders filled in, written to the test's folder. */
function example(name: string, values: Record<string, string>): string {
  const text = readFileSync(join(FIXTURES, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`no value for {{${key}}} in ${name}`);
    return value;
  });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const values = () => ({
  API_URL: origin,
  TOKEN,
  SOURCE_PATH: join(dir, 'source.png'),
  TARGET_PATH: join(dir, 'target.png'),
  SOURCE_URL: sourceUrl,
});

/** The answer line the example printed last (the test's one addition to the JS and Python examples). */
const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: number; result: HostedJob };

async function expectCompletedPicsi(job: HostedJob): Promise<void> {
  expect(job).toMatchObject({
    verb: 'faceswap-picsi',
    status: 'completed',
    options: '-m',
    source_image: { size: source.length, type: 'image/png' },
    target_image_gif_or_video: { size: target.length, type: 'image/png' },
    code: 200,
    error: null,
    errorDetails: null,
  });
  expect(job.attachments).toHaveLength(1);
  expect(job.attachments[0]).toMatchObject({ content_type: 'image/png', width: expect.any(Number), height: expect.any(Number) });
  expect(new Date(job.updated).getTime()).toBeGreaterThanOrEqual(new Date(job.created).getTime());
  expectSameJob(job, await graphqlJob(stack.url, TOKEN, job.jobid));
  // The durable copy of the result is ours to serve.
  const download = await fetch(job.attachments[0]!.download!.url);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('image/png');
}

describe('the hosted API examples, unchanged but for URL, token and paths', () => {
  it('curl: POST picsi with -F files, then GET jobs/?jobid=', async () => {
    const picsi = await run('bash', [example('picsi.sh', values())], { maxBuffer: 1 << 20 });
    const job = JSON.parse(picsi.stdout) as HostedJob;
    await expectCompletedPicsi(job);

    const polled = await run('bash', [example('job.sh', { ...values(), JOBID: job.jobid })]);
    const again = JSON.parse(polled.stdout) as HostedJob;
    expect(again.jobid).toBe(job.jobid);
    await expectCompletedPicsi(again);
  });

  it('JavaScript: fetch + FormData, a Blob fetched from a URL and a Blob read from a file', async () => {
    const { stdout } = await run(process.execPath, [example('picsi.mjs', values())], { maxBuffer: 1 << 20 });
    const { status, result } = lastJsonLine(stdout);
    expect(status).toBe(200);
    await expectCompletedPicsi(result);
  });

  it('Python: requests.post with files=', async () => {
    const { stdout } = await run('/usr/bin/python3', [example('picsi.py', values())], { maxBuffer: 1 << 20 });
    const { status, result } = lastJsonLine(stdout);
    expect(status).toBe(200);
    await expectCompletedPicsi(result);
  });
});
