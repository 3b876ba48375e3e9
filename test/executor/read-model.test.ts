/** Read-side parts on their own, with an injected clock: the one-second copy of finished jobs, result retention. */
import { systemClock } from '../../src/timing/clock.js';
import { AccountHealthKeeper } from '../../src/executor/account-health.js';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ExecutorContext } from '../../src/executor/context.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { ReadModel } from '../../src/executor/service/read-model.js';
import { ResultRetention } from '../../src/executor/service/result-retention.js';
import { Readable } from 'node:stream';
import type { Job } from '../../src/jobs/model.js';
import { createDiscordDriver } from '../../src/discord/index.js';
import { tempBlobStore } from '../helpers/blobs.js';
import { queuedJobRecord } from '../helpers/jobs.js';

const job = (id: string, at: number): Job => queuedJobRecord(id, new Date(at).toISOString(), { owner: 'o', instance: 'i-test' });

describe('read model', () => {
  it('answers a finished job from a copy for one second of the injected clock, then reads the store again', async () => {
    let clock = Date.parse('2026-12-01T08:00:00.000Z');
    const coordinator = createMemoryCoordinator();
    const reads: string[] = [];
    const getJob = coordinator.getJob.bind(coordinator);
    coordinator.getJob = async (id) => (reads.push(id), getJob(id));
    const ctx: ExecutorContext = {
      config: loadConfig({ ACCOUNT_MIN_GAP_MS: '0', ACCOUNT_JITTER_MS: '0' }).config,
      coordinator,
      driver: createDiscordDriver({ apiUrl: 'http://127.0.0.1:9/api', logger: pino({ level: 'silent' }), timeoutMs: 1000 }),
      blobs: await tempBlobStore(),
      logger: pino({ level: 'silent' }),
      instanceId: 'i-test',
      clock: { ...systemClock, now: () => clock },
      now: () => clock,
      retentionSec: 60,
      health: new AccountHealthKeeper(coordinator, { send: () => undefined }, pino({ level: 'silent' }), () => clock),
      random: Math.random,
    };
    const model = new ReadModel(ctx);
    await coordinator.createJob(job('j1', clock), true);
    await coordinator.updateJob('j1', {
      patch: { status: 'CANCELLED', code: 'CANCELLED', finishedAt: new Date(clock).toISOString() },
      retentionSec: 60,
    });

    expect((await model.get('j1'))?.status).toBe('CANCELLED');
    clock += 999;
    expect((await model.get('j1'))?.status).toBe('CANCELLED');
    expect(reads).toEqual(['j1']);
    clock += 1;
    await model.get('j1');
    expect(reads).toEqual(['j1', 'j1']);
    model.invalidate('j1');
    await model.get('j1');
    expect(reads).toEqual(['j1', 'j1', 'j1']);
    await ctx.driver.close();
  });
});

describe('result retention', () => {
  it("deletes a completed job's stored result once its retention ends within the next sweep, not before", async () => {
    const day = 86_400_000;
    let clock = Date.parse('2026-12-01T08:00:00.000Z');
    const coordinator = createMemoryCoordinator();
    const blobs = await tempBlobStore();
    const key = 'results/2026-12-01/j1/a1';
    await blobs.put(key, Readable.from([Buffer.from('png')]), { contentType: 'image/png', maxBytes: 10 });
    const attachment = {
      id: 'a1',
      contentType: 'image/png',
      filename: 'r.png',
      url: 'http://cdn/r.png',
      proxyUrl: null,
      size: 3,
      width: 1,
      height: 1,
      copy: { state: 'STORED' as const, key, error: null },
    };
    await coordinator.restoreJob(
      { ...job('j1', clock), status: 'COMPLETED', finishedAt: new Date(clock).toISOString(), attachments: [attachment] },
      2 * 86_400,
    );
    const retention = new ResultRetention({ coordinator, blobs, now: () => clock, retentionSec: 2 * 86_400 });

    clock += 2 * day - 2 * 3_600_000; // two hours before the job expires
    expect(await retention.sweep()).toBe(0);
    const kept = await blobs.get(key);
    expect(kept).not.toBeNull();
    kept?.body.destroy();
    clock += 3_600_000; // within the next sweep period
    expect(await retention.sweep()).toBe(1);
    expect(await blobs.get(key)).toBeNull();
  });
});
