/** The HTTP server, its callers' tokens, logging and shutdown. */
import { z } from 'zod';
import { commaList, int, withoutTrailingSlashes, type Parsed } from './variables.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const tokenList = commaList.refine((list) => list.length > 0, 'must name at least one token');

export const SERVER_VARIABLES = {
  PORT: { schema: int(0, 65535), default: '4000' },
  HOST: { schema: z.string().min(1), default: '0.0.0.0' },
  API_TOKENS: { schema: tokenList, default: undefined, secret: true },
  ADMIN_TOKENS: { schema: tokenList, default: undefined, secret: true },
  METRICS_TOKEN: { schema: z.string().regex(/^\S+$/, 'must be one token without spaces'), default: undefined, secret: true },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS), default: 'info' },
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']), default: 'development' },
  SHUTDOWN_TIMEOUT_MS: { schema: int(0), default: '30000' },
  PUBLIC_URL: {
    schema: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .transform(withoutTrailingSlashes),
    default: undefined,
  },
} as const;

export interface ServerConfig {
  port: number;
  host: string;
  env: 'development' | 'production' | 'test';
  logLevel: (typeof LOG_LEVELS)[number];
  auth: { apiTokens: string[]; adminTokens: string[]; open: boolean };
  /** Bearer token that may read /metrics when auth is on (admin tokens may too). */
  metrics: { token: string | null };
  shutdownTimeoutMs: number;
  /** This server's public origin for links it serves (result downloads); null → each request's own origin. */
  publicUrl: string | null;
}

export function serverConfigOf(p: Parsed<typeof SERVER_VARIABLES>): ServerConfig {
  const apiTokens = p.API_TOKENS ?? [];
  const adminTokens = p.ADMIN_TOKENS ?? [];
  return {
    port: p.PORT,
    host: p.HOST,
    env: p.NODE_ENV,
    logLevel: p.LOG_LEVEL,
    auth: { apiTokens, adminTokens, open: apiTokens.length === 0 && adminTokens.length === 0 },
    metrics: { token: p.METRICS_TOKEN ?? null },
    shutdownTimeoutMs: p.SHUTDOWN_TIMEOUT_MS,
    publicUrl: p.PUBLIC_URL ?? null,
  };
}
