/**
 * P8 scale-out: 1,600 queued jobs submitted evenly (round robin) across 3 server processes that
 * share one Redis, on 32 simulated channels (one simulator process) at bot delay 500 ms.
 * Makespan vs. the ideal jobs ÷ channels × delay; Redis commands per job; server RSS; the
 * simulator's max concurrent interactions per channel (must stay 1).
 */
import { executorKeys } from '../src/executor/store/keys.js';
import type { Job } from '../src/jobs/model.js';
import { resultCopier } from '../src/executor/run/results.js';
import { tempBlobStore } from '../test/helpers/blobs.js';
import { makePng } from '../test/helpers/images.js';
import { jobStatus, round, sleep } from './common.js';
import {
  commandCalls,
  commandDelta,
  cpuSeconds,
  idleCommandRate,
  mb,
  pool,
  redisInfo,
  sampleRss,
  startDeployment,
  warmUp,
} from './deployment.js';
import { handoff } from './handoff.js';
import { submitPrepared } from './prepared-submit.js';
import type { SimSnapshot } from './sim-process.js';
import { percentile, type BenchResult } from './stats.js';

const JOBS = Number(process.env['BENCH_P8_JOBS'] ?? 1600);
const CHANNELS = Number(process.env['BENCH_P8_CHANNELS'] ?? 32);
const SERVERS = 3;
const BOT_DELAY_MS = 500;
const SUBMIT_CONCURRENCY = Number(process.env['BENCH_P8_SUBMIT_CONCURRENCY'] ?? 48);
const IDLE_SAMPLE_MS = 3000;
/** Result files copied again after the run, to time the copy the holder does while the channel is held. */
const COPY_SAMPLES = 40;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const completed = (s: SimSnapshot) => s.channels.reduce((n, c) => n + c.completed, 0);

/**
 * The holder's result copy (src/executor/run/results.ts resultCopier: the simulator's CDN → a blob store),
 * timed here on result URLs of the run, one at a time, with the deployment still up.
 */
async function timeResultCopies(records: Job[], samples: number): Promise<number[]> {
  const blobs = await tempBlobStore();
  const copy = resultCopier(blobs);
  const urls = records.flatMap((j) => j.attachments.map((a) => a.url)).slice(0, samples);
  const times: number[] = [];
  for (const [i, url] of urls.entries()) {
    const t0 = performance.now();
    await copy(url, `results/bench/${i}`, { contentType: 'image/png', signal: AbortSignal.timeout(20_000) });
    times.push(performance.now() - t0);
  }
  return times;
}

