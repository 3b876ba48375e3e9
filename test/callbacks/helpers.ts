/** Test scaffolding for the callback tests: real HTTP receivers, a Map-backed job service, real Redis. */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import type { Config } from '../../src/config.js';
import {
  createCallbackDispatcher,
  toHostedJson,
  type CallbackDispatcher,
  type CallbackDispatcherDeps,
  type CallbackJobAccess,
} from '../../src/callbacks/index.js';
import { createRedisStore } from '../../src/callbacks/redis-store.js';
import { callbackUrlOf, createMemoryStore, type CallbackStore } from '../../src/callbacks/store.js';
import { executorKeys } from '../../src/executor/store/keys.js';
import { isTerminal, type CallbackState, type Job } from '../../src/jobs/model.js';
import { systemClock, type Clock } from '../../src/timing/clock.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Date.now() when the body had arrived. */
  at: number;
}

/** What a receiver answers: a status (and headers), or 'hang' (never answers). */
export type Reply = { status: number; headers?: Record<string, string> } | 'hang';

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1; `reply(n)` decides the answer to the n-th request (0-based). */
export async function startReceiver(reply: (n: number, req: ReceivedRequest) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const n = requests.length;
      requests.push(received);
      const answer = reply(n, received);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A free port with nothing listening on it (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The job service's side, over a Map: what the integrator will implement over Redis. */
export class MapJobs implements CallbackJobAccess {
  readonly jobs = new Map<string, Job>();
  /** Every state set, in order, per job. */
  readonly history = new Map<string, CallbackState[]>();

  add(job: Job): Job {
    this.jobs.set(job.id, structuredClone(job));
    return job;
  }
  async get(id: string): Promise<Job | null> {
    const job = this.jobs.get(id);
    return job ? structuredClone(job) : null;
  }
  async setCallbackState(id: string, state: CallbackState): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    job.callback = { ...state };
    job.version += 1;
    this.history.set(id, [...(this.history.get(id) ?? []), { ...state }]);
  }
  callback(id: string): CallbackState | null {
    return this.jobs.get(id)?.callback ?? null;
  }
}

export function sampleJob(overrides: Partial<Job> = {}): Job {
  return {
    id: `job-${randomUUID()}`,
    verb: 'faceswap-picsi',
    status: 'COMPLETED',
    version: 7,
    owner: 'tok_owner',
    mode: 'QUEUE',
    requestedChannel: null,
    channel: '1200000000000000001',
    server: '1100000000000000001',
    discord: 'MTI…xYz',
    options: '-m',
    sourceImage: { size: 1234, type: 'image/png', filename: 'face.png' },
    targetImage: { size: 5678, type: 'image/gif', filename: 'target.gif' },
    replyUrl: null,
    replyRef: 'order-42',
    created: '2025-01-02T03:04:05.006Z',
    updated: '2025-01-02T03:04:12.345Z',
    startedAt: '2025-01-02T03:04:06.000Z',
    finishedAt: '2025-01-02T03:04:12.345Z',
    messageId: '1300000000000000001',
    content: 'Done!',
    attachments: [
      {
        id: '1400000000000000001',
        contentType: 'image/gif',
        filename: 'result.gif',
        url: 'https://cdn.discordapp.com/attachments/1/2/result.gif?ex=1',
        proxyUrl: 'https://media.discordapp.net/attachments/1/2/result.gif?ex=1',
        size: 99999,
        width: 512,
        height: 512,
      },
    ],
    timestamp: '2025-01-02T03:04:12.000Z',
    code: null,
    error: null,
    errorDetails: null,
    attempt: 1,
    instance: 'instance-a',
    callback: null,
    ...overrides,
  };
}

export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export function callbackConfig(overrides: Partial<Config['callbacks']> = {}): Config['callbacks'] {
  return { secret: newSecret(), defaultUrl: null, maxAttempts: 5, timeoutMs: 1_000, allowHosts: ['127.0.0.1'], ...overrides };
}

/** Fast timings for tests: poll every 10 ms, retries within tens of ms. */
export const FAST = { pollIntervalMs: 10, backoff: { baseMs: 20, capMs: 80 }, leaseMarginMs: 500 } as const;

/** A logger that keeps its lines, to assert on what was logged. */
export function captureLogger(): { logger: Logger; lines: () => { level: number; msg: string }[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    lines: () =>
      out
        .flatMap((l) => l.split('\n'))
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string }),
  };
}

export const silentLogger = (): Logger => pino({ level: 'silent' });

