/**
 * P9 steady load: an open-loop arrival of 20 jobs/s for 60 s (submissions scheduled on a clock,
 * not back to back) against 3 server processes on one Redis and 16 simulated channels at bot
 * delay 500 ms (32 jobs/s capacity). After the warm-up, server RSS and Redis used_memory are
 * sampled every second; growth from the end of the warm-up to the end of the load, job latency
 * (submit → COMPLETED on graphql-ws) and achieved throughput.
 */
import type { Redis } from 'ioredis';
import { executorKeys, indexNames } from '../src/executor/store/keys.js';
import type { Job } from '../src/jobs/model.js';
import { makePng } from '../test/helpers/images.js';
import { openWs, round, sleep, submit, waitTerminal } from './common.js';
import { mb, redisInfo, rssOrZero, startDeployment, warmUp } from './deployment.js';
import { median, percentile, type BenchResult } from './stats.js';

const SECONDS = Number(process.env['BENCH_P9_SECONDS'] ?? 60);
const RATE = Number(process.env['BENCH_P9_RATE'] ?? 20);
const WARMUP_S = Math.min(15, Math.floor(SECONDS / 4));
const CHANNELS = 16;
const SERVERS = 3;
const BOT_DELAY_MS = 500;
/** Samples averaged (median) at each end of the measured window, so one GC does not decide. */
const EDGE_SAMPLES = 3;

interface JobRecord {
  id: string | null;
  server: number;
  submittedAt: number;
  endedAt: number;
  status: string;
}

interface MemorySample {
  at: number;
  rss: number[];
  redisUsed: number;
  redisKeys: number;
}

/**
 * What the finished jobs Redis retains (JOB_RETENTION_DAYS) occupy: used_memory before and after
 * removing what their expiry would remove (the record and its listing index entries), as if their
 * retention had run out. Measured after the load, with nothing running.
 */
async function retainedFootprint(admin: Redis, prefix: string, ids: string[]): Promise<number> {
  const keys = executorKeys(prefix);
  const used = async () => (await redisInfo(admin, 'memory'))['used_memory']!;
  const before = await used();
  for (let i = 0; i < ids.length; i += 200) {
    const batch = ids.slice(i, i + 200);
    const raws = await admin.mget(batch.map(keys.job));
    const pipeline = admin.pipeline();
    raws.forEach((raw, j) => {
      if (!raw) return;
      const job = JSON.parse(raw) as Job;
      for (const name of indexNames(job)) pipeline.zrem(keys.indexPrefix + name, `${job.created}|${job.id}`);
      pipeline.del(keys.job(batch[j]!));
    });
    await pipeline.exec();
  }
  return before - (await used());
}

/** Growth of the median of the first vs. the last EDGE_SAMPLES samples of a series. */
function growth(series: number[]): number {
  const start = median(series.slice(0, EDGE_SAMPLES));
  return median(series.slice(-EDGE_SAMPLES)) / start - 1;
}

