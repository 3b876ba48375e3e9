import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DiscordAccount, PicsiDriver } from '../discord/types.js';
import type { JobService } from '../jobs/service.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Coordinator } from './coordinator.js';
import { startJobService } from './job-service.js';
import type { CopyRemote } from './results.js';

export { openExecutorStores, type ExecutorStores } from './stores.js';

export interface CreateJobServiceDeps {
  config: Config;
  coordinator: Coordinator;
  driver: PicsiDriver;
  blobs: BlobStore;
  copyResult: CopyRemote;
  /** Accounts from configuration, upserted at start (their runtime state is kept). */
  accounts: DiscordAccount[];
  logger: Logger;
  instanceId?: string;
}

export async function createJobService(deps: CreateJobServiceDeps): Promise<JobService & { instanceId: string }> {
  const { coordinator } = deps;
  for (const account of deps.accounts) await coordinator.upsertAccount(account, { keepState: true });
  return startJobService({
    config: deps.config,
    coordinator,
    driver: deps.driver,
    blobs: deps.blobs,
    copyResult: deps.copyResult,
    logger: deps.logger,
    configuredAccounts: deps.accounts,
    ...(deps.instanceId ? { instanceId: deps.instanceId } : {}),
  });
}
