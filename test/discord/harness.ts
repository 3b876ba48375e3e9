/**
 * Test harness for the Discord driver: an in-process simulator (bot delay 0), spooled sample
 * images on disk, a driver pointed at the simulator whose logs are captured, and leak checks.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createDiscordDriver } from '../../src/discord/index.js';
import type { DiscordDriver, DiscordDriverOptions } from '../../src/discord/index.js';
import type { DiscordAccount, PicsiCommand, UploadInput } from '../../src/discord/types.js';
import { DiscordSimulator } from '../../src/simulator/index.js';
import type { SimulatedAccount, SimulatorOptions } from '../../src/simulator/index.js';
import { makeImage } from '../helpers/images.js';

export interface Harness {
  sim: DiscordSimulator;
  account: SimulatedAccount;
  driver: DiscordDriver;
  /** Every log line the driver wrote, as text. */
  logs: string[];
  command(overrides?: Partial<PicsiCommand>): PicsiCommand;
  accountFor(sim: SimulatedAccount): DiscordAccount;
  /** Requests to the simulator that arrived after `at` (performance.now()). */
  requestsAfter(at: number): readonly { method: string; path: string; at: number }[];
  close(): Promise<void>;
}

let files: { dir: string; source: UploadInput; target: UploadInput } | undefined;

/** Two real images on disk, spooled the way the upload layer leaves them. */
export async function spooledImages(): Promise<{ source: UploadInput; target: UploadInput }> {
  if (files) return files;
  const dir = await mkdtemp(join(tmpdir(), 'picsi-driver-test-'));
  const source = await makeImage(64, 64, 'png', '#aa5533');
  const target = await makeImage(120, 90, 'jpeg');
  await writeFile(join(dir, 'face.png'), source);
  await writeFile(join(dir, 'scene.jpg'), target);
  files = {
    dir,
    source: fileInput(join(dir, 'face.png'), 'face.png', source.length, 'image/png'),
    target: fileInput(join(dir, 'scene.jpg'), 'scene.jpg', target.length, 'image/jpeg'),
  };
  return files;
}

/** An upload read from a file on disk. */
export const fileInput = (path: string, filename: string, size: number, contentType: string): UploadInput => ({
  filename,
  size,
  contentType,
  open: async () => createReadStream(path),
});

export async function removeSpooledImages(): Promise<void> {
  if (files) await rm(files.dir, { recursive: true, force: true });
  files = undefined;
}

let jobCounter = 0;

export async function startHarness(
  opts: {
    sim?: SimulatorOptions;
    driver?: Partial<DiscordDriverOptions>;
    account?: Partial<SimulatedAccount>;
    /** Open the account's gateway session first, so short timeouts only cover the job itself. */
    connect?: boolean;
  } = {},
): Promise<Harness> {
  const sim = await DiscordSimulator.start({ botDelayMs: 0, ...opts.sim });
  const account = sim.createAccount(opts.account);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const driver = createDiscordDriver({
    apiUrl: sim.apiUrl,
    logger: pino({ level: 'trace' }, sink),
    timeoutMs: 10_000,
    gateway: { reconnect: { initialMs: 50, maxMs: 500 }, invalidSessionDelayMs: { min: 10, max: 50 } },
    historyPollMs: 100,
    ...opts.driver,
  });
  const images = await spooledImages();
  const accountFor = (a: SimulatedAccount): DiscordAccount => ({
    channel: a.channelId,
    server: a.guildId,
    discord: a.token,
    label: 'test',
  });
  if (opts.connect) await driver.connect(accountFor(account));
  return {
    sim,
    account,
    driver,
    logs,
    accountFor,
    command: (overrides = {}) => ({
      jobId: `job-${++jobCounter}`,
      account: accountFor(account),
      options: null,
      source: images.source,
      target: images.target,
      ...overrides,
    }),
    requestsAfter: (at) => sim.requests.filter((r) => r.at > at),
    close: async () => {
      await driver.close();
      await sim.close();
    },
  };
}

export const never = (): AbortSignal => new AbortController().signal;

/** performance.now(), the clock the simulator stamps requests with. */
export const mark = (): number => performance.now();

/** Resolves when `check` holds, polling every 5 ms. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Counts of active handles by type (sockets, timers…), minus those of `baseline`. */
export function resourceDelta(baseline: readonly string[]): Record<string, number> {
  const count = (list: readonly string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of list) m.set(r, (m.get(r) ?? 0) + 1);
    return m;
  };
  const before = count(baseline);
  const delta: Record<string, number> = {};
  for (const [type, n] of count(process.getActiveResourcesInfo())) {
    const d = n - (before.get(type) ?? 0);
    if (d > 0) delta[type] = d;
  }
  return delta;
}
