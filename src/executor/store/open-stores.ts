/**
 * Opens the executor's store and the callback task store behind it, sharing their state so a
 * terminal write and its callback task are one atomic step: Redis (REDIS_URL, REDIS_SENTINELS or
 * REDIS_CLUSTER_NODES: any number of instances; every connection from src/redis/connect.ts) or
 * embedded (in-process, journaled under DATA_DIR/jobs: a single instance).
 */
import type { Logger } from 'pino';
import { createRedisStore } from '../../callbacks/redis-store.js';
import { createMemoryStore, type CallbackStore, type MemoryTask } from '../../callbacks/store.js';
import type { Config } from '../../config.js';
import { createRedisClient } from '../../redis/connect.js';
import type { CallbackTaskRule, Coordinator } from './port.js';
import { openJournal } from './embedded/disk-journal.js';
import { createMemoryCoordinator } from './embedded/coordinator.js';
import { createRedisCoordinator } from './redis/coordinator.js';

export interface ExecutorStores {
  coordinator: Coordinator;
  callbackStore: CallbackStore;
  /** Closes what the coordinator does not (the callback store's connection). */
  close(): Promise<void>;
}

export async function openExecutorStores(config: Config, logger: Logger, now: () => number = Date.now): Promise<ExecutorStores> {
  const callbacks: CallbackTaskRule = { defaultUrl: config.callbacks.defaultUrl, doneTtlMs: config.jobs.retentionDays * 86_400_000 };
  const redis = config.redis.connection;
  if (redis) {
    const coordinator = await createRedisCoordinator({
      redis,
      prefix: config.redis.prefix,
      logger,
      leaseTtlMs: config.jobs.leaseTtlMs,
      retentionDays: config.jobs.retentionDays,
      callbacks,
      now,
    });
    const connection = createRedisClient(redis, 'callbacks', { connectionName: 'picsi:callbacks', lazyConnect: false });
    connection.on('error', (error: Error) => logger.warn({ err: error.message }, 'callbacks: redis connection error'));
    logger.info({ mode: redis.mode }, 'job store: Redis');
    return {
      coordinator,
      callbackStore: createRedisStore(connection, { prefix: config.redis.prefix, doneTtlMs: callbacks.doneTtlMs, now }),
      close: async () => connection.disconnect(),
    };
  }
  const journal = openJournal(config.dataDir, {
    now,
    encryptionKey: config.accountsEncryptionKey,
    onSkipped: ({ count, first }) => logger.warn({ skipped: count, first }, `journal: skipped ${count} invalid lines at replay`),
  });
  const callbackStore = createMemoryStore({
    doneTtlMs: callbacks.doneTtlMs,
    now,
    initial: journal.callbackTasks as Map<string, MemoryTask>,
    onChange: (jobId, task) => {
      journal.callbackTask(jobId, task);
      journal.flush();
    },
  });
  const coordinator = createMemoryCoordinator({ now, journal, callbacks, callbackTasks: callbackStore });
  logger.info(
    { dataDir: config.dataDir, jobs: journal.state.jobs.size },
    'no Redis configured: embedded job store, journaled under DATA_DIR/jobs (single instance)',
  );
  return { coordinator, callbackStore, close: async () => journal.close() };
}
