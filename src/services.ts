/**
 * The composition root of everything behind the GraphQL server: Discord (real, or the built-in
 * simulator when no account is configured), the driver, the job service (Redis, or in-process when
 * REDIS_URL is unset) and callbacks.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createCallbackDispatcher } from './callbacks/index.js';
import type { Config } from './config.js';
import { createDiscordDriver } from './discord/index.js';
import type { DiscordAccount } from './discord/types.js';
import { createJobService } from './executor/index.js';
import type { ReadinessCheck } from './http/server.js';
import type { JobService } from './jobs/service.js';
import { instrumentJobService, jobServiceSources } from './metrics/job-service.js';
import { createMetricsRegistry, type MetricsRegistry } from './metrics/registry.js';
import { DiscordSimulator } from './simulator/index.js';

export interface Services {
  jobs: JobService;
  readiness: ReadinessCheck[];
  metrics: MetricsRegistry;
  checkReplyUrl(url: string): Promise<void>;
  /** The built-in simulator when no DISCORD_ACCOUNTS are configured. */
  simulator: DiscordSimulator | null;
  close(): Promise<void>;
}

export async function startServices(config: Config, logger: Logger, options: { instanceId?: string } = {}): Promise<Services> {
  const discord = await resolveDiscord(config, logger);
  const driver = createDiscordDriver({ apiUrl: discord.apiUrl, logger: logger.child({ component: 'discord' }), timeoutMs: config.jobs.timeoutMs, globalRequestsPerSecond: config.discord.globalRequestsPerSecond });

  if (!config.redis.url) logger.info('REDIS_URL unset: using the in-process job store (single instance only; jobs are lost on restart)');
  const jobs = await createJobService({
    config,
    redis: config.redis.url ? { url: config.redis.url } : null,
    driver,
    accounts: discord.accounts,
    logger: logger.child({ component: 'executor' }),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  });
  const metrics = createMetricsRegistry(jobServiceSources(jobs));
  const instrumented = instrumentJobService(jobs, metrics.metrics);

  const callbackRedis = config.redis.url ? new Redis(config.redis.url, { maxRetriesPerRequest: 2 }) : null;
  callbackRedis?.on('error', (error: Error) => logger.warn({ err: error.message }, 'callbacks: redis connection error'));
  const callbacks = createCallbackDispatcher({
    config: config.callbacks,
    redis: callbackRedis,
    prefix: config.redis.prefix,
    jobs: { get: (id) => jobs.get(id), setCallbackState: (id, state) => jobs.setCallbackState(id, state) },
    logger: logger.child({ component: 'callbacks' }),
    doneTtlMs: config.jobs.retentionDays * 86_400_000,
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  });
  const stopForwarding = jobs.onTerminal((job) => {
    callbacks.onTerminal(job).catch((error: unknown) => logger.error({ err: error, job: job.id }, 'callbacks: could not schedule the delivery'));
  });
  callbacks.start();

  for (const account of discord.accounts) {
    driver.connect(account).catch((error: unknown) => logger.warn({ err: error, channel: account.channel }, 'discord: gateway session not ready yet'));
  }

  return {
    jobs: instrumented.jobs,
    metrics,
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
    ],
    async close() {
      stopForwarding();
      instrumented.stop();
      await jobs.close(config.shutdownTimeoutMs);
      await callbacks.close();
      callbackRedis?.disconnect();
      await driver.close();
      await discord.simulator?.close();
    },
  };
}

async function resolveDiscord(config: Config, logger: Logger): Promise<{ apiUrl: string; accounts: DiscordAccount[]; simulator: DiscordSimulator | null }> {
  if (config.discord.accounts) return { apiUrl: config.discord.apiUrl, accounts: config.discord.accounts, simulator: null };
  const simulator = await DiscordSimulator.start({ botDelayMs: config.simulator.botDelayMs, logger: logger.child({ component: 'simulator' }) });
  const demo = simulator.createAccount();
  logger.warn(
    { apiUrl: simulator.apiUrl, channel: demo.channelId, botDelayMs: config.simulator.botDelayMs },
    'DISCORD_ACCOUNTS unset: running against the built-in Discord SIMULATOR with one demo account (results are simulated, no real Discord is contacted)',
  );
  return { apiUrl: simulator.apiUrl, accounts: [{ channel: demo.channelId, server: demo.guildId, discord: demo.token, label: 'simulated demo account' }], simulator };
}
