/**
 * The orphan sweep (src/executor/service/input-sweep.ts) on every pair of job store and blob store: inputs
 * of QUEUED and STARTED jobs stay, inputs no such job refers to go once past the grace period,
 * younger ones stay whatever they are.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coordinator } from '../../src/executor/store/port.js';
import { sweepOrphanInputs } from '../../src/executor/service/input-sweep.js';
import { embeddedBackend, newJob, redisBackend, type Backend as JobBackend } from '../executor/coordinator-backends.js';
import { fsBackend, s3Backend, type BackendHarness } from './backends.js';

const HOUR = 3_600_000;
const put = (h: BackendHarness, key: string) =>
  h.store.put(key, Readable.from([Buffer.from(key)]), { contentType: 'image/png', maxBytes: 1000 });
const listed = async (h: BackendHarness) => {
  const keys: string[] = [];
  for await (const { key } of h.store.list('inputs/')) keys.push(key);
  return keys.sort();
};

describe.each([
  { jobs: 'Redis', blobs: fsBackend, open: redisBackend },
  { jobs: 'embedded', blobs: s3Backend, open: embeddedBackend },
])('orphan sweep: $jobs job store, $blobs.name blob store', ({ blobs, open }) => {
  let jobBackend: JobBackend;
  let coordinator: Coordinator;
  let h: BackendHarness;
  beforeAll(async () => {
    jobBackend = await open();
    coordinator = await jobBackend.open();
    h = await blobs.open();
  });
  afterAll(async () => {
    await h?.close();
    await jobBackend?.cleanup();
  });

  it('deletes only inputs no QUEUED or STARTED job refers to, once past the grace period', async () => {
    const queued = newJob({ inputs: { source: 'inputs/queued-source', target: 'inputs/queued-target' } });
    const finished = newJob({ inputs: { target: 'inputs/finished-target' } });
    await coordinator.createJob(queued, true);
    await coordinator.createJob(finished, false);
    await coordinator.updateJob(finished.id, { patch: { status: 'CANCELLED', code: 'CANCELLED' }, retentionSec: 60 });
    for (const key of ['inputs/queued-source', 'inputs/queued-target', 'inputs/finished-target', 'inputs/orphan-source']) await put(h, key);

    // Everything is younger than the grace period: nothing goes.
    expect(await sweepOrphanInputs({ blobs: h.store, coordinator, graceMs: HOUR })).toEqual({ inputs: 0, tempFiles: 0 });
    expect(await listed(h)).toHaveLength(4);

    // An hour later: the orphan and the finished job's input go, the queued job's stay.
    const later = { blobs: h.store, coordinator, graceMs: HOUR, now: () => Date.now() + 2 * HOUR };
    expect((await sweepOrphanInputs(later)).inputs).toBe(2);
    expect(await listed(h)).toEqual(['inputs/queued-source', 'inputs/queued-target']);
    await h.store.delete(['inputs/queued-source', 'inputs/queued-target']);
  });
});