/** A Redis connection and a key prefix of its own; `cleanup` deletes the prefix's keys and disconnects. */
export async function redisForTest(): Promise<{ redis: Redis; prefix: string; cleanup: () => Promise<void> }> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:callbacks:${randomUUID()}:`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      await deleteKeysWithPrefix('redis://127.0.0.1:6379', prefix);
      redis.disconnect();
    },
  };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The system clock's timers with another time: a dispatcher that reads `now()` as its time (as if it ran later). */
export const clockReading = (now: () => number): Clock => ({ ...systemClock, now });

export type HarnessOptions = Partial<Omit<CallbackDispatcherDeps, 'config' | 'store'>> & {
  config?: Partial<Config['callbacks']>;
  /** The in-process store (no Redis) instead of this test's Redis prefix. */
  inMemory?: boolean;
};

/**
 * A dispatcher plus what the executor's store does when a job ends: `onTerminal` creates the job's
 * task (replyUrl or the default URL) and puts PENDING on the job, then wakes the dispatcher. The
 * rest is what its store saw, so a test can await the dispatcher's steps instead of sleeping.
 */
export type TestInstance = CallbackDispatcher & {
  onTerminal(job: Job): Promise<void>;
  /** Resolves once its store shows the job's task finished: no attempt running, none due later. */
  settled(jobId: string): Promise<void>;
  /** Resolves once the dispatcher has looked for due attempts `n` more times. */
  polls(n: number): Promise<void>;
  /** Attempts of the job this instance claimed. */
  claims(jobId: string): number;
  /** How many times it has started looking for due attempts. */
  looks(): number;
};

/** The store, counting its claims and telling who waits for the next look for due attempts. */
function observed(store: CallbackStore) {
  const claimed = new Map<string, number>();
  const waiters = new Set<() => void>();
  const seen = {
    claimed,
    waiters,
    looks: 0,
    store: {
      ...store,
      async claimDue(...args: Parameters<CallbackStore['claimDue']>) {
        seen.looks++;
        const attempts = await store.claimDue(...args);
        for (const { jobId } of attempts) claimed.set(jobId, (claimed.get(jobId) ?? 0) + 1);
        for (const wake of [...waiters]) wake();
        return attempts;
      },
    } satisfies CallbackStore,
  };
  return seen;
}

const DONE_TTL_MS = 31 * 24 * 3600_000;

/**
 * One test's world: a real Redis prefix, the Map job service, receivers and dispatchers ("instances")
 * that `cleanup` closes. Every dispatcher shares the config (secret included) unless overridden.
 */
export async function harness(base: { config?: Partial<Config['callbacks']> } = {}) {
  const { redis, prefix, cleanup: cleanRedis } = await redisForTest();
  const jobs = new MapJobs();
  const config = callbackConfig(base.config);
  const dispatchers: CallbackDispatcher[] = [];
  const receivers: Receiver[] = [];
  const keys = executorKeys(prefix);
  return {
    redis,
    prefix,
    jobs,
    config,
    dispatcher(options: HarnessOptions = {}): TestInstance {
      const { inMemory, ...rest } = options;
      const now = () => (options.clock ?? systemClock).now();
      const seen = observed(
        inMemory ? createMemoryStore({ doneTtlMs: DONE_TTL_MS, now }) : createRedisStore(redis, { prefix, doneTtlMs: DONE_TTL_MS, now }),
      );
      const { store } = seen;
      const merged = { ...config, ...options.config };
      const dispatcher = createCallbackDispatcher({ store, jobs, logger: silentLogger(), ...FAST, ...rest, config: merged });
      dispatchers.push(dispatcher);
      return Object.assign(dispatcher, {
        async onTerminal(job: Job) {
          const url = callbackUrlOf(job, merged.defaultUrl);
          if (!isTerminal(job.status) || !url) return;
          if (await store.create(job.id, url, JSON.stringify(toHostedJson(job)), now())) {
            await jobs.setCallbackState(job.id, { status: 'PENDING', attempts: 0, lastError: null, deliveredAt: null });
          }
          dispatcher.wake();
        },
        async settled(jobId: string) {
          await waitFor(async () => (await store.get(jobId))?.dueAt === null, 5_000, `the task of ${jobId} to finish`);
        },
        polls: (n: number) =>
          new Promise<void>((resolve) => {
            let left = n;
            const wake = () => {
              if (--left > 0) return;
              seen.waiters.delete(wake);
              resolve();
            };
            seen.waiters.add(wake);
          }),
        claims: (jobId: string) => seen.claimed.get(jobId) ?? 0,
        looks: () => seen.looks,
      });
    },
    async receiver(reply?: (n: number, req: ReceivedRequest) => Reply): Promise<Receiver> {
      const receiver = await startReceiver(reply);
      receivers.push(receiver);
      return receiver;
    },
    /** The stored task, straight from Redis. */
    task: (jobId: string) => redis.hgetall(keys.callbackTaskPrefix + jobId),
    dueAt: async (jobId: string) => {
      const score = await redis.zscore(keys.callbackDue, jobId);
      return score === null ? null : Number(score);
    },
    async cleanup() {
      await Promise.all(dispatchers.map((d) => d.close()));
      await Promise.all(receivers.map((r) => r.close()));
      await cleanRedis();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof harness>>;
