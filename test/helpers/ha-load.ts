/**
 * A load through real server processes for the Redis high-availability tests: several instances on
 * one simulator, jobs submitted round-robin (retried while the store answers SERVICE_UNAVAILABLE),
 * each followed by a graphql-ws subscriber on another instance until it is terminal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { collect, PICSI_MUTATION, postJson, postMultipart, wsClient } from './graphql-http.js';
import { makePng } from './images.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export interface JobState {
  id: string;
  status: string;
  code: string | null;
  version: number;
}

export interface Fleet {
  simulator: DiscordSimulator;
  accounts: SimulatedAccount[];
  servers: ServerProcess[];
  /** Where the servers spool images (a file left there belongs to a job that never ended). */
  spoolDir: string;
  /** The blob store every server shares (inputs and results): any instance may run any job. */
  blobDir: string;
  stop(): Promise<void>;
}

/** `redisEnv`: REDIS_CLUSTER_NODES or REDIS_SENTINELS + REDIS_SENTINEL_NAME (and REDIS_PREFIX). */
export async function startFleet(
  redisEnv: Record<string, string>,
  options: { instances: number; channels: number; botDelayMs: number; jobTimeoutMs?: number },
): Promise<Fleet> {
  const simulator = await DiscordSimulator.start({ botDelayMs: options.botDelayMs });
  const accounts = Array.from({ length: options.channels }, () => simulator.createAccount({ credits: 1_000_000 }));
  const spoolDir = mkdtempSync(join(tmpdir(), 'picsi-ha-spool-'));
  const blobDir = mkdtempSync(join(tmpdir(), 'picsi-ha-blobs-'));
  const env = {
    ...redisEnv,
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify(accounts.map((a) => ({ channel: a.channelId, server: a.guildId, discord: a.token }))),
    LEASE_TTL_MS: '1500',
    REAPER_INTERVAL_MS: '200',
    JOB_TIMEOUT_MS: String(options.jobTimeoutMs ?? 10_000),
    CREDITS_PER_DAY: '1000000',
    QUEUE_MAX_PER_TOKEN: '1000',
    SHUTDOWN_TIMEOUT_MS: '500',
    UPLOAD_DIR: spoolDir,
    STORAGE_URL: pathToFileURL(blobDir).href,
    // One link secret for all, so a download link from one instance works on every other.
    FILES_SIGNING_SECRET: 'ha-fleet-files-signing-secret-0123456789',
  };
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < options.instances; i++) servers.push(await startServerProcess(env, { startTimeoutMs: 30_000 }));
  } catch (error) {
    await Promise.all(servers.map((s) => s.kill('SIGKILL')));
    await simulator.close();
    throw error;
  }
  return {
    simulator,
    accounts,
    servers,
    spoolDir,
    blobDir,
    async stop() {
      await Promise.all(servers.map((s) => s.kill('SIGKILL')));
      await simulator.close();
      rmSync(spoolDir, { recursive: true, force: true });
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

/** How many submissions were refused before one was accepted, by code. */
export type Refusals = Record<string, number>;

/** Submits one job to `url`; a SERVICE_UNAVAILABLE (a failover in progress) is retried after its Retry-After. */
export async function submitJob(url: string, refusals: Refusals): Promise<string> {
  const png = await makePng(16, 16);
  const files = {
    'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
    'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
  };
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await postMultipart<{ picsi: { id: string } }>(
      url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null } },
      files,
    );
    const id = res.body.data?.picsi.id;
    if (id) return id;
    const reported = res.body.errors?.[0]?.extensions?.['code'];
    const code = typeof reported === 'string' ? reported : `HTTP ${res.status}`;
    refusals[code] = (refusals[code] ?? 0) + 1;
    if (code !== 'SERVICE_UNAVAILABLE') throw new Error(`picsi refused: ${JSON.stringify(res.body.errors)}`);
    // The client's retry policy (Retry-After), not a synchronisation.
    await delay(Number(res.body.errors?.[0]?.extensions?.['retryAfter'] ?? 1) * 250);
  }
  throw new Error('picsi still refused after 60 attempts');
}

const FOLLOW = 'subscription ($id: ID!) { jobUpdated(id: $id) { id status code version } }';

export interface Followed {
  events: JobState[];
  resubscriptions: number;
  /** The store answered NOT_FOUND: the job's record is gone (its creation was lost). */
  missing: boolean;
}

