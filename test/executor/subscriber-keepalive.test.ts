/**
 * A subscriber whose link to Redis silently dies (black-holed, no reset) still ends on the job's
 * final state once the link heals: the coordinator notices the dead subscription and reconnects,
 * and the watcher re-reads.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Coordinator } from '../../src/executor/store/port.js';
import { createRedisCoordinator } from '../../src/executor/store/redis/coordinator.js';
import { singleRedis } from '../../src/redis/settings.js';
import { watchJob } from '../../src/executor/service/watch.js';
import { type Job } from '../../src/jobs/model.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { queuedJobRecord } from '../helpers/jobs.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test:${randomUUID()}:`;
const logger = pino({ level: 'silent' });
let proxy: TcpProxy;
let behindProxy: Coordinator;
let direct: Coordinator;

beforeAll(async () => {
  proxy = await startTcpProxy(6379);
  [behindProxy, direct] = await Promise.all([
    createRedisCoordinator({ redis: singleRedis(`redis://127.0.0.1:${proxy.port}`), prefix, logger, leaseTtlMs: 1000 }),
    createRedisCoordinator({ redis: singleRedis(REDIS_URL), prefix, logger, leaseTtlMs: 1000 }),
  ]);
});
afterAll(async () => {
  await behindProxy?.close();
  await direct?.close();
  await proxy?.close();
  await deleteKeysWithPrefix(REDIS_URL, prefix);
});

function queuedJob(id: string): Job {
  return queuedJobRecord(id, new Date().toISOString(), { owner: 'o', instance: 'i-test' });
}

it('ends on the final state written while its link was black-holed', async () => {
  const id = `keepalive-${randomUUID()}`;
  await direct.createJob(queuedJob(id), false);
  const seen: Job[] = [];
  const controller = new AbortController();
  const watching = (async () => {
    for await (const job of watchJob(behindProxy, id, controller.signal)) seen.push(job);
  })();
  await expect.poll(() => seen.length).toBe(1);

  proxy.blackhole();
  const cancelled = await direct.updateJob(id, {
    from: ['QUEUED'],
    patch: { status: 'CANCELLED', code: 'CANCELLED', error: 'test' },
    retentionSec: 60,
  });
  expect(cancelled?.status).toBe('CANCELLED');
  await new Promise((resolve) => setTimeout(resolve, 3000)); // the event is lost in the black hole
  expect(seen.map((j) => j.status)).toEqual(['QUEUED']);
  proxy.heal();

  const timer = setTimeout(() => controller.abort(), 15_000);
  await watching;
  clearTimeout(timer);
  expect(controller.signal.aborted).toBe(false);
  expect(seen.map((j) => j.status)).toEqual(['QUEUED', 'CANCELLED']);
}, 30_000);
