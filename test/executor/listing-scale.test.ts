/**
 * 20,000 jobs of one owner page through completely over GraphQL (`jobs(first: 100)` × 200), newest
 * first, no duplicates, no gaps, on both stores; other owners' jobs are interleaved and never shown.
 * The finished records are written straight through the coordinator (restoreJob; no uploads).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Coordinator } from '../../src/executor/store/port.js';
import { openJournal } from '../../src/executor/store/embedded/disk-journal.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { createRedisCoordinator } from '../../src/executor/store/redis/coordinator.js';
import { singleRedis } from '../../src/redis/settings.js';
import { ownerIdOf } from '../../src/http/auth.js';
import { postJson } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { newJob, REDIS_URL } from './coordinator-backends.js';

const TOKEN = 'listing-scale-token-0123456789';
const JOBS = 20_000;

let stack: Stack | null = null;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await stack?.stop();
  stack = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Writes the records before the server starts: through a Redis coordinator on the prefix, or into DATA_DIR's journal. */
async function fillStore(store: 'redis' | 'embedded', env: Record<string, string>, fill: (c: Coordinator) => Promise<void>): Promise<void> {
  if (store === 'redis') {
    const coordinator = await createRedisCoordinator({
      redis: singleRedis(REDIS_URL),
      prefix: env['REDIS_PREFIX']!,
      logger: pino({ level: 'silent' }),
      leaseTtlMs: 1000,
    });
    await fill(coordinator);
    await coordinator.close();
  } else {
    const journal = openJournal(env['DATA_DIR']!);
    await fill(createMemoryCoordinator({ journal }));
    journal.close();
  }
}

type Page = {
  jobs: {
    edges: { cursor: string; node: { id: string; created: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

describe.each(['redis', 'embedded'] as const)('paging 20,000 jobs (%s)', (store) => {
  it('jobs(first: 100) × 200 returns each of the owner’s jobs exactly once, newest first, then hasNextPage false', async () => {
    const env: Record<string, string> =
      store === 'redis'
        ? { REDIS_URL, REDIS_PREFIX: `test:listing:${randomUUID()}:` }
        : { DATA_DIR: mkdtempSync(join(tmpdir(), 'picsi-listing-')) };
    if (env['DATA_DIR']) cleanups.push(() => rmSync(env['DATA_DIR']!, { recursive: true, force: true }));
    const owner = ownerIdOf(TOKEN);
    const expected: string[] = [];
    await fillStore(store, env, async (coordinator) => {
      for (let batch = 0; expected.length < JOBS; batch++) {
        const jobs = Array.from({ length: 1000 }, (_, i) =>
          newJob({ status: 'COMPLETED', owner: i % 7 === 3 ? ownerIdOf('other-token-0123456789') : owner }),
        );
        const mine = jobs.filter((j) => j.owner === owner).slice(0, JOBS - expected.length);
        await Promise.all(jobs.filter((j) => j.owner !== owner || mine.includes(j)).map((job) => coordinator.restoreJob(job, 3600)));
        expected.push(...mine.map((j) => j.id));
      }
    });
    stack = await startStack({ env: { API_TOKENS: `${TOKEN},other-token-0123456789`, ...env } });

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < JOBS / 100; page++) {
      const res: Awaited<ReturnType<typeof postJson<Page>>> = await postJson<Page>(
        stack.url,
        'query ($after: String) { jobs(first: 100, after: $after) { edges { cursor node { id created } } pageInfo { hasNextPage endCursor } } }',
        { after },
        TOKEN,
      );
      const { edges, pageInfo } = res.body.data!.jobs;
      expect(edges).toHaveLength(100);
      seen.push(...edges.map((e) => e.node.id));
      expect(pageInfo.hasNextPage).toBe(page < JOBS / 100 - 1);
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual([...expected].reverse());
  }, 240_000);
});
