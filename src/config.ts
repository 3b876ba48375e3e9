/**
 * Operator configuration: every environment variable the server reads, validated once at start.
 * Each part declares its own variables (src/config/*.ts); their names are fixed: operators, docs and
 * deployments depend on them (README, Configuration). No other module reads process.env.
 */
import { CALLBACK_VARIABLES, callbacksConfigOf, type CallbacksConfig } from './config/callbacks.js';
import { DISCORD_VARIABLES, discordConfigOf, type DiscordConfig } from './config/discord.js';
import { JOB_VARIABLES, jobsConfigOf, type JobsConfig } from './config/jobs.js';
import { SECRET_VARIABLES, secretsConfigOf, type SecretsConfig } from './config/secrets.js';
import { REDIS_VARIABLES, redisConfigOf, redisConnectionOf, type RedisConfig } from './config/redis.js';
import { SERVER_VARIABLES, serverConfigOf, type ServerConfig } from './config/server.js';
import { STORAGE_VARIABLES, storageConfigOf, type StorageConfig } from './config/storage.js';
import { UPLOAD_VARIABLES, uploadsConfigOf, type UploadsConfig } from './config/uploads.js';
import { parseVariables, type AppliedDefault } from './config/variables.js';

export { parseAccounts } from './config/discord.js';

/** Every variable, in the order problems and defaults are reported. */
export const VARIABLES = {
  ...SERVER_VARIABLES,
  ...REDIS_VARIABLES,
  ...DISCORD_VARIABLES,
  ...UPLOAD_VARIABLES,
  ...JOB_VARIABLES,
  ...CALLBACK_VARIABLES,
  ...STORAGE_VARIABLES,
  ...SECRET_VARIABLES,
};

export interface Config extends ServerConfig, DiscordConfig, StorageConfig, SecretsConfig {
  redis: RedisConfig;
  uploads: UploadsConfig;
  jobs: JobsConfig;
  callbacks: CallbacksConfig;
}

export interface LoadedConfig {
  config: Config;
  /** Variables that were unset and took their embedded default, for the start-up log. */
  defaultsApplied: AppliedDefault[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): LoadedConfig {
  const problems: string[] = [];
  const defaultsApplied: AppliedDefault[] = [];
  const p = parseVariables(VARIABLES, env, problems, defaultsApplied);
  const discord = discordConfigOf(p, problems);
  const redisConnection = redisConnectionOf(p, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    defaultsApplied,
    config: {
      ...serverConfigOf(p),
      ...discord,
      ...storageConfigOf(p, defaultsApplied),
      ...secretsConfigOf(p),
      redis: redisConfigOf(p, redisConnection),
      uploads: uploadsConfigOf(p),
      jobs: jobsConfigOf(p),
      callbacks: callbacksConfigOf(p),
    },
  };
}
