import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DiscordAccount, PicsiDriver } from '../discord/types.js';
import type { JobService } from '../jobs/service.js';
import type { BlobStore } from '../storage/blob-store.js';
import { startJobService } from './job-service.js';
import { createMemoryCoordinator } from './memory-coordinator.js';
import { createRedisCoordinator } from './redis-coordinator.js';
import type { CopyRemote } from './results.js';

export interface CreateJobServiceDeps {
  config: Config;
  /** null → the in-process coordinator (single instance). */
  redis: { url: string } | null;
  driver: PicsiDriver;
  blobs: BlobStore;
  copyResult: CopyRemote;
  /** Accounts from configuration, upserted at start (their runtime state is kept). */
  accounts: DiscordAccount[];
  logger: Logger;
  instanceId?: string;
}

export async function createJobService(deps: CreateJobServiceDeps): Promise<JobService & { instanceId: string }> {
  const coordinator = deps.redis ? await createRedisCoordinator({ url: deps.redis.url, prefix: deps.config.redis.prefix, logger: deps.logger, leaseTtlMs: deps.config.jobs.leaseTtlMs }) : createMemoryCoordinator();
  for (const account of deps.accounts) await coordinator.upsertAccount(account, { keepState: true });
  return startJobService({ config: deps.config, coordinator, driver: deps.driver, blobs: deps.blobs, copyResult: deps.copyResult, logger: deps.logger, configuredAccounts: deps.accounts, ...(deps.instanceId ? { instanceId: deps.instanceId } : {}) });
}
