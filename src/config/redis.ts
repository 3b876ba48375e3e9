/** Which Redis holds the jobs (src/redis/settings.ts checks the combinations); none: the in-process store. */
import { z } from 'zod';
import { booleanFlag, endpointList, resolveRedisConnection, type RedisConnectionConfig, type RedisMode } from '../redis/settings.js';
import { int, type Parsed } from './variables.js';

export const REDIS_VARIABLES = {
  REDIS_URL: { schema: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'), default: undefined, secret: true },
  REDIS_SENTINELS: { schema: endpointList(26379), default: undefined },
  REDIS_SENTINEL_NAME: { schema: z.string().regex(/^[\w.-]+$/, 'letters, digits, and . _ - only'), default: undefined },
  REDIS_SENTINEL_PASSWORD: { schema: z.string().min(1), default: undefined, secret: true },
  REDIS_CLUSTER_NODES: { schema: endpointList(6379), default: undefined },
  REDIS_USERNAME: { schema: z.string().min(1), default: undefined },
  REDIS_PASSWORD: { schema: z.string().min(1), default: undefined, secret: true },
  REDIS_TLS: { schema: booleanFlag, default: undefined },
  REDIS_DB: { schema: int(0, 10_000), default: undefined },
  REDIS_PREFIX: { schema: z.string().regex(/^[\w:.-]+$/, 'letters, digits, and : . _ - only'), default: 'picsi:' },
} as const;

export interface RedisConfig {
  /** REDIS_URL in single mode, else null. */
  url: string | null;
  prefix: string;
  /** null: no Redis, the in-process store (single instance). */
  mode: RedisMode | null;
  /** The connection to hand to createRedisClient (src/redis/connect.ts), with the parsed endpoints. */
  connection: RedisConnectionConfig | null;
}

/** The connection the variables describe; its problems are pushed to `problems`. */
export function redisConnectionOf(p: Parsed<typeof REDIS_VARIABLES>, problems: string[]): RedisConnectionConfig | null {
  // Cross-checked only once each Redis variable is valid on its own (a bad one reads as unset).
  return problems.some((m) => m.startsWith('REDIS_')) ? null : resolveRedisConnection(p, problems);
}

export function redisConfigOf(p: Parsed<typeof REDIS_VARIABLES>, connection: RedisConnectionConfig | null): RedisConfig {
  return { url: p.REDIS_URL ?? null, prefix: p.REDIS_PREFIX, mode: connection?.mode ?? null, connection };
}
