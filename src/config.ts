/**
 * Operator configuration: every environment variable the server reads, validated once at start.
 * The names in the first block are fixed: operators, docs and deployments depend on them (README,
 * Configuration). No other module reads process.env.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { DiscordAccount } from './discord/types.js';
import { booleanFlag, endpointList, resolveRedisConnection, type RedisConnectionConfig, type RedisMode } from './redis/settings.js';
import { parseStorageUrl, type StorageUrl } from './storage/storage-url.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const tokenList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length > 0, 'must name at least one token');

const storageUrl = z.string().transform((value, ctx) => {
  const parsed = parseStorageUrl(value);
  if (!parsed) ctx.addIssue({ code: 'custom', message: 'must be file:///absolute/path or s3://bucket/prefix' });
  return parsed ?? z.NEVER;
});

const accountSchema = z
  .object({
    channel: z.string().regex(/^\d{5,25}$/, 'channel must be a Discord snowflake id'),
    server: z.string().regex(/^\d{5,25}$/, 'server must be a Discord snowflake id'),
    discord: z.string().min(10, 'discord must be the account user token'),
    label: z.string().max(100).optional(),
  })
  .passthrough();

/** Each variable: its schema and the default applied when it is unset (undefined = stays unset). */
const variables = {
  PORT: { schema: int(0, 65535), default: '4000' },
  HOST: { schema: z.string().min(1), default: '0.0.0.0' },
  REDIS_URL: { schema: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'), default: undefined },
  REDIS_SENTINELS: { schema: endpointList(26379), default: undefined },
  REDIS_SENTINEL_NAME: { schema: z.string().regex(/^[\w.-]+$/, 'letters, digits, and . _ - only'), default: undefined },
  REDIS_SENTINEL_PASSWORD: { schema: z.string().min(1), default: undefined },
  REDIS_CLUSTER_NODES: { schema: endpointList(6379), default: undefined },
  REDIS_USERNAME: { schema: z.string().min(1), default: undefined },
  REDIS_PASSWORD: { schema: z.string().min(1), default: undefined },
  REDIS_TLS: { schema: booleanFlag, default: undefined },
  REDIS_DB: { schema: int(0, 10_000), default: undefined },
  REDIS_PREFIX: { schema: z.string().regex(/^[\w:.-]+$/, 'letters, digits, and : . _ - only'), default: 'picsi:' },
  API_TOKENS: { schema: tokenList, default: undefined },
  ADMIN_TOKENS: { schema: tokenList, default: undefined },
  METRICS_TOKEN: { schema: z.string().regex(/^\S+$/, 'must be one token without spaces'), default: undefined },
  DISCORD_ACCOUNTS: { schema: z.string().min(1), default: undefined },
  DISCORD_API_URL: {
    schema: z
      .string()
      .url()
      .transform((u) => u.replace(/\/+$/, '')),
    default: 'https://discord.com/api',
  },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS), default: 'info' },
  DISCORD_GLOBAL_RATE_LIMIT: { schema: int(1), default: '50' },
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']), default: 'development' },

  // Inferred: 10 MB is what a Discord account without Nitro may upload per file.
  UPLOAD_MAX_FILE_BYTES: { schema: int(1), default: String(10 * 1024 * 1024) },
  UPLOAD_MAX_FIELD_BYTES: { schema: int(1024), default: String(64 * 1024) },
  UPLOAD_MAX_FILES: { schema: int(1, 10), default: '2' },
  UPLOAD_DIR: { schema: z.string().min(1), default: undefined },
  /** Width × height read from the image header; refuses decompression bombs before the job is accepted. */
  UPLOAD_MAX_PIXELS: { schema: int(1), default: String(64_000_000) },

  JOB_RETENTION_DAYS: { schema: int(1, 3650), default: '31' },
  JOB_TIMEOUT_MS: { schema: int(1000), default: '120000' },
  WAIT_TIMEOUT_MS: { schema: int(100), default: '60000' },
  LEASE_TTL_MS: { schema: int(500), default: '15000' },
  REAPER_INTERVAL_MS: { schema: int(50), default: '1000' },
  LOCK_ATTEMPTS: { schema: int(1, 100), default: '3' },
  QUEUE_MAX_PER_TOKEN: { schema: int(1), default: '100' },
  QUEUE_MAX: { schema: int(1), default: '1000' },
  SHUTDOWN_TIMEOUT_MS: { schema: int(0), default: '30000' },
  PUBLIC_URL: {
    schema: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .transform((u) => u.replace(/\/+$/, '')),
    default: undefined,
  },

  CREDITS_PER_DAY: { schema: int(0), default: '50' },
  PICSI_CREDIT_COST: { schema: int(0), default: '3' },

  CALLBACK_SECRET: {
    schema: z
      .string()
      .min(16, 'must be at least 16 characters')
      .refine(
        (s) => !s.startsWith('whsec_') || /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/.test(s),
        'a whsec_ secret must be whsec_ followed by base64',
      ),
    default: undefined,
  },
  CALLBACK_DEFAULT_URL: { schema: z.string().url(), default: undefined },
  CALLBACK_MAX_ATTEMPTS: { schema: int(1, 50), default: '8' },
  CALLBACK_TIMEOUT_MS: { schema: int(100), default: '10000' },
  CALLBACK_ALLOW_HOSTS: {
    schema: z.string().transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
    default: undefined,
  },

  SIMULATOR_BOT_DELAY_MS: { schema: int(0), default: '3000' },

  DATA_DIR: {
    schema: z
      .string()
      .min(1)
      .transform((dir) => resolve(dir)),
    default: './data',
  },
  STORAGE_URL: { schema: storageUrl, default: undefined },
  S3_FORCE_PATH_STYLE: { schema: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'), default: 'false' },
  FILES_SIGNING_SECRET: { schema: z.string().min(32, 'must be at least 32 characters'), default: undefined },
} as const satisfies Record<string, { schema: z.ZodType; default: string | undefined }>;