export async function run(): Promise<BenchResult> {
  const deployment = await startDeployment('p9', { channels: CHANNELS, servers: SERVERS });
  const { sim, servers, admin } = deployment;
  const sockets = servers.map((s) => openWs(s.url));
  try {
    const files = { source: await makePng(32, 32), target: await makePng(48, 48) };
    await warmUp(deployment, files, 4);
    await sim.setBotDelay(BOT_DELAY_MS);
    await sim.resetStats();

    const samples: MemorySample[] = [];
    const t0 = Date.now();
    const warmupEnd = t0 + WARMUP_S * 1000;
    const loadEnd = t0 + SECONDS * 1000;
    const sampler = setInterval(() => {
      Promise.all([redisInfo(admin, 'memory'), admin.dbsize()]).then(
        ([info, keys]) => samples.push({ at: Date.now(), rss: servers.map(rssOrZero), redisUsed: info['used_memory']!, redisKeys: keys }),
        () => undefined, // a missed sample; too few of them fails the run below
      );
    }, 1000);

    const total = Math.round(SECONDS * RATE);
    const jobs: Promise<JobRecord>[] = [];
    let maxLagMs = 0;
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      maxLagMs = Math.max(maxLagMs, Date.now() - due);
      const index = i % SERVERS;
      jobs.push(
        (async () => {
          const submittedAt = Date.now();
          try {
            const job = await submit(servers[index]!.url, files, { mode: 'QUEUE' });
            // The server ends the subscription after COMPLETED: a client Complete sent at that moment made
            // other subscriptions on the same connection end without their terminal state (see bench/README.md).
            const status = await waitTerminal(sockets[index]!, job.id, 120_000, { leaveCompleteToServer: true });
            return { id: job.id, server: index, submittedAt, endedAt: Date.now(), status };
          } catch (error) {
            // one entry per kind of failure in the report, not per job
            const message = (error instanceof Error ? error.message : String(error)).replace(/\b[0-9a-z]{16,}\b/g, '<id>').slice(0, 160);
            return { id: null, server: index, submittedAt, endedAt: Date.now(), status: `ERROR ${message}` };
          }
        })(),
      );
    }
    await sleep(Math.max(0, loadEnd - Date.now()));
    clearInterval(sampler);
    const records = await Promise.all(jobs);
    const snapshot = await sim.snapshot();

    const window = samples.filter((s) => s.at >= warmupEnd && s.at <= loadEnd + 500);
    if (window.length < EDGE_SAMPLES * 2)
      throw new Error(`only ${window.length} memory samples after the warm-up: run longer (BENCH_P9_SECONDS)`);
    const rssGrowth = servers.map((_, i) => growth(window.map((s) => s.rss[i]!)));
    const redisGrowth = growth(window.map((s) => s.redisUsed));
    const measured = records.filter((r) => r.submittedAt >= warmupEnd);
    const latencies = measured.filter((r) => r.status === 'COMPLETED').map((r) => r.endedAt - r.submittedAt);
    const completedInWindow = records.filter((r) => r.status === 'COMPLETED' && r.endedAt >= warmupEnd && r.endedAt <= loadEnd).length;
    const throughput = completedInWindow / ((loadEnd - warmupEnd) / 1000);
    const statuses: Record<string, number> = {};
    for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const failedPerServer = servers.map((_, i) => records.filter((r) => r.server === i && r.status !== 'COMPLETED').length);
    const redisBytesPerJob =
      (median(window.slice(-EDGE_SAMPLES).map((s) => s.redisUsed)) - median(window.slice(0, EDGE_SAMPLES).map((s) => s.redisUsed))) /
      Math.max(1, completedInWindow);
    const redisKeysPerJob = (window[window.length - 1]!.redisKeys - window[0]!.redisKeys) / Math.max(1, completedInWindow);
    // The part of the growth that is not retained job records: the finished jobs between the two
    // edges of the window, each at the footprint measured by dropping them (bytes per retained job).
    const edgeAt = (edge: MemorySample[]) => median(edge.map((s) => s.at));
    const [windowFrom, windowTo] = [edgeAt(window.slice(0, EDGE_SAMPLES)), edgeAt(window.slice(-EDGE_SAMPLES))];
    const retainedInWindow = records.filter(
      (r) => r.id !== null && r.status === 'COMPLETED' && r.endedAt > windowFrom && r.endedAt <= windowTo,
    );
    const retainedBytes = await retainedFootprint(
      admin,
      deployment.prefix,
      retainedInWindow.map((r) => r.id!),
    );
    const retainedBytesPerJob = retainedBytes / Math.max(1, retainedInWindow.length);
    const redisStart = median(window.slice(0, EDGE_SAMPLES).map((s) => s.redisUsed));
    const redisEnd = median(window.slice(-EDGE_SAMPLES).map((s) => s.redisUsed));
    const redisGrowthNotRetained = (redisEnd - retainedBytes) / redisStart - 1;
    const retentionDays = Number(process.env['JOB_RETENTION_DAYS'] ?? 31);
    const steadyStateGb = (RATE * 86_400 * retentionDays * retainedBytesPerJob) / 1e9;
    const maxInFlight = Math.max(...snapshot.channels.map((c) => c.maxInFlight));
    const maxRssGrowth = Math.max(...rssGrowth);
    const allCompleted = (statuses['COMPLETED'] ?? 0) === total;
    const last = window[window.length - 1]!;
    return {
      id: 'P9',
      name: `steady load: ${RATE} jobs/s for ${SECONDS} s, ${SERVERS} servers, ${CHANNELS} channels`,
      metrics: {
        rssGrowthPctMax: round(maxRssGrowth * 100, 1),
        redisGrowthPct: round(redisGrowth * 100, 1),
        p50Ms: latencies.length ? round(percentile(latencies, 50), 0) : Number.NaN,
        p99Ms: latencies.length ? round(percentile(latencies, 99), 0) : Number.NaN,
        maxMs: latencies.length ? round(Math.max(...latencies), 0) : Number.NaN,
        throughputPerS: round(throughput, 2),
        submitLagMaxMs: round(maxLagMs, 0),
        rssEndMbMax: round(Math.max(...last.rss.map(mb)), 1),
        redisUsedEndMb: round(mb(last.redisUsed), 2),
        redisGrowthNotRetainedPct: round(redisGrowthNotRetained * 100, 1),
        redisBytesPerJob: round(redisBytesPerJob, 0),
        retainedBytesPerJob: round(retainedBytesPerJob, 0),
        retainedSteadyStateGb: round(steadyStateGb, 1),
        redisKeysPerJob: round(redisKeysPerJob, 2),
        maxInFlightPerChannel: maxInFlight,
        completed: statuses['COMPLETED'] ?? 0,
        jobs: total,
      },
      target: 'RSS and Redis growth net of retained jobs ≤ 10 %',
      pass: maxRssGrowth <= 0.1 && redisGrowthNotRetained <= 0.1 && allCompleted && maxInFlight === 1,
      notes:
        `${SERVERS} server processes on one private redis-server, one simulator process with ${CHANNELS} accounts at bot delay ${BOT_DELAY_MS} ms (capacity ${(CHANNELS * 1000) / BOT_DELAY_MS} jobs/s); ` +
        `open-loop arrivals every ${round(1000 / RATE, 1)} ms round robin across the servers (multipart picsi 32×32 + 48×48 PNG, mode QUEUE), each watched on graphql-ws jobUpdated of the accepting server. ` +
        `Warm-up ${WARMUP_S} s; growth = median of the last ${EDGE_SAMPLES} vs. the first ${EDGE_SAMPLES} 1 s samples after it (RSS per server ${rssGrowth.map((g) => `${(g * 100).toFixed(1)}%`).join('/')}); ` +
        `latency = submit → COMPLETED for jobs submitted after the warm-up; throughput = COMPLETED received between the end of the warm-up and the end of the load ÷ that time. ` +
        `Redis keeps every finished job (JOB_RETENTION_DAYS), so used_memory grows with the jobs run by design: redisGrowthPct is the raw growth; redisGrowthNotRetainedPct subtracts the ${retainedInWindow.length} jobs that finished between the window's edges at their measured footprint ` +
        `(used_memory before − after dropping their records and listing index entries after the load: ${round(retainedBytesPerJob, 0)} B per job), and is what the target applies to. ` +
        `Retained at a steady ${RATE} jobs/s for ${retentionDays} days: ${RATE} × 86,400 × ${retentionDays} × ${round(retainedBytesPerJob, 0)} B ≈ ${round(steadyStateGb, 1)} GB (lower the rate of retained jobs or JOB_RETENTION_DAYS to fit a Redis). ` +
        `redisBytesPerJob and redisKeysPerJob (DBSIZE delta) ÷ jobs COMPLETED in the window tell retained records from a leak. Statuses: ${JSON.stringify(statuses)}; not COMPLETED per server: ${failedPerServer.join('/')}.`,
    };
  } finally {
    await Promise.all(sockets.map(async (s) => s.dispose()));
    await deployment.stop();
  }
}