export async function run(): Promise<BenchResult> {
  const deployment = await startDeployment('p8', { channels: CHANNELS, servers: SERVERS });
  const { sim, servers, admin } = deployment;
  const redisCpuSeconds = async () => {
    const cpu = await redisInfo(admin, 'cpu');
    return cpu['used_cpu_user']! + cpu['used_cpu_sys']!;
  };
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
    const cpuBefore = { servers: servers.map((s) => cpuSeconds(s.pid)), sim: cpuSeconds(sim.pid), redis: await redisCpuSeconds() };

    const clientCpuBefore = process.cpuUsage();
    const firstSubmitAt = Date.now();
    const created = await pool(
      Array.from({ length: JOBS }, (_, i) => servers[i % SERVERS]!),
      SUBMIT_CONCURRENCY,
      async (server) => ({ server, job: await submitPrepared(server.url, files, { mode: 'QUEUE' }) }),
    );
    const submittedAt = Date.now();
    const clientCpu = process.cpuUsage(clientCpuBefore);

    const deadline = Date.now() + Math.max(120_000, idealMs * 6);
    let snapshot = await sim.snapshot();
    while (completed(snapshot) < JOBS && Date.now() < deadline) {
      await sleep(200);
      snapshot = await sim.snapshot();
    }
    rss.stop();
    const serverCpuS = servers.reduce((sum, s, i) => sum + cpuSeconds(s.pid) - cpuBefore.servers[i]!, 0);
    const simCpuS = cpuSeconds(sim.pid) - cpuBefore.sim;
    const redisCpuS = (await redisCpuSeconds()) - cpuBefore.redis;
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
    const keys = executorKeys(deployment.prefix);
    const records = (await admin.mget(created.map(({ job }) => keys.job(job.id)))).flatMap((raw) => (raw ? [JSON.parse(raw) as Job] : []));
    const split = handoff(snapshot, records);
    const copyMs = await timeResultCopies(records, COPY_SAMPLES);
    const gaps = split.gaps.map((g) => g.gapMs);
    // After the last submit: the client no longer competes for the CPU.
    const gapsAfterSubmit = split.gaps.filter((g) => g.startedAt > submittedAt).map((g) => g.gapMs);
    const rampMs = Math.max(...snapshot.channels.map((c) => (c.firstAt ?? Infinity) - firstSubmitAt));
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
        rampS: round(rampMs / 1000, 2),
        handoffP50Ms: round(percentile(gaps, 50), 1),
        handoffP90Ms: round(percentile(gaps, 90), 1),
        handoffP99Ms: round(percentile(gaps, 99), 1),
        handoffMeanMs: round(mean(gaps), 1),
        handoffAfterSubmitP50Ms: round(percentile(gapsAfterSubmit, 50), 1),
        handoffAfterSubmitMeanMs: round(mean(gapsAfterSubmit), 1),
        replyToOutcomeMeanMs: round(split.parts.replyToOutcome.mean, 1),
        outcomeToClaimMeanMs: round(split.parts.outcomeToClaim.mean, 1),
        claimToSentMeanMs: round(split.parts.claimToSent.mean, 1),
        sentToAcceptedMeanMs: round(split.parts.sentToAccepted.mean, 1),
        resultCopyP50Ms: round(percentile(copyMs, 50), 1),
        serverCpuS: round(serverCpuS, 1),
        simCpuS: round(simCpuS, 1),
        redisCpuS: round(redisCpuS, 1),
        clientSubmitCpuS: round((clientCpu.user + clientCpu.system) / 1e6, 1),
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
        `${JOBS} multipart picsi (32×32 + 48×48 PNG, mode QUEUE, no channel) submitted round robin across the servers, ${SUBMIT_CONCURRENCY} requests in flight (the multipart body built once, sent with undici request: bench/prepared-submit.ts; clientSubmitCpuS = this process's CPU while submitting), after a warm-up of 4 jobs per server at delay 0. ` +
        `makespan = first submit → last interaction end (simulator clock, epoch ms); ideal = jobs ÷ channels × delay. ` +
        `rampS = first submit → the last channel's first interaction; handoff = an interaction's start − the end of the one before it on its channel, split (means, bench/handoff.ts) into reply → outcome (reply seen, result files copied while the channel is held), outcome → claim (terminal write, release, freed event, next claim), claim → sent (inputs read and uploaded to Discord, command recorded) and sent → accepted (POST /interactions); resultCopyP50Ms = the holder's result copy (resultCopier), timed after the run on ${COPY_SAMPLES} result URLs of it. ` +
        `Redis commands = total_commands_processed delta (first submit → last interaction end) ÷ jobs; NetOfIdle subtracts the rate of the idle deployment (${IDLE_SAMPLE_MS / 1000} s before the burst, all servers polling/renewing) over that time; top per job: ${topCommands.map(([c, n]) => `${c} ${round(n / JOBS, 1)}`).join(', ')}. ` +
        `RSS per server end ${endRss.map((b) => mb(b).toFixed(0)).join('/')} MB, peak ${rss.peaks.map((b) => mb(b).toFixed(0)).join('/')} MB. ` +
        `Statuses: ${JSON.stringify(statuses)}.`,
    };
  } finally {
    await deployment.stop();
  }
}
