/**
 * The composition root of everything behind the GraphQL server: Discord (real, or the built-in
 * simulator when no account is configured), the driver, the job service (Redis, or in-process when
 * REDIS_URL is unset) and callbacks.
 */
import type { Logger } from 'pino';
import { createAlertSender } from './callbacks/account-alerts.js';
import { createCallbackDispatcher } from './callbacks/index.js';
import type { Config } from './config.js';
import { createDiscordDriver } from './discord/index.js';
import type { ForeignCommandEvent } from './discord/foreign-commands.js';
import type { DiscordAccount } from './discord/types.js';
import { createJobService, DEMO_ACCOUNT_LABEL, openExecutorStores, type AccountCheck } from './executor/index.js';
import { isUnpaced, pacingOf } from './jobs/account-pacing.js';
import { checkAccount } from './doctor/runner.js';
import { filesRouteFor, type FilesRequestHandler } from './http/files-route.js';
import type { GraphQLServerDeps } from './http/app.js';
import type { ReadinessCheck } from './http/server.js';
import type { JobService } from './jobs/job-service.js';
import { resultCopier } from './executor/results.js';
import { instrumentBlobStore } from './metrics/blob-store.js';
import { discordRouteOf } from './metrics/instrumentation.js';
import { countChannels, instrumentJobService } from './metrics/job-metrics.js';
import { createMetricsRegistry, type MetricsRegistry } from './metrics/registry.js';
import type { DiscordSimulator } from './simulator/index.js';
import { createBlobStore, type BlobStore } from './storage/index.js';
import { startInputSweep } from './executor/input-sweep.js';

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
  const driver = createDiscordDriver({
    apiUrl: discord.apiUrl,
    logger: logger.child({ component: 'discord' }),
    timeoutMs: config.jobs.timeoutMs,
    globalRequestsPerSecond: config.discord.globalRequestsPerSecond,
    gateway: { onReconnect: () => metrics.metrics.gatewayReconnect() },
    onRateLimited: (path) => metrics.metrics.discordRateLimited(discordRouteOf(path)),
    // Built before the job service: its events reach the service once it exists.
    onForeignCommand: (event) => recordForeignCommand(event, jobsReady, logger),
  });
  const { promise: jobsReady, resolve: setJobsReady } = Promise.withResolvers<Awaited<ReturnType<typeof createJobService>>>();
  const alerts = createAlertSender({
    url: config.accounts.alertUrl,
    callbacks: config.callbacks,
    logger: logger.child({ component: 'alerts' }),
  });

  const stores = await openExecutorStores(config, logger.child({ component: 'executor' }));
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

  // The store creates each job's callback task with its terminal state; the dispatcher delivers.
  const callbacks = createCallbackDispatcher({
    config: config.callbacks,
    store: stores.callbackStore,
    jobs: { get: (id) => jobs.get(id), setCallbackState: (id, state) => jobs.setCallbackState(id, state) },
    logger: logger.child({ component: 'callbacks' }),
    onOutcome: (outcome) => metrics.metrics.callbackOutcome(outcome),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  });
  const stopWaking = jobs.onTerminal(() => callbacks.wake());
  const sweep = startInputSweep({
    blobs,
    coordinator: stores.coordinator,
    ...config.uploads.sweep,
    logger: logger.child({ component: 'storage' }),
  });
  callbacks.start();

  for (const account of discord.accounts) {
    driver
      .connect(account)
      .catch((error: unknown) => logger.warn({ err: error, channel: account.channel }, 'discord: gateway session not ready yet'));
  }

  return {
    jobs: instrumented.jobs,
    metrics,
    blobs,
    files: filesRouteFor(blobs, logger.child({ component: 'files' })),
    simulator: discord.simulator,
    checkReplyUrl: (url) => callbacks.checkUrl(url),
    readiness: [
      {
        name: 'discord',
        check: async () => {
          const accounts = await jobs.accounts.list();
          return accounts.some((a) => a.enabled && driver.isReady(a.channel));
        },
      },
      { name: 'storage', check: () => blobs.ping() },
    ],
    async close() {
      stopWaking();
      await sweep.stop();
      instrumented.stop();
      await jobs.close(config.shutdownTimeoutMs);
      await callbacks.close();
      await alerts.close();
      await stores.close();
      await driver.close();
      await discord.simulator?.close();
      await blobs.close();
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
  };
}

