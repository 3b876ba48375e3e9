import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng, makePngOfSize } from '../helpers/images.js';
import { PICSI_MUTATION, postMultipart } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { sweepOrphans } from '../../src/http/upload-spool.js';
import { filesUnder, inputBlobsUnder } from '../helpers/files.js';
import { makeReadOnly } from '../helpers/read-only-dir.js';

const MAX_FILE = 50_000;
// graphql-upload-ts spools into os.tmpdir(); give this test file its own so leftovers are countable.
const requestTmp = mkdtempSync(join(tmpdir(), 'picsi-upload-test-'));
const uploadDir = mkdtempSync(join(tmpdir(), 'picsi-upload-dir-'));
const blobRoot = mkdtempSync(join(tmpdir(), 'picsi-upload-blobs-'));
process.env['TMPDIR'] = requestTmp;

let stack: Stack;
let png: Buffer;
beforeAll(async () => {
  stack = await startStack({
    env: { UPLOAD_MAX_FILE_BYTES: String(MAX_FILE), UPLOAD_DIR: uploadDir, STORAGE_URL: pathToFileURL(blobRoot).href },
  });
  png = await makePng(32, 32);
});
afterAll(() => stack.stop());

const leftovers = () => [...readdirSync(requestTmp), ...filesUnder(uploadDir), ...inputBlobsUnder(blobRoot)];
const files = (source: Buffer, target: Buffer = source) => ({
  'input.sourceImage': { bytes: source, filename: 'face.png', type: 'image/png' },
  'input.targetImage': { bytes: target, filename: 'target.png', type: 'image/png' },
});
const input = { sourceImage: null, targetImage: null };

describe('multipart uploads', () => {
  it('refuses a multipart request without a CSRF preflight header', async () => {
    const res = await postMultipart(stack.url, PICSI_MUTATION, { input }, files(png), { preflight: false });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('CSRF_PREFLIGHT_REQUIRED');
    expect(res.body.errors?.[0]?.message).toMatch(/x-graphql-yoga-csrf or apollo-require-preflight/);
    expect(stack.simulator.requests.filter((r) => r.path.includes('/interactions'))).toHaveLength(0);
  });

  it('refuses a file over the size limit with a clear error and leaves no temp file', async () => {
    const big = await makePngOfSize(MAX_FILE * 2);
    expect(big.length).toBeGreaterThan(MAX_FILE);
    const res = await postMultipart(stack.url, PICSI_MUTATION, { input }, files(png, big));
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toBe(`Param target_image_gif_or_video exceeds the upload size limit of ${MAX_FILE} bytes`);
    await expect.poll(leftovers, { timeout: 2000 }).toEqual([]);
  });

  it('accepts a valid upload and keeps it in the blob store only for the life of the job', async () => {
    const res = await postMultipart<{ picsi: { id: string; status: string; sourceImage: { size: number; type: string } } }>(
      stack.url,
      PICSI_MUTATION,
      { input: { ...input, wait: true } },
      files(png),
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.picsi).toMatchObject({ status: 'COMPLETED', sourceImage: { size: png.length, type: 'image/png' } });
    await expect.poll(leftovers, { timeout: 2000 }).toEqual([]);
  });
});

describe('the blob store down or full', () => {
  it('refuses picsi with SERVICE_UNAVAILABLE (503, Retry-After), runs nothing and leaves nothing', async () => {
    const interactions = stack.simulator.interactionsLog().length;
    const undo = await makeReadOnly(blobRoot);
    let res;
    try {
      res = await postMultipart(stack.url, PICSI_MUTATION, { input }, files(png));
    } finally {
      await undo();
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|EROFS|EACCES/);
    expect(stack.simulator.interactionsLog()).toHaveLength(interactions);
    await expect.poll(leftovers, { timeout: 2000 }).toEqual([]);
  });
});

describe('request-file folders of dead processes', () => {
  it('are swept when a spooler starts; live ones are kept', async () => {
    const root = mkdtempSync(join(tmpdir(), 'picsi-sweep-'));
    const dead = join(root, 'p999999999'); // above pid_max: never a live process
    const live = join(root, `p${process.ppid}`);
    for (const dir of [dead, live]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'x-sourceImage'), 'x');
    }
    expect(await sweepOrphans(root)).toEqual(['p999999999']);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(join(live, 'x-sourceImage'))).toBe(true);
  });
});
