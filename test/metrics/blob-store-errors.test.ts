/**
 * The production wiring of picsi_blob_store_errors_total: a server whose S3 store cannot be reached
 * counts the failed readiness pings and the refused upload's write on GET /metrics.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PICSI_MUTATION, postMultipart } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { withSdkEnv } from '../helpers/storage-backends.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { parseExposition, valueOf } from './exposition.js';

let stack: Stack;
let restoreEnv: () => void;

/** A loopback port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  restoreEnv = withSdkEnv({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'unreachable',
    AWS_SECRET_ACCESS_KEY: 'unreachable',
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await closedPort()}`,
  });
  stack = await startStack({ env: { STORAGE_URL: 's3://nowhere/blobs', S3_FORCE_PATH_STYLE: 'true' } });
});

afterAll(async () => {
  await stack?.stop();
  restoreEnv();
});

async function blobErrors(operation: string): Promise<number> {
  const { samples } = parseExposition(await (await fetch(new URL('/metrics', stack.url))).text());
  return valueOf(samples, 'picsi_blob_store_errors_total', { operation }) ?? 0;
}

it('an unreachable S3 store: /readyz fails its storage check and /metrics counts the failed pings and writes', async () => {
  expect(await blobErrors('ping')).toBe(0);
  const ready = await fetch(new URL('/readyz', stack.url));
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ checks: { storage: false } });
  expect(await blobErrors('ping')).toBeGreaterThan(0);

  const png = await makePng(16, 16);
  const res = await postMultipart<unknown>(
    stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null } },
    {
      'input.sourceImage': { bytes: png, filename: 'face.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 'target.png', type: 'image/png' },
    },
  );
  expect(res.body).toMatchObject({ errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
  expect(await blobErrors('put')).toBeGreaterThan(0);
});