type Variables = typeof variables;
type Parsed = { [K in keyof Variables]: z.output<Variables[K]['schema']> | (Variables[K]['default'] extends string ? never : undefined) };

export interface Config {
  port: number;
  host: string;
  env: 'development' | 'production' | 'test';
  logLevel: (typeof LOG_LEVELS)[number];
  redis: {
    /** REDIS_URL in single mode, else null. */
    url: string | null;
    prefix: string;
    /** null: no Redis, the in-process store (single instance). */
    mode: RedisMode | null;
    /** The connection to hand to createRedisClient (src/redis/connect.ts), with the parsed endpoints. */
    connection: RedisConnectionConfig | null;
  };
  auth: { apiTokens: string[]; adminTokens: string[]; open: boolean };
  /** Bearer token that may read /metrics when auth is on (admin tokens may too). */
  metrics: { token: string | null };
  discord: { apiUrl: string; accounts: DiscordAccount[] | null; globalRequestsPerSecond: number };
  uploads: { maxFileBytes: number; maxFieldBytes: number; maxFiles: number; dir: string | null; maxPixels: number };
  jobs: {
    retentionDays: number;
    timeoutMs: number;
    waitTimeoutMs: number;
    leaseTtlMs: number;
    reaperIntervalMs: number;
    lockAttempts: number;
    queueMaxPerToken: number;
    queueMax: number;
    creditsPerDay: number;
    creditCost: number;
  };
  callbacks: { secret: string | null; defaultUrl: string | null; maxAttempts: number; timeoutMs: number; allowHosts: string[] };
  simulator: { botDelayMs: number };
  shutdownTimeoutMs: number;
  /** This server's public origin for links it serves (result downloads); null → each request's own origin. */
  publicUrl: string | null;
  /** Absolute; the embedded stores keep their files under it (blobs in DATA_DIR/blobs). */
  dataDir: string;
  storage: { url: StorageUrl | null; s3ForcePathStyle: boolean; filesSigningSecret: string | null };
}