/**
 * Follows a job until a subscription ends on a terminal state; a subscription that ends otherwise
 * (its socket or the server failed, the store was unavailable) is opened again on the next server:
 * it starts with the current state, so nothing is missed. `onTerminal` is called once, when the
 * first terminal state arrives.
 */
export async function followJob(urls: string[], id: string, first: number, onTerminal?: (job: JobState) => void): Promise<Followed> {
  const events: JobState[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const client = wsClient(urls[(first + attempt) % urls.length]!);
    const { results, errors } = await collect<{ jobUpdated: JobState }>(client, FOLLOW, { id });
    await client.dispose();
    events.push(...results.map((r) => r.jobUpdated));
    const last = events.at(-1);
    if (last && TERMINAL.has(last.status)) {
      onTerminal?.(last);
      return { events, resubscriptions: attempt, missing: false };
    }
    if (JSON.stringify(errors).includes('NOT_FOUND')) return { events, resubscriptions: attempt, missing: true };
  }
  throw new Error(`job ${id}: no terminal state after 20 subscriptions (last: ${JSON.stringify(events.at(-1))})`);
}

export async function storedJob(url: string, id: string): Promise<JobState> {
  const res = await postJson<{ job: JobState | null }>(url, 'query ($id: ID!) { job(id: $id) { id status code version } }', { id });
  if (!res.body.data?.job) throw new Error(`job ${id} not found: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.job;
}

export const maxInFlight = (fleet: Fleet) => fleet.accounts.map((a) => fleet.simulator.stats(a.channelId).maxInFlight);

/** `more(count)` resolves once `count` more jobs reached a terminal state (as their subscribers saw it); `seen()` counts them. */
export function terminalCounter(): { onTerminal: () => void; more: (count: number) => Promise<void>; seen: () => number } {
  let seen = 0;
  const waiters: { at: number; resolve: () => void }[] = [];
  return {
    onTerminal: () => {
      seen++;
      for (const w of waiters.filter((w) => seen >= w.at)) w.resolve();
    },
    more: (count) => new Promise<void>((resolve) => void waiters.push({ at: seen + count, resolve })),
    seen: () => seen,
  };
}

export interface Settled {
  id: string;
  /** The subscription opened when the job was submitted. */
  first: Followed;
  /** A second one, opened once the first ended: it starts with the stored state. */
  final: Followed;
}

/**
 * Waits for every first subscription, then follows each job again until it is terminal: a job
 * whose terminal write a failover rolled back is followed until it is settled again.
 */
export async function settle(urls: string[], runs: { id: string; followed: Promise<Followed> }[]): Promise<Settled[]> {
  const first = await Promise.all(runs.map(async (r) => ({ id: r.id, first: await r.followed })));
  return Promise.all(first.map(async (r, i) => ({ ...r, final: r.first.missing ? r.first : await followJob(urls, r.id, i) })));
}

export const sameState = (a: JobState | undefined, b: JobState | undefined) => a?.status === b?.status && a?.version === b?.version;

/** What a failover did to the jobs: those gone, the stored outcomes, the terminal states rolled back. */
export function summarize(settled: Settled[]) {
  const missing = settled.filter((r) => r.final.missing).map((r) => r.id);
  const stored = settled.filter((r) => !r.final.missing).map((r) => r.final.events.at(-1)!);
  const rolledBack = settled.filter((r) => !r.final.missing && !sameState(r.first.events.at(-1), r.final.events.at(-1)));
  const outcomes: Record<string, number> = {};
  for (const job of stored) {
    const outcome = job.status === 'COMPLETED' ? job.status : `${job.status} ${job.code}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  const describe = (j: JobState | undefined) => `${j?.status}${j?.code ? ` ${j.code}` : ''} v${j?.version}`;
  return {
    missing,
    stored,
    rolledBack,
    outcomes,
    rolledBackLog: rolledBack.map((r) => `${describe(r.first.events.at(-1))} -> ${describe(r.final.events.at(-1))}`),
  };
}

/** The servers' warn and error lines, to diagnose a failure. */
export function printServerWarnings(fleet: Fleet): void {
  for (const server of fleet.servers)
    console.log(
      server.logs
        .filter((l) => /"level":(40|50)/.test(l))
        .map((l) => l.slice(0, 600))
        .join('\n'),
    );
}
