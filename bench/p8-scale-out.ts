/**
 * P8 scale-out: 1,600 queued jobs submitted evenly (round robin) across 3 server processes that
 * share one Redis, on 32 simulated channels (one simulator process) at bot delay 500 ms.
 * Makespan vs. the ideal jobs ÷ channels × delay; Redis commands per job; server RSS; the
 * simulator's max concurrent interactions per channel (must stay 1).
 */
import { makePng } from '../test/helpers/images.js';
import { jobStatus, round, sleep, submit } from './common.js';
import { commandCalls, commandDelta, idleCommandRate, mb, pool, redisInfo, sampleRss, startDeployment, warmUp } from './deployment.js';
import type { SimSnapshot } from './sim-process.js';
import type { BenchResult } from './stats.js';

const JOBS = Number(process.env['BENCH_P8_JOBS'] ?? 1600);
const CHANNELS = Number(process.env['BENCH_P8_CHANNELS'] ?? 32);
const SERVERS = 3;
const BOT_DELAY_MS = 500;
const SUBMIT_CONCURRENCY = 48;
const IDLE_SAMPLE_MS = 3000;

const completed = (s: SimSnapshot) => s.channels.reduce((n, c) => n + c.completed, 0);

export async function run(): Promise<BenchResult> {
  const deployment = await startDeployment('p8', { channels: CHANNELS, servers: SERVERS });
  const { sim, servers, admin } = deployment;
  try {
    const files = { source: await makePng(32, 32), target: await makePng(48, 48) };
    await warmUp(deployment, files, 4);
    await sim.setBotDelay(BOT_DELAY_MS);
    await sim.resetStats();
    const idealMs = (JOBS / CHANNELS) * BOT_DELAY_MS;
    const idleRate = await idleCommandRate(admin, IDLE_SAMPLE_MS);
    const commandsBefore = await commandCalls(admin);
    const processedBefore = (await redisInfo(admin, 'stats'))['total_commands_processed']!;
    const rss = sampleRss(servers, 250);

    const firstSubmitAt = Date.now();
    const created = await pool(
      Array.from({ length: JOBS }, (_, i) => servers[i % SERVERS]!),
      SUBMIT_CONCURRENCY,
      async (server) => ({ server, job: await submit(server.url, files, { mode: 'QUEUE' }) }),
    );
    const submittedAt = Date.now();

    const deadline = Date.now() + Math.max(120_000, idealMs * 6);
    let snapshot = await sim.snapshot();
    while (completed(snapshot) < JOBS && Date.now() < deadline) {
      await sleep(200);
      snapshot = await sim.snapshot();
    }
    rss.stop();
    const processed = (await redisInfo(admin, 'stats'))['total_commands_processed']! - processedBefore;
    const measuredMs = Date.now() - firstSubmitAt;
    const topCommands = commandDelta(commandsBefore, await commandCalls(admin)).slice(0, 14);
    const endRss = servers.map((s) => s.rssBytes());
    if (completed(snapshot) < JOBS) throw new Error(`only ${completed(snapshot)} of ${JOBS} interactions ended before the deadline`);

    const statuses: Record<string, number> = {};
    await pool(created, 16, async ({ server, job }) => {
      const status = (await jobStatus(server.url, job.id)) ?? 'UNKNOWN';
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    const firstInteractionAt = Math.min(...snapshot.channels.map((c) => c.firstAt ?? Infinity));
    const lastEndedAt = Math.max(...snapshot.channels.map((c) => c.lastEndedAt ?? -Infinity));
    const makespanMs = lastEndedAt - firstSubmitAt;
    const fromFirstInteractionMs = lastEndedAt - firstInteractionAt;
    const maxInFlight = Math.max(...snapshot.channels.map((c) => c.maxInFlight));
    const perChannel = snapshot.channels.map((c) => c.completed);
    const ratio = makespanMs / idealMs;
    const allCompleted = (statuses['COMPLETED'] ?? 0) === JOBS;
    return {
      id: 'P8',
      name: `scale-out: ${JOBS} jobs, ${SERVERS} servers, ${CHANNELS} channels`,
      metrics: {
        idealS: round(idealMs / 1000, 1),
        makespanS: round(makespanMs / 1000, 2),
        ratio: round(ratio, 3),
        fromFirstInteractionS: round(fromFirstInteractionMs / 1000, 2),
        ratioFromFirstInteraction: round(fromFirstInteractionMs / idealMs, 3),
        submitS: round((submittedAt - firstSubmitAt) / 1000, 2),
        redisCmdsPerJob: round(processed / JOBS, 1),
        redisCmdsPerJobNetOfIdle: round((processed - (idleRate * measuredMs) / 1000) / JOBS, 1),
        redisIdleCmdsPerS: round(idleRate, 0),
        rssEndMbMax: round(Math.max(...endRss.map(mb)), 1),
        rssPeakMbMax: round(Math.max(...rss.peaks.map(mb)), 1),
        maxInFlightPerChannel: maxInFlight,
        jobsPerChannelMin: Math.min(...perChannel),
        jobsPerChannelMax: Math.max(...perChannel),
        completed: statuses['COMPLETED'] ?? 0,
      },
      target: 'ratio ≤ 1.05, maxInFlight = 1',
      pass: ratio <= 1.05 && maxInFlight === 1 && allCompleted,
      notes:
        `${SERVERS} server processes (src/main.ts) on one private redis-server, one simulator process (bench/sim-child.ts) with ${CHANNELS} accounts at bot delay ${BOT_DELAY_MS} ms; ` +
        `${JOBS} multipart picsi (32×32 + 48×48 PNG, mode QUEUE, no channel) submitted round robin across the servers, ${SUBMIT_CONCURRENCY} requests in flight, after a warm-up of 4 jobs per server at delay 0. ` +
        `makespan = first submit → last interaction end (simulator clock, epoch ms); ideal = jobs ÷ channels × delay. ` +
        `Redis commands = total_commands_processed delta (first submit → last interaction end) ÷ jobs; NetOfIdle subtracts the rate of the idle deployment (${IDLE_SAMPLE_MS / 1000} s before the burst, all servers polling/renewing) over that time; top per job: ${topCommands.map(([c, n]) => `${c} ${round(n / JOBS, 1)}`).join(', ')}. ` +
        `RSS per server end ${endRss.map((b) => mb(b).toFixed(0)).join('/')} MB, peak ${rss.peaks.map((b) => mb(b).toFixed(0)).join('/')} MB. ` +
        `Statuses: ${JSON.stringify(statuses)}.`,
    };
  } finally {
    await deployment.stop();
  }
}
