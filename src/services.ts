/**
 * The composition root of everything behind the GraphQL server: Discord (real, or the built-in
 * simulator when no account is configured), the driver, the job service (Redis, or in-process when
 * REDIS_URL is unset) and callbacks.
 */
import type { Logger } from 'pino';
import { createAlertSender } from './callbacks/account-alerts.js';
import { createCallbackDispatcher } from './callbacks/index.js';
import type { Config } from './config.js';
import { connectAccounts, doctorCheck, logPacing, resolveDiscord, startDriver } from './composition/discord.js';
import type { DiscordDriver } from './discord/index.js';
import { createJobService, openExecutorStores, type ExecutorStores } from './executor/index.js';
import { filesRouteFor, type FilesRequestHandler } from './http/files-route.js';
import type { GraphQLServerDeps } from './http/app.js';
import type { ReadinessCheck } from './http/server.js';
import type { JobService } from './jobs/job-service.js';
import { resultCopier } from './executor/run/results.js';
import { downloadLinksOf } from './jobs/download-links.js';
import { createPublicOrigin, type PublicOrigin } from './http/public-origin.js';
import { instrumentBlobStore } from './metrics/blob-store.js';
import type { Metrics } from './metrics/instrumentation.js';
import { countChannels, instrumentJobService } from './metrics/job-metrics.js';
import { createMetricsRegistry, type MetricsRegistry } from './metrics/registry.js';
import type { DiscordSimulator } from './simulator/index.js';
import { createBlobStore, type BlobStore } from './storage/index.js';
import { startInputSweep } from './executor/service/input-sweep.js';

export interface Services {
  jobs: JobService;
  /** Job inputs and result copies (STORAGE_URL, or the embedded default under DATA_DIR). */
  blobs: BlobStore;
  readiness: ReadinessCheck[];
  metrics: MetricsRegistry;
  checkReplyUrl(url: string): Promise<void>;
  /** The /files/… route when the blob store's links are served by this server. */
  files: FilesRequestHandler | null;
  /** The built-in simulator when no DISCORD_ACCOUNTS are configured. */
  simulator: DiscordSimulator | null;
  /** Where links made outside a request point (callback bodies): told the server's address once it listens. */
  origin: PublicOrigin;
  close(): Promise<void>;
}

export async function startServices(config: Config, logger: Logger, options: { instanceId?: string } = {}): Promise<Services> {
  // Created first so every part can report to it; its scrape-time sources read the job service
  // (created below; no scrape can come before the server starts).
  const metrics = createMetricsRegistry({
    channels: () => countChannels(jobs),
    accountStates: () => countAccountStates(jobs),
    jobCounts: async () => {
      const [queue, channels] = await Promise.all([stores.coordinator.queueSize(''), countChannels(jobs)]);
      // One job runs per busy channel.
      return { queued: queue.total, running: channels.busy };
    },
  });
  const blobs = instrumentBlobStore(await createBlobStore(config, logger.child({ component: 'storage' })), metrics.metrics);
  if (config.redis.url && !config.storage.url) {
    logger.warn(
      'REDIS_URL is set but STORAGE_URL is not: every instance must share one blob store (a shared directory or s3://), or a job accepted by one instance cannot run on another',
    );
  }
  const discord = await resolveDiscord(config, logger);
  logPacing(config, discord.accounts, logger);
  // Built before the job service: its events reach the service once it exists.
  const { promise: jobsReady, resolve: setJobsReady } = Promise.withResolvers<JobService>();
  const driver = startDriver(config, discord, metrics.metrics, jobsReady, logger);
  const alerts = createAlertSender({
    url: config.accounts.alertUrl,
    callbacks: config.callbacks,
    logger: logger.child({ component: 'alerts' }),
  });

  const stores = await openExecutorStores(config, logger.child({ component: 'executor' }));
  const origin = createPublicOrigin(config.publicUrl, config.port);
  const jobs = await createJobService({
    config,
    coordinator: stores.coordinator,
    driver,
    blobs,
    copyResult: resultCopier(blobs),
    accounts: discord.accounts,
    logger: logger.child({ component: 'executor' }),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    alerts,
    checkAccount: doctorCheck(discord.apiUrl, logger),
  });
  setJobsReady(jobs);
  const instrumented = instrumentJobService(jobs, metrics.metrics);
  const background = startBackground({ config, stores, jobs, blobs, metrics: metrics.metrics, logger, origin, ...options });
  connectAccounts(driver, discord.accounts, logger);

  return {
    jobs: instrumented.jobs,
    metrics,
    blobs,
    files: filesRouteFor(blobs, logger.child({ component: 'files' })),
    simulator: discord.simulator,
    origin,
    checkReplyUrl: (url) => background.callbacks.checkUrl(url),
    readiness: readinessOf(jobs, driver, blobs),
    async close() {
      await background.stopWaking();
      instrumented.stop();
      await jobs.close(config.shutdownTimeoutMs);
      await background.callbacks.close();
      await alerts.close();
      await stores.close();
      await driver.close();
      await discord.simulator?.close();
      await blobs.close();
    },
  };
}

