/**
 * The whole product on loopback for end-to-end tests: a Discord simulator, the real services
 * (driver, executor, store: in-process, or Redis when REDIS_URL is given) and the GraphQL server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { startGraphQLServer, type RunningServer } from '../../src/http/app.js';
import { serverDepsOf, startServices, type Services } from '../../src/services.js';
import { DiscordSimulator, type SimulatedAccount } from '../../src/simulator/index.js';
import { deleteKeysWithPrefix } from './redis-keys.js';

/** Read once at import: a test may point TMPDIR at a folder whose leftovers it counts. */
const TEMP_ROOT = tmpdir();

export interface StackOptions {
  /** Extra environment variables (REDIS_URL, API_TOKENS, UPLOAD_MAX_FILE_BYTES…). */
  env?: Record<string, string>;
  /** Share a simulator between stacks (two instances on one Discord). */
  simulator?: DiscordSimulator;
  accounts?: SimulatedAccount[];
  channels?: number;
  botDelayMs?: number;
}

export interface Stack {
  url: string;
  simulator: DiscordSimulator;
  accounts: SimulatedAccount[];
  config: Config;
  services: Services;
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulator = options.simulator ?? (await DiscordSimulator.start({ botDelayMs: options.botDelayMs ?? 0 }));
  const accounts = options.accounts ?? Array.from({ length: options.channels ?? 1 }, () => simulator.createAccount());
  // Without Redis the embedded store journals under DATA_DIR: each stack gets its own (removed at stop).
  const dataDir = options.env?.['DATA_DIR'] ?? mkdtempSync(join(TEMP_ROOT, 'picsi-stack-'));
  const { config } = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    SHUTDOWN_TIMEOUT_MS: '500',
    DISCORD_API_URL: simulator.apiUrl,
    // Simulated accounts: no pacing unless a test sets it.
    ACCOUNT_MIN_GAP_MS: '0',
    ACCOUNT_JITTER_MS: '0',
    DISCORD_ACCOUNTS: JSON.stringify(
      accounts.map((a) => ({ channel: a.channelId, server: a.guildId, discord: a.token, ...(a.plan ? { plan: a.plan } : {}) })),
    ),
    ...options.env,
  });
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const services = await startServices(config, logger);
  const server = await startGraphQLServer({ config, logger, ...serverDepsOf(services) });
  return {
    url: server.url,
    simulator,
    accounts,
    config,
    services,
    server,
    async stop() {
      await server.stop();
      await services.close();
      if (!options.simulator) await simulator.close();
      if (!options.env?.['DATA_DIR']) rmSync(dataDir, { recursive: true, force: true });
      // Only a prefix the test chose is deleted (never the default one a real deployment may use).
      if (config.redis.url && options.env?.['REDIS_PREFIX']) await deleteKeysWithPrefix(config.redis.url, config.redis.prefix);
    },
  };
}
