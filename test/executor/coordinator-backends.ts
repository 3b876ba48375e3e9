/**
 * The coordinators under test, built the way src/executor/store/open-stores.ts builds them: Redis (the shared
 * redis-server on 6379, a unique prefix, its keys deleted at the end) and embedded (a temp DATA_DIR,
 * removed at the end). Each comes with its callback task store, to read the task a terminal write made.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createRedisStore } from '../../src/callbacks/redis-store.js';
import { createMemoryStore, type CallbackStore, type MemoryTask } from '../../src/callbacks/store.js';
import {
  STORE_LOST,
  utcDay,
  type CallbackTaskRule,
  type ClaimRequest,
  type ClaimResult,
  type Claimed,
  type Coordinator,
} from '../../src/executor/store/port.js';
import { openJournal, type Journal } from '../../src/executor/store/embedded/disk-journal.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { createRedisCoordinator } from '../../src/executor/store/redis/coordinator.js';
import { singleRedis } from '../../src/redis/settings.js';
import type { Job } from '../../src/jobs/model.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';
import { queuedJobRecord } from '../helpers/jobs.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

export interface Backend {
  /** A second view of the same store (another instance on Redis; the same object when embedded). */
  open(): Promise<Coordinator>;
  callbacks: CallbackStore;
  /** Embedded only: closes the store as a killed process would leave it, and opens it again. */
  reopen?: () => Promise<Coordinator>;
  /** Redis only: deletes every key, as a Redis restart without persistence would. */
  loseData?: () => Promise<void>;
  cleanup(): Promise<void>;
}

export type BackendFactory = (callbacks?: Partial<CallbackTaskRule>) => Promise<Backend>;

const rule = (callbacks: Partial<CallbackTaskRule> = {}): CallbackTaskRule => ({ defaultUrl: null, doneTtlMs: 60_000, ...callbacks });

export const redisBackend: BackendFactory = async (callbacks) => {
  const prefix = `test:contract:${randomUUID()}:`;
  const opened: Coordinator[] = [];
  const connection = new Redis(REDIS_URL);
  const open = async () => {
    const coordinator = await createRedisCoordinator({
      redis: singleRedis(REDIS_URL),
      prefix,
      logger,
      leaseTtlMs: 1000,
      callbacks: rule(callbacks),
    });
    opened.push(coordinator);
    return coordinator;
  };
  return {
    open,
    callbacks: createRedisStore(connection, { prefix, doneTtlMs: 60_000, now: Date.now }),
    loseData: async () => void (await deleteKeysWithPrefix(REDIS_URL, prefix)),
    async cleanup() {
      await Promise.all(opened.map((c) => c.close()));
      connection.disconnect();
      await deleteKeysWithPrefix(REDIS_URL, prefix);
    },
  };
};

export const embeddedBackend: BackendFactory = async (callbacks) => {
  const dir = mkdtempSync(join(tmpdir(), 'picsi-contract-'));
  let journal: Journal;
  let coordinator: Coordinator;
  const backend: Backend = {
    open: async () => coordinator,
    callbacks: undefined as unknown as CallbackStore,
    reopen: async () => {
      journal.close();
      start();
      return coordinator;
    },
    async cleanup() {
      await coordinator.close();
      journal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const start = () => {
    journal = openJournal(dir);
    const store = createMemoryStore({
      doneTtlMs: 60_000,
      now: Date.now,
      initial: journal.callbackTasks as Map<string, MemoryTask>,
      onChange: (id, task) => {
        journal.callbackTask(id, task);
        journal.flush();
      },
    });
    backend.callbacks = store;
    coordinator = createMemoryCoordinator({ journal, callbacks: rule(callbacks), callbackTasks: store });
  };
  start();
  return backend;
};

let sequence = 0;
/** A new QUEUED job; `created` strictly increases from one call to the next. */
/** Both stores, named, for `describe.each`: every store suite runs against each. */
export const BACKENDS: [string, BackendFactory][] = [
  ['redis', redisBackend],
  ['embedded', embeddedBackend],
];

export function newJob(overrides: Partial<Job> = {}): Job {
  const created = new Date(Date.UTC(2026, 11, 1) + sequence++ * 1000).toISOString();
  // Without `command` and `inputs`, as a holder that records no commands writes them: the contract
  // covers that case too (a test sets them where it needs them).
  const {
    command: _command,
    inputs: _inputs,
    ...record
  } = queuedJobRecord(`j${String(sequence).padStart(6, '0')}${randomUUID().slice(0, 8)}`, created);
  return { ...record, ...overrides };
}

let tokens = 0;
/** A claim with a lease that outlives a test's steps on a loaded machine, 1000 credits a day, cost 3. */
export function claimRequest(channel: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  const nowMs = Date.now();
  return {
    channel,
    instance: 'instance-b',
    token: `t${++tokens}`,
    ttlMs: 60_000,
    nowMs,
    day: utcDay(nowMs),
    creditCost: 3,
    creditsPerDay: 1000,
    start: { server: 'srv', discord: 'abc…xyz', startedAt: new Date(nowMs).toISOString() },
    lost: { patch: { status: 'FAILED', code: 'EXECUTOR_LOST', error: 'lost' }, retentionSec: 60, jobTimeoutMs: 60_000 },
    ...overrides,
  };
}

export const claimed = (result: ClaimResult): Claimed => {
  if (result === STORE_LOST || !('job' in result)) throw new Error(`expected a claim, got ${JSON.stringify(result)}`);
  return result;
};