export interface LoadedConfig {
  config: Config;
  /** Variables that were unset and took their embedded default, for the start-up log. */
  defaultsApplied: { name: string; value: string }[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): LoadedConfig {
  const problems: string[] = [];
  const defaultsApplied: LoadedConfig['defaultsApplied'] = [];
  const parsed: Record<string, unknown> = {};

  for (const [name, spec] of Object.entries(variables) as [string, { schema: z.ZodType; default: string | undefined }][]) {
    const raw = env[name]?.trim() || undefined;
    const value = raw ?? spec.default;
    if (raw === undefined && spec.default !== undefined) defaultsApplied.push({ name, value: spec.default });
    if (value === undefined) continue;
    const result = spec.schema.safeParse(value);
    if (result.success) parsed[name] = result.data;
    else {
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(truncate(value))})`;
      problems.push(`${name}: ${result.error.issues.map((i) => i.message).join('; ')}${shown}`);
    }
  }

  const p = parsed as Parsed;
  let accounts: DiscordAccount[] | null = null;
  if (p.DISCORD_ACCOUNTS !== undefined) {
    try {
      accounts = parseAccounts(p.DISCORD_ACCOUNTS);
    } catch (error) {
      problems.push(`DISCORD_ACCOUNTS: ${(error as Error).message}`);
    }
  }
  // Cross-checked only once each Redis variable is valid on its own (a bad one reads as unset).
  const redisConnection = problems.some((m) => m.startsWith('REDIS_')) ? null : resolveRedisConnection(p, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const apiTokens = p.API_TOKENS ?? [];
  const adminTokens = p.ADMIN_TOKENS ?? [];
  // The embedded blob store's place follows DATA_DIR; it is reported with the other defaults.
  if (!p.STORAGE_URL) defaultsApplied.push({ name: 'STORAGE_URL', value: `file://${join(p.DATA_DIR, 'blobs')}` });
  return {
    defaultsApplied,
    config: {
      port: p.PORT,
      host: p.HOST,
      env: p.NODE_ENV,
      logLevel: p.LOG_LEVEL,
      redis: { url: p.REDIS_URL ?? null, prefix: p.REDIS_PREFIX, mode: redisConnection?.mode ?? null, connection: redisConnection },
      auth: { apiTokens, adminTokens, open: apiTokens.length === 0 && adminTokens.length === 0 },
      metrics: { token: p.METRICS_TOKEN ?? null },
      discord: { apiUrl: p.DISCORD_API_URL, accounts, globalRequestsPerSecond: p.DISCORD_GLOBAL_RATE_LIMIT },
      uploads: {
        maxFileBytes: p.UPLOAD_MAX_FILE_BYTES,
        maxFieldBytes: p.UPLOAD_MAX_FIELD_BYTES,
        maxFiles: p.UPLOAD_MAX_FILES,
        dir: p.UPLOAD_DIR ?? null,
        maxPixels: p.UPLOAD_MAX_PIXELS,
      },
      jobs: {
        retentionDays: p.JOB_RETENTION_DAYS,
        timeoutMs: p.JOB_TIMEOUT_MS,
        waitTimeoutMs: p.WAIT_TIMEOUT_MS,
        leaseTtlMs: p.LEASE_TTL_MS,
        reaperIntervalMs: p.REAPER_INTERVAL_MS,
        lockAttempts: p.LOCK_ATTEMPTS,
        queueMaxPerToken: p.QUEUE_MAX_PER_TOKEN,
        queueMax: p.QUEUE_MAX,
        creditsPerDay: p.CREDITS_PER_DAY,
        creditCost: p.PICSI_CREDIT_COST,
      },
      callbacks: {
        secret: p.CALLBACK_SECRET ?? null,
        defaultUrl: p.CALLBACK_DEFAULT_URL ?? null,
        maxAttempts: p.CALLBACK_MAX_ATTEMPTS,
        timeoutMs: p.CALLBACK_TIMEOUT_MS,
        allowHosts: p.CALLBACK_ALLOW_HOSTS ?? [],
      },
      simulator: { botDelayMs: p.SIMULATOR_BOT_DELAY_MS },
      shutdownTimeoutMs: p.SHUTDOWN_TIMEOUT_MS,
      publicUrl: p.PUBLIC_URL ?? null,
      dataDir: p.DATA_DIR,
      storage: { url: p.STORAGE_URL ?? null, s3ForcePathStyle: p.S3_FORCE_PATH_STYLE, filesSigningSecret: p.FILES_SIGNING_SECRET ?? null },
    },
  };
}

/** DISCORD_ACCOUNTS is a JSON array, or a path to a file holding one. */
export function parseAccounts(value: string): DiscordAccount[] {
  const text = value.trimStart().startsWith('[') ? value : readAccountsFile(value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('is neither a JSON array nor a path to a JSON file');
  }
  const result = z.array(accountSchema).min(1, 'must list at least one account').safeParse(json);
  if (!result.success) {
    throw new Error(result.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; '));
  }
  const channels = new Set<string>();
  for (const account of result.data) {
    if (channels.has(account.channel)) throw new Error(`channel ${account.channel} is listed twice`);
    channels.add(account.channel);
  }
  return result.data.map(({ channel, server, discord, label }) => ({ channel, server, discord, ...(label ? { label } : {}) }));
}

function readAccountsFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}

const SECRET_VARIABLES = new Set([
  'API_TOKENS',
  'ADMIN_TOKENS',
  'METRICS_TOKEN',
  'DISCORD_ACCOUNTS',
  'CALLBACK_SECRET',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'FILES_SIGNING_SECRET',
]);
const truncate = (s: string) => (s.length > 40 ? `${s.slice(0, 37)}...` : s);
