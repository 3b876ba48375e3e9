/**
 * The bad-input corpus against one server (auth on, Redis, a filesystem blob store): malformed
 * multipart and JSON requests, picsi fields, auth, graphql-ws, the edge's checks and upload
 * rules, each case an audit with its id, level and precise outcome (./cases). After each case the
 * server must still answer and no request temp file is left; at the end no 5xx was seen, a real
 * picsi completes, and no temp file, spooled image or channel lease is left. BADINPUT_DEBUG=1
 * prints every raw response.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorKeys } from '../../../src/executor/store/keys.js';
import { filesUnder, inputBlobsUnder } from '../../helpers/files.js';
import { postJson } from '../../helpers/graphql-http.js';
import { makePng } from '../../helpers/images.js';
import { startStack } from '../../helpers/stack.js';
import { expectOutcome, type Audit, type Outcome } from './audit.js';
import { REQUEST_AUDITS } from './cases/requests.js';
import { ADMIN, MAX_FIELD, MAX_FILE, MAX_FILES, MAX_PIXELS, OTHER, picsiUpload, target, USER } from './target.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `picsi-badinput-${process.pid}-${Date.now()}:`;

// graphql-upload-ts spools into os.tmpdir(): this file gets its own, so leftovers are countable.
const requestTmp = mkdtempSync(join(tmpdir(), 'picsi-badinput-tmp-'));
const uploadDir = mkdtempSync(join(tmpdir(), 'picsi-badinput-spool-'));
const blobRoot = mkdtempSync(join(tmpdir(), 'picsi-badinput-blobs-'));
process.env['TMPDIR'] = requestTmp;
/** Files only (request files keep one folder per process under UPLOAD_DIR), and job inputs in the blob store. */
const leftovers = () => [...filesUnder(requestTmp), ...filesUnder(uploadDir), ...inputBlobsUnder(blobRoot)];

let redis: Redis;
const observed: { audit: Audit; outcome: Outcome }[] = [];

beforeAll(async () => {
  target.stack = await startStack({
    env: {
      API_TOKENS: `${USER},${OTHER}`,
      ADMIN_TOKENS: ADMIN,
      REDIS_URL,
      REDIS_PREFIX,
      UPLOAD_MAX_FILE_BYTES: String(MAX_FILE),
      UPLOAD_MAX_FIELD_BYTES: String(MAX_FIELD),
      UPLOAD_MAX_FILES: String(MAX_FILES),
      UPLOAD_MAX_PIXELS: String(MAX_PIXELS),
      UPLOAD_DIR: uploadDir,
      STORAGE_URL: pathToFileURL(blobRoot).href,
      JOB_TIMEOUT_MS: '10000',
      // The rate limit has its own suite (limits.test.ts); here a case is never refused by it.
      TOKEN_RATE_LIMIT: '0',
    },
  });
  target.port = Number(new URL(target.stack.url).port);
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  target.png = await makePng(24, 24);
  const created = await picsiUpload({ wait: true });
  expect(created.body.errors).toBeUndefined();
  target.userJobId = (created.body.data as { picsi: { id: string } }).picsi.id;
});

afterAll(async () => {
  await target.stack?.stop();
  if (redis) {
    const keys = await redis.keys(`${REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

describe('bad-input corpus: requests', () => {
  for (const audit of REQUEST_AUDITS) {
    it(`${audit.id} ${audit.level} [${audit.group}] ${audit.name}`, async () => {
      const tmpBefore = new Set(readdirSync(requestTmp));
      const outcome = await audit.run();
      observed.push({ audit, outcome });
      if (process.env['BADINPUT_DEBUG']) console.log(audit.id, outcome.status ?? outcome.close, outcome.text?.slice(0, 1500));
      expectOutcome(audit, outcome);

      // No request temp file outlives its response (only new ones count: one leak fails one case).
      await expect.poll(() => readdirSync(requestTmp).filter((f) => !tmpBefore.has(f)), { timeout: 3000 }).toEqual([]);

      // The server keeps serving after every case.
      const alive = await postJson<{ __typename: string }>(target.stack.url, '{ __typename }', {}, USER);
      expect(alive.status).toBe(200);
      expect(alive.body.data?.__typename).toBe('Query');
    });
  }

  it('afterwards: zero 5xx, a real picsi completes, no temp file, spooled image or lease left', async () => {
    const statuses = observed.map((o) => o.outcome.status ?? 0);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);

    const res = await picsiUpload({ wait: true });
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { picsi: { status: string } }).picsi.status).toBe('COMPLETED');

    // Jobs accepted by the corpus ("accepted by spec" cases) finish too: wait for the channel to be free.
    await expect.poll(async () => (await redis.keys(`${executorKeys(REDIS_PREFIX).leasePrefix}*`)).length, { timeout: 15_000 }).toBe(0);
    await expect.poll(leftovers, { timeout: 5_000 }).toEqual([]);

    const rows = observed.map(({ audit, outcome }) => ({
      id: audit.id,
      level: audit.level,
      case: audit.name.length > 70 ? `${audit.name.slice(0, 67)}...` : audit.name,
      status: outcome.status === undefined ? `ws ${outcome.close}` : String(outcome.status ?? 'closed'),
      code: typeof outcome.code === 'string' ? outcome.code : '-',
    }));
    console.log(
      [
        `bad-input corpus (requests): ${rows.length} cases, max status ${Math.max(...statuses)}`,
        ...rows.map((r) => `${r.id.padEnd(6)} ${r.level.padEnd(6)} ${r.status.padEnd(7)} ${r.code.padEnd(26)} ${r.case}`),
      ].join('\n'),
    );
  });
});
