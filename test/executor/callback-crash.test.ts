/**
 * Callbacks at least once: a process SIGKILLed right after a job's terminal write (before anything
 * else could run) still gets the job's callback delivered, by another instance (Redis) or by the
 * restarted one (embedded), because the task was written in the same atomic step.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackDispatcher, type CallbackDispatcher } from '../../src/callbacks/index.js';
import { loadConfig } from '../../src/config.js';
import { openExecutorStores, type ExecutorStores } from '../../src/executor/store/open-stores.js';
import { callbackConfig, MapJobs, startReceiver, waitFor, type Receiver } from '../callbacks/helpers.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';
import { REDIS_URL } from './coordinator-backends.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/terminal-then-die.ts', import.meta.url));

function runDyingProcess(env: Record<string, string>): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function deliverFrom(
  env: Record<string, string>,
  receiver: Receiver,
): Promise<{ stores: ExecutorStores; dispatcher: CallbackDispatcher; jobs: MapJobs }> {
  const { config } = loadConfig({ ACCOUNT_MIN_GAP_MS: '0', ACCOUNT_JITTER_MS: '0', LOG_LEVEL: 'silent', ...env });
  const stores = await openExecutorStores(config, pino({ level: 'silent' }));
  const jobs = new MapJobs();
  const dispatcher = createCallbackDispatcher({
    config: callbackConfig(),
    store: stores.callbackStore,
    jobs,
    logger: pino({ level: 'silent' }),
    pollIntervalMs: 20,
  });
  cleanups.push(async () => {
    await dispatcher.close();
    await stores.coordinator.close();
    await stores.close();
    await receiver.close();
  });
  return { stores, dispatcher, jobs };
}

describe.each([
  [
    'redis',
    () => {
      const prefix = `test:crash:${randomUUID()}:`;
      cleanups.push(async () => void (await deleteKeysWithPrefix(REDIS_URL, prefix)));
      return { STORE: 'redis', REDIS_URL, REDIS_PREFIX: prefix };
    },
  ],
  [
    'embedded',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'picsi-crash-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { STORE: 'embedded', DATA_DIR: dir };
    },
  ],
] as const)('a process killed right after the terminal write (%s)', (_name, storeEnv) => {
  it('the callback is still delivered, by the next instance', async () => {
    const env = storeEnv();
    const receiver = await startReceiver();
    const jobId = `crash-${randomUUID()}`;
    expect(await runDyingProcess({ ...env, REPLY_URL: receiver.url, JOB_ID: jobId })).toBe('SIGKILL');

    const { REDIS_URL: url, REDIS_PREFIX: prefix, DATA_DIR: dataDir } = env as Record<string, string | undefined>;
    const { stores, dispatcher, jobs } = await deliverFrom(
      { ...(url ? { REDIS_URL: url, REDIS_PREFIX: prefix! } : { DATA_DIR: dataDir! }) },
      receiver,
    );
    const stored = await stores.coordinator.getJob(jobId);
    expect(stored).toMatchObject({ status: 'COMPLETED', callback: { status: 'PENDING' } });
    jobs.add(stored!);
    dispatcher.start();
    await waitFor(() => receiver.requests.length === 1, 10_000, 'the callback');
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ jobid: jobId, status: 'completed', content: 'done' });
    await waitFor(() => jobs.callback(jobId)?.status === 'DELIVERED', 5_000, 'the delivery recorded');
  });
});