async function resolveDiscord(
  config: Config,
  logger: Logger,
): Promise<{ apiUrl: string; accounts: DiscordAccount[]; simulator: DiscordSimulator | null }> {
  if (config.discord.accounts) return { apiUrl: config.discord.apiUrl, accounts: config.discord.accounts, simulator: null };
  // Loaded only when it is used: a server with real accounts never imports the simulator.
  const { DiscordSimulator } = await import('./simulator/index.js');
  const simulator = await DiscordSimulator.start({
    botDelayMs: config.simulator.botDelayMs,
    logger: logger.child({ component: 'simulator' }),
  });
  const demo = simulator.addDemoAccount();
  logger.warn(
    { apiUrl: simulator.apiUrl, channel: demo.channelId, botDelayMs: config.simulator.botDelayMs },
    'DISCORD_ACCOUNTS unset: running against the built-in Discord SIMULATOR with one demo account, the same at every start (results are simulated, no real Discord is contacted)',
  );
  return {
    apiUrl: simulator.apiUrl,
    // A simulated account needs no protection from bans: no pacing (logged by logPacing).
    accounts: [{ channel: demo.channelId, server: demo.guildId, discord: demo.token, label: DEMO_ACCOUNT_LABEL, minGapMs: 0, jitterMs: 0 }],
    simulator,
  };
}

/** A command this server did not send in an account's channel: logged, and the channel held until it is answered. */
function recordForeignCommand(event: ForeignCommandEvent, jobs: Promise<JobService>, logger: Logger): void {
  jobs
    .then((service) => service.accounts.foreignCommand(event.channel, event.interactionId, event.running))
    .then((recorded) => {
      if (recorded && event.running)
        logger.warn(
          { channel: event.channel, ...event.evidence },
          "a command this server did not send runs in an account's channel: no job starts there until the bot answered it",
        );
    })
    .catch((error: unknown) => logger.warn({ err: error, channel: event.channel }, 'could not record a foreign command'));
}

/** resumeAccount's check: `npm run doctor`'s checks of that one account; the first failing check's fix. */
function doctorCheck(apiUrl: string, logger: Logger): AccountCheck {
  return async (account) => {
    const report = await checkAccount(account, { apiUrl, accounts: [account], simulator: false, timeoutMs: 10_000, logger });
    const failed = Object.entries(report.checks).find(([, outcome]) => outcome.status === 'fail');
    return failed ? `${failed[0]}: ${failed[1].fix ?? failed[1].summary}` : null;
  };
}

/** One line at start: which accounts run without pacing (the simulator's demo account, benchmarks) and which are paced. */
function logPacing(config: Config, accounts: readonly DiscordAccount[], logger: Logger): void {
  const unpaced = accounts.filter((a) => isUnpaced(pacingOf(a, config.accounts.pacing))).map((a) => a.label ?? a.channel);
  const paced = accounts.length - unpaced.length;
  // The simulator's demo account is unpaced by design (nothing to protect): said, not warned about.
  if (unpaced.length > 0)
    logger[config.discord.accounts ? 'warn' : 'info'](
      { accounts: unpaced },
      `account pacing is OFF for ${unpaced.length} account(s): commands follow each other at once`,
    );
  if (paced > 0) logger.info({ pacing: config.accounts.pacing }, `account pacing on for ${paced} account(s)`);
}

/** Accounts by health state, for /metrics. */
async function countAccountStates(service: Pick<JobService, 'accounts'>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const account of await service.accounts.list()) counts[account.health.state] = (counts[account.health.state] ?? 0) + 1;
  return counts;
}
