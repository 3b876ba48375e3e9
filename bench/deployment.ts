/**
 * The scaled-out deployment of P8/P9: a private redis-server (so INFO counts only our traffic),
 * one simulator process with N channels, M server processes sharing that Redis under one prefix
 * and one blob store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../test/helpers/redis-server.js';
import type { ServerProcess } from '../test/helpers/server-process.js';
import { startChildOn } from './child.js';
import { newPrefix, openWs, sleep, submit, waitTerminal, type PicsiFiles } from './common.js';
import { startSimProcess, type SimProcess } from './sim-process.js';

export interface Deployment {
  redis: RedisServer;
  /** For INFO and memory readings; not used by the servers. */
  admin: Redis;
  sim: SimProcess;
  servers: ServerProcess[];
  prefix: string;
  stop(): Promise<void>;
}

export async function startDeployment(id: string, options: { channels: number; servers: number }): Promise<Deployment> {
  const prefix = newPrefix(id);
  const redis = await startRedisServer();
  // One blob store for every server: any instance runs any job, so each needs the others' inputs.
  const blobDir = mkdtempSync(join(tmpdir(), 'picsi-bench-blobs-'));
  const shared = {
    REDIS_URL: redis.url,
    STORAGE_URL: pathToFileURL(blobDir).href,
    FILES_SIGNING_SECRET: 'bench-deployment-files-signing-secret-0123',
  };
  const started: { sim?: SimProcess; servers: ServerProcess[] } = { servers: [] };
  const stop = async () => {
    await Promise.all(started.servers.map((s) => s.kill()));
    await started.sim?.stop();
    await redis.stop(); // a private process: its keys (all under `prefix`) go with it
    rmSync(blobDir, { recursive: true, force: true });
  };
  try {
    started.sim = await startSimProcess(options.channels);
    const sim = started.sim;
    for (let i = 0; i < options.servers; i++) started.servers.push(await startChildOn(prefix, sim.apiUrl, sim.accounts, shared));
    return { redis, admin: redis.client(), sim, servers: started.servers, prefix, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Warms every server up at bot delay 0: `perServer` jobs each, waited for over graphql-ws. */
export async function warmUp(deployment: Deployment, files: PicsiFiles, perServer: number): Promise<void> {
  await deployment.sim.setBotDelay(0);
  await Promise.all(
    deployment.servers.map(async (server) => {
      const ws = openWs(server.url);
      try {
        for (let i = 0; i < perServer; i++) {
          const job = await submit(server.url, files, { mode: 'QUEUE' });
          const status = await waitTerminal(ws, job.id);
          if (status !== 'COMPLETED') throw new Error(`warm-up job ${job.id} ended ${status}`);
        }
      } finally {
        await ws.dispose();
      }
    }),
  );
}

/** Fields of one INFO section as numbers (non-numeric values dropped). */
export async function redisInfo(admin: Redis, section: string): Promise<Record<string, number>> {
  const text = await admin.info(section);
  const fields: Record<string, number> = {};
  for (const line of text.split('\r\n')) {
    const [key, value] = line.split(':');
    if (key && value !== undefined && value !== '' && !Number.isNaN(Number(value))) fields[key] = Number(value);
  }
  return fields;
}

/** Commands per second Redis runs while the deployment is idle (claim polling, heartbeats, renewals). */
export async function idleCommandRate(admin: Redis, sampleMs: number): Promise<number> {
  const before = (await redisInfo(admin, 'stats'))['total_commands_processed']!;
  const t0 = Date.now();
  await sleep(sampleMs);
  const after = (await redisInfo(admin, 'stats'))['total_commands_processed']!;
  return ((after - before - 1) * 1000) / (Date.now() - t0); // − the INFO call itself
}

/** Calls per command from INFO commandstats (`cmdstat_evalsha:calls=12,...`). */
export async function commandCalls(admin: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await admin.info('commandstats')).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

/** Commands run between two commandstats readings, most frequent first. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  return [...after]
    .map(([name, n]): [string, number] => [name, n - (before.get(name) ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** 0 once the process is gone (the benchmark then fails on its jobs, not on a sampler exception). */
export function rssOrZero(server: ServerProcess): number {
  try {
    return server.rssBytes();
  } catch {
    return 0;
  }
}

/** VmRSS of every server every `intervalMs`; peak per server and the samples so far. */
export function sampleRss(servers: ServerProcess[], intervalMs: number): { peaks: number[]; samples: number[][]; stop(): void } {
  const peaks = servers.map(() => 0);
  const samples: number[][] = [];
  const take = () => {
    const row = servers.map(rssOrZero);
    row.forEach((rss, i) => (peaks[i] = Math.max(peaks[i]!, rss)));
    samples.push(row);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return { peaks, samples, stop: () => clearInterval(timer) };
}

export const mb = (bytes: number) => bytes / 1024 / 1024;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
