import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DiscordAccount, CommandDriver } from '../discord/types.js';
import type { JobService } from '../jobs/job-service.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { AlertSink } from './account-health.js';
import { reconcileAccounts } from './account-reconcile.js';
import type { AccountCheck } from './accounts.js';
import type { Coordinator } from './store/port.js';
import { startJobService } from './service/start-job-service.js';
import type { CopyRemote } from './run/results.js';

export { DEMO_ACCOUNT_LABEL } from './account-reconcile.js';
export type { AccountAlert, AlertSink } from './account-health.js';
export type { AccountCheck } from './accounts.js';

export { openExecutorStores, type ExecutorStores } from './store/open-stores.js';

export interface CreateJobServiceDeps {
  config: Config;
  coordinator: Coordinator;
  driver: CommandDriver;
  blobs: BlobStore;
  copyResult: CopyRemote;
  /** Accounts from configuration: the store is reconciled with them at start (their runtime state is kept). */
  accounts: DiscordAccount[];
  logger: Logger;
  instanceId?: string;
  alerts?: AlertSink;
  checkAccount?: AccountCheck;
}

export async function createJobService(deps: CreateJobServiceDeps): Promise<JobService & { instanceId: string }> {
  const { coordinator } = deps;
  await reconcileAccounts(coordinator, deps.accounts, deps.logger);
  return startJobService({
    config: deps.config,
    coordinator,
    driver: deps.driver,
    blobs: deps.blobs,
    copyResult: deps.copyResult,
    logger: deps.logger,
    configuredAccounts: deps.accounts,
    ...(deps.instanceId ? { instanceId: deps.instanceId } : {}),
    ...(deps.alerts ? { alerts: deps.alerts } : {}),
    ...(deps.checkAccount ? { checkAccount: deps.checkAccount } : {}),
  });
}
