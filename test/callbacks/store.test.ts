/** The same cases against both task stores: the in-memory one and the Redis one (real Redis). */
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/callbacks/redis-store.js';
import { createMemoryStore, type CallbackStore } from '../../src/callbacks/store.js';
import { redisForTest } from './helpers.js';

type Factory = (clock: () => number, doneTtlMs: number) => Promise<CallbackStore>;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const factories: [string, Factory][] = [
  ['memory', async (now, doneTtlMs) => createMemoryStore({ now, doneTtlMs })],
  [
    'redis',
    async (now, doneTtlMs) => {
      const { redis, prefix, cleanup } = await redisForTest();
      cleanups.push(cleanup);
      return createRedisStore(redis, { prefix, doneTtlMs, now });
    },
  ],
];

describe.each(factories)('%s callback store', (_name, make) => {
  const T = 1_700_000_000_000;
  const pending = (attempts: number, lastError: string | null = null) => ({
    status: 'PENDING' as const,
    attempts,
    lastError,
    deliveredAt: null,
  });

  it('creates one task per job, however often asked', async () => {
    const store = await make(() => T, 60_000);
    const results = await Promise.all([1, 2, 3, 4].map(() => store.create('j1', 'https://a.example/h', '{"a":1}', T)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get('j1')).toEqual({
      url: 'https://a.example/h',
      status: 'PENDING',
      attempts: 0,
      lastError: null,
      deliveredAt: null,
      dueAt: T,
    });
  });

  it('claims only due attempts, each once, and leases them', async () => {
    const store = await make(() => T, 60_000);
    await store.create('due', 'https://a.example/h', 'B1', T - 1);
    await store.create('later', 'https://a.example/h', 'B2', T + 100_000);
    const first = await store.claimDue(T, T + 5_000, 10, 'inst-a');
    expect(first).toEqual([{ jobId: 'due', url: 'https://a.example/h', body: 'B1', attempt: 1, token: 'inst-a:due:1', lastError: null }]);
    expect(await store.claimDue(T, T + 5_000, 10, 'inst-b')).toEqual([]);
    expect((await store.get('due'))?.dueAt).toBe(T + 5_000);
    // The lease ran out (its instance died): the attempt is claimable again, as attempt 2.
    const again = await store.claimDue(T + 5_000, T + 10_000, 10, 'inst-b');
    expect(again.map((c) => [c.jobId, c.attempt, c.token])).toEqual([['due', 2, 'inst-b:due:2']]);
  });

  it('respects the claim limit, earliest due first', async () => {
    const store = await make(() => T, 60_000);
    for (const [id, at] of [
      ['c', T - 1],
      ['a', T - 3],
      ['b', T - 2],
    ] as const)
      await store.create(id, 'https://a.example/h', id, at);
    expect((await store.claimDue(T, T + 1_000, 2, 'i')).map((c) => c.jobId)).toEqual(['a', 'b']);
  });

  it('commits only with the current lease token, then schedules the retry with its error', async () => {
    const store = await make(() => T, 60_000);
    await store.create('j1', 'https://a.example/h', 'B', T);
    const [stale] = await store.claimDue(T, T + 1_000, 1, 'old');
    const [current] = await store.claimDue(T + 1_000, T + 2_000, 1, 'new');
    expect(await store.commit('j1', stale!.token, pending(1, 'stale'), T + 50)).toBe(false);
    expect(await store.commit('j1', current!.token, pending(2, 'HTTP 500'), T + 3_000)).toBe(true);
    expect(await store.get('j1')).toMatchObject({ status: 'PENDING', attempts: 2, lastError: 'HTTP 500', dueAt: T + 3_000 });
    expect(await store.commit('j1', current!.token, pending(2, 'twice'), T)).toBe(false);
    const [next] = await store.claimDue(T + 3_000, T + 4_000, 1, 'x');
    expect(next).toMatchObject({ attempt: 3, lastError: 'HTTP 500' });
  });

  it('a finished task leaves the schedule, is never claimed or recreated, and expires after doneTtlMs', async () => {
    let now = T;
    const store = await make(() => now, 200);
    await store.create('j1', 'https://a.example/h', 'B', T);
    const [claim] = await store.claimDue(T, T + 1_000, 1, 'i');
    await store.commit(
      'j1',
      claim!.token,
      { status: 'DELIVERED', attempts: 1, lastError: null, deliveredAt: '2025-01-01T00:00:00.000Z' },
      null,
    );
    expect(await store.get('j1')).toEqual({
      url: 'https://a.example/h',
      status: 'DELIVERED',
      attempts: 1,
      lastError: null,
      deliveredAt: '2025-01-01T00:00:00.000Z',
      dueAt: null,
    });
    expect(await store.claimDue(T + 10_000_000, T + 10_001_000, 10, 'i')).toEqual([]);
    expect(await store.create('j1', 'https://a.example/h', 'B', T)).toBe(false);
    now = T + 300;
    // Redis expires the marker on its own clock: awaited, not slept for.
    await expect.poll(() => store.create('j1', 'https://a.example/h', 'B', T), { timeout: 5_000 }).toBe(true);
  });

  it('schedule moves only a not-yet-attempted task', async () => {
    const store = await make(() => T, 60_000);
    await store.create('j1', 'https://a.example/h', 'B', T + 60_000);
    await store.schedule('j1', T);
    expect((await store.get('j1'))?.dueAt).toBe(T);
    await store.claimDue(T, T + 5_000, 1, 'i');
    await store.schedule('j1', T);
    expect((await store.get('j1'))?.dueAt).toBe(T + 5_000);
    await store.schedule('missing', T);
    expect(await store.get('missing')).toBeNull();
  });
});
