/**
 * P7 claim cost: the Redis coordinator's claim (one Lua script) with 10, 1,000 and 10,000 queued
 * jobs of ten owners, half for any channel and half waiting for another channel, measured from the client
 * (round trip included). After each measured claim the job is completed (releasing the channel)
 * and a new job is queued, so the queue length stays at N. Runnable alone: `npx tsx bench/p7-claim-cost.ts`.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { utcDay, type ClaimRequest, type Coordinator } from '../src/executor/store/port.js';
import { createRedisCoordinator } from '../src/executor/store/redis/coordinator.js';
import { singleRedis } from '../src/redis/settings.js';
import type { Job } from '../src/jobs/model.js';
import { cleanupRedis, newPrefix, REDIS_URL, round } from './common.js';
import { formatTable, median, percentile, type BenchResult } from './stats.js';
import { queuedJobRecord } from '../test/helpers/jobs.js';

const SIZES = [10, 1_000, 10_000];
const CLAIMS = Number(process.env['BENCH_P7_CLAIMS'] ?? 300);
const CHANNEL = '100000000000000001';
const OTHER_CHANNEL = '100000000000000002';

let created = 0;
function queuedJob(requestedChannel: string | null): Job {
  const at = new Date(Date.UTC(2026, 11, 1) + created++).toISOString();
  // Ten owners, so the fair queue's rounds interleave them as real traffic would.
  return queuedJobRecord(`p7-${randomUUID()}`, at, { owner: `bench-${created % 10}`, requestedChannel, instance: 'bench' });
}

async function fill(coordinator: Coordinator, n: number): Promise<void> {
  for (let done = 0; done < n; done += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, n - done) }, (_, i) =>
        coordinator.createJob(queuedJob((done + i) % 2 ? OTHER_CHANNEL : null), true),
      ),
    );
  }
}

async function claimCost(n: number): Promise<number[]> {
  const prefix = newPrefix('p7');
  const coordinator = await createRedisCoordinator({
    redis: singleRedis(REDIS_URL),
    prefix,
    logger: pino({ level: 'silent' }),
    leaseTtlMs: 15_000,
  });
  try {
    await coordinator.upsertAccount({ channel: CHANNEL, server: 'srv', discord: 'bench-token-0123456789' });
    await fill(coordinator, n);
    const samples: number[] = [];
    for (let i = 0; i < CLAIMS + 20; i++) {
      const nowMs = Date.now();
      const request: ClaimRequest = {
        channel: CHANNEL,
        instance: 'bench',
        token: `t${i}`,
        ttlMs: 15_000,
        nowMs,
        day: utcDay(nowMs),
        creditCost: 0,
        creditsPerDay: 1,
        start: { server: 'srv', discord: 'ben…789', startedAt: new Date(nowMs).toISOString() },
        lost: { patch: { status: 'FAILED', code: 'EXECUTOR_LOST' }, retentionSec: 60, jobTimeoutMs: 60_000 },
      };
      const t0 = performance.now();
      const claimed = await coordinator.claim(request);
      const ms = performance.now() - t0;
      if (claimed === 'store-lost' || !('job' in claimed)) throw new Error(`claim ${i} at N=${n} found nothing`);
      if (i >= 20) samples.push(ms); // the first claims warm the script cache and the connection
      await coordinator.updateJob(claimed.job.id, {
        patch: { status: 'COMPLETED' },
        token: request.token,
        channel: CHANNEL,
        retentionSec: 60,
      });
      await coordinator.createJob(queuedJob(null), true);
    }
    return samples;
  } finally {
    await coordinator.close();
    await cleanupRedis(prefix);
  }
}

/**
 * What one slot sustains: `channels` loops in parallel, each a job's whole store life (create,
 * claim, command recorded, complete with its callback task), for `seconds`.
 */
async function lifecyclesPerSecond(channels: number, seconds: number): Promise<number> {
  const prefix = newPrefix('p7t');
  const coordinator = await createRedisCoordinator({
    redis: singleRedis(REDIS_URL),
    prefix,
    logger: pino({ level: 'silent' }),
    leaseTtlMs: 15_000,
    callbacks: { defaultUrl: 'https://hooks.example/p7', doneTtlMs: 60_000 },
  });
  try {
    const ids = Array.from({ length: channels }, (_, i) => String(200000000000000000n + BigInt(i)));
    for (const channel of ids) await coordinator.upsertAccount({ channel, server: 'srv', discord: 'bench-token-0123456789' });
    const until = Date.now() + seconds * 1000;
    let done = 0;
    await Promise.all(
      ids.map(async (channel) => {
        for (let i = 0; Date.now() < until; i++) {
          const job = queuedJob(channel);
          await coordinator.createJob(job, true);
          const nowMs = Date.now();
          const token = `${channel}-${i}`;
          const claimed = await coordinator.claim({
            channel,
            instance: 'bench',
            token,
            ttlMs: 15_000,
            nowMs,
            day: utcDay(nowMs),
            creditCost: 0,
            creditsPerDay: 1,
            recordsCommands: true,
            start: { server: 'srv', discord: 'ben…789', startedAt: new Date(nowMs).toISOString() },
            lost: { patch: { status: 'FAILED', code: 'EXECUTOR_LOST' }, retentionSec: 60, jobTimeoutMs: 60_000 },
          });
          if (claimed === 'store-lost' || !('job' in claimed) || claimed.job.id !== job.id)
            throw new Error('throughput claim took another job');
          await coordinator.markCommandSent(job.id, channel, token, {
            nonce: String(i),
            interactionId: null,
            sentAt: new Date().toISOString(),
          });
          await coordinator.updateJob(job.id, { patch: { status: 'COMPLETED' }, token, channel, retentionSec: 60 });
          done++;
        }
      }),
    );
    return done / seconds;
  } finally {
    await coordinator.close();
    await cleanupRedis(prefix);
  }
}

export async function run(): Promise<BenchResult> {
  const metrics: Record<string, number> = {};
  const p50s: number[] = [];
  for (const n of SIZES) {
    const samples = await claimCost(n);
    const p50 = median(samples);
    p50s.push(p50);
    metrics[`p50Ms@${n}`] = round(p50);
    metrics[`p99Ms@${n}`] = round(percentile(samples, 99));
  }
  const ratio = p50s.at(-1)! / p50s[0]!;
  metrics['ratio'] = round(ratio);
  metrics['jobsPerSec@16ch'] = Math.round(await lifecyclesPerSecond(16, 3));
  return {
    id: 'P7',
    name: `claim cost vs queue length (Redis, ${CLAIMS} claims each)`,
    metrics,
    target: `p50 at ${SIZES.at(-1)} ≤ 2 × p50 at ${SIZES[0]}`,
    pass: ratio <= 2,
    notes:
      'one claim script per call (two queue heads read, ZRANGE 0 0 each), client round trip included; half the queued jobs wait for a channel without an account, which the claim never reads. ' +
      "jobsPerSec@16ch: 16 channels in parallel, each job's whole store life (create, claim, command recorded, complete with its callback task: 4 scripts) on the one hash-tag slot, from one client process.",
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  console.log(formatTable([result]));
  if (result.notes) console.log(`\nP7: ${result.notes}`);
  process.exit(0);
}