/** Ready once any enabled account's gateway session is, and the blob store answers. */
function readinessOf(jobs: JobService, driver: DiscordDriver, blobs: BlobStore): ReadinessCheck[] {
  return [
    {
      name: 'discord',
      check: async () => {
        const accounts = await jobs.accounts.list();
        return accounts.some((a) => a.enabled && driver.isReady(a.channel));
      },
    },
    { name: 'storage', check: () => blobs.ping() },
  ];
}

interface BackgroundDeps {
  config: Config;
  stores: ExecutorStores;
  jobs: JobService;
  blobs: BlobStore;
  metrics: Metrics;
  logger: Logger;
  /** Where the download links in callback bodies point. */
  origin: PublicOrigin;
  instanceId?: string;
}

/**
 * Callback delivery (the store creates each job's callback task with its terminal state; the
 * dispatcher delivers) and the sweep of orphaned inputs. `stopWaking` stops both wake-ups.
 */
function startBackground({ config, stores, jobs, blobs, metrics, logger, origin, instanceId }: BackgroundDeps) {
  const callbacks = createCallbackDispatcher({
    config: config.callbacks,
    store: stores.callbackStore,
    jobs: {
      get: (id) => jobs.get(id),
      setCallbackState: (id, state) => jobs.setCallbackState(id, state),
      downloadLinks: (job) => downloadLinksOf(jobs, job, origin.get()),
    },
    logger: logger.child({ component: 'callbacks' }),
    onOutcome: (outcome) => metrics.callbackOutcome(outcome),
    ...(instanceId ? { instanceId } : {}),
  });
  const stopWaking = jobs.onTerminal(() => callbacks.wake());
  const sweep = startInputSweep({
    blobs,
    coordinator: stores.coordinator,
    ...config.uploads.sweep,
    logger: logger.child({ component: 'storage' }),
  });
  callbacks.start();
  return {
    callbacks,
    async stopWaking() {
      stopWaking();
      await sweep.stop();
    },
  };
}

/** What the GraphQL server takes from the services (config and logger aside). */
export function serverDepsOf(services: Services): Omit<GraphQLServerDeps, 'config' | 'logger'> {
  return {
    jobs: services.jobs,
    blobs: services.blobs,
    readiness: services.readiness,
    checkReplyUrl: (url) => services.checkReplyUrl(url),
    metrics: services.metrics.registry,
    files: services.files,
    onListening: (url) => services.origin.listening(url),
  };
}

/** Accounts by health state, for /metrics. */
async function countAccountStates(service: Pick<JobService, 'accounts'>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const account of await service.accounts.list()) counts[account.health.state] = (counts[account.health.state] ?? 0) + 1;
  return counts;
}
