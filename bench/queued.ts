/** A queued burst on N channels (P2, P3, P10): submits all jobs at once and waits until the simulator completed them all. */
import { performance } from 'node:perf_hooks';
import { DiscordSimulator, type InteractionLogEntry, type SimulatedAccount } from '../src/simulator/index.js';
import { postJson } from '../test/helpers/graphql-http.js';
import { makePng } from '../test/helpers/images.js';
import { startStack } from '../test/helpers/stack.js';
import { benchEnv, cleanupRedis, jobStatus, newPrefix, sleep, submit, TERMINAL, type PicsiFiles } from './common.js';

export interface BurstResult {
  t0: number;
  submittedAt: number;
  lastEndedAt: number;
  logs: InteractionLogEntry[][];
  statuses: Record<string, number>;
  /** Per channel: arrival times of POST /channels/{id}/attachments (the driver's first call of a job). */
  attachmentPosts: number[][];
}

export interface BurstOptions {
  /** The images of every job (default: 32×32 and 48×48 PNGs). */
  files?: PicsiFiles;
  /** The simulator's link (SIMULATOR_LINK_MBPS; default none). */
  linkMbps?: number;
  /** Submissions in flight at once (default: all at once). */
  submitConcurrency?: number;
  /**
   * Queue every job before the channels start: a pinned blocker job per channel (its bot never answers
   * in time) holds each channel while the jobs are submitted, then is cancelled. Its interaction is
   * left out of the logs.
   */
  prefill?: boolean;
}

/** One job pinned to each channel whose bot takes 10 minutes: resolves once every channel runs its blocker. */
async function blockChannels(url: string, simulator: DiscordSimulator, accounts: SimulatedAccount[]): Promise<string[]> {
  const small = await makePng(16, 16);
  const counts = accounts.map((a) => simulator.interactionsLog(a.channelId).length);
  const ids: string[] = [];
  for (const a of accounts) {
    simulator.script(a.channelId, { kind: 'success', delayMs: 600_000 });
    ids.push((await submit(url, { source: small, target: small }, { channel: a.channelId, mode: 'QUEUE' })).id);
  }
  while (accounts.some((a, i) => simulator.interactionsLog(a.channelId).length <= counts[i]!)) await sleep(5);
  return ids;
}

/** Submits `jobs` jobs, at most `concurrency` at a time, in order. */
async function submitAll(url: string, files: PicsiFiles, jobs: number, concurrency: number): Promise<{ id: string; status: string }[]> {
  const created: { id: string; status: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs) {
      const i = next++;
      created[i] = await submit(url, files, { mode: 'QUEUE' });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs) }, worker));
  return created;
}

export async function queuedBurst(
  id: string,
  channels: number,
  botDelayMs: number,
  jobs: number,
  options: BurstOptions = {},
): Promise<BurstResult> {
  const prefix = newPrefix(id);
  const simulator = await DiscordSimulator.start({ botDelayMs: 0, linkMbps: options.linkMbps ?? 0 });
  const accounts = Array.from({ length: channels }, () => simulator.createAccount({ credits: 1_000_000 }));
  const stack = await startStack({ env: benchEnv(prefix), simulator, accounts });
  try {
    const files = options.files ?? { source: await makePng(32, 32), target: await makePng(48, 48) };
    // warm-up: one job per channel at delay 0, then the measured burst
    await Promise.all(accounts.map((a) => submit(stack.url, files, { channel: a.channelId, wait: true })));
    await sleep(100);
    const before = accounts.map((a) => simulator.interactionsLog(a.channelId).length);
    simulator.setBotDelay(botDelayMs);
    const blockers = options.prefill ? await blockChannels(stack.url, simulator, accounts) : [];
    const measuredFrom = accounts.map((a, i) => before[i]! + (options.prefill ? 1 : 0));
    let t0 = performance.now();
    const created = await submitAll(stack.url, files, jobs, options.submitConcurrency ?? jobs);
    let submittedAt = performance.now();
    if (options.prefill) {
      t0 = submittedAt = performance.now();
      for (const id of blockers) await postJson(stack.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id });
    }
    const deadline = Date.now() + Math.max(60_000, (jobs / channels) * botDelayMs * 4);
    const done = () =>
      accounts.reduce(
        (n, a, i) =>
          n +
          simulator
            .interactionsLog(a.channelId)
            .slice(measuredFrom[i])
            .filter((e) => e.endedAt !== undefined).length,
        0,
      );
    while (done() < jobs && Date.now() < deadline) await sleep(5);
    if (done() < jobs) throw new Error(`only ${done()} of ${jobs} interactions ended before the deadline`);
    const logs = accounts.map((a, i) => simulator.interactionsLog(a.channelId).slice(measuredFrom[i]));
    const attachmentPosts = accounts.map((a) =>
      simulator.requests
        .filter((q) => q.method === 'POST' && q.path.endsWith(`/channels/${a.channelId}/attachments`) && q.at >= t0)
        .map((q) => q.at),
    );
    const lastEndedAt = Math.max(...logs.flat().map((e) => e.endedAt!));
    // every job must be terminal and COMPLETED (wait for the store to catch up with the simulator,
    // result copies included)
    const statuses: Record<string, number> = {};
    const settleBy = Date.now() + 30_000;
    for (const job of created) {
      let status = (await jobStatus(stack.url, job.id)) ?? 'UNKNOWN';
      while (!TERMINAL.has(status) && Date.now() < settleBy) {
        await sleep(50);
        status = (await jobStatus(stack.url, job.id)) ?? 'UNKNOWN';
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    return { t0, submittedAt, lastEndedAt, logs, statuses, attachmentPosts };
  } finally {
    await stack.stop();
    await simulator.close();
    await cleanupRedis(prefix);
  }
}

/** Consecutive-interaction gaps per channel: next.at − previous.endedAt (simulator clock). */
export function handoffGaps(logs: InteractionLogEntry[][], after = -Infinity): number[] {
  const gaps: number[] = [];
  for (const log of logs) {
    const sorted = [...log].sort((a, b) => a.at - b.at);
    for (let i = 1; i < sorted.length; i++) if (sorted[i - 1]!.endedAt! >= after) gaps.push(sorted[i]!.at - sorted[i - 1]!.endedAt!);
  }
  return gaps;
}

/** Splits each handoff: previous endedAt → next job's first Discord call (attachments POST) → its /interactions. */
export function handoffSplit(
  logs: InteractionLogEntry[][],
  attachmentPosts: number[][],
): { toFirstCall: number[]; firstCallToInteraction: number[] } {
  const toFirstCall: number[] = [];
  const firstCallToInteraction: number[] = [];
  logs.forEach((log, c) => {
    const sorted = [...log].sort((a, b) => a.at - b.at);
    for (let i = 1; i < sorted.length; i++) {
      const ended = sorted[i - 1]!.endedAt!;
      const call = attachmentPosts[c]!.find((t) => t >= ended && t <= sorted[i]!.at);
      if (call === undefined) continue;
      toFirstCall.push(call - ended);
      firstCallToInteraction.push(sorted[i]!.at - call);
    }
  });
  return { toFirstCall, firstCallToInteraction };
}

/** Per channel: the time the bot worked (Σ endedAt − at) ÷ the channel's makespan (first at → last endedAt). */
export function utilizations(logs: InteractionLogEntry[][]): number[] {
  return logs
    .filter((log) => log.length > 0)
    .map((log) => {
      const busy = log.reduce((sum, e) => sum + (e.endedAt! - e.at), 0);
      const span = Math.max(...log.map((e) => e.endedAt!)) - Math.min(...log.map((e) => e.at));
      return busy / span;
    });
}
