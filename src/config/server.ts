/** The HTTP server, its callers' tokens, logging and shutdown. */
import { z } from 'zod';
import { commaList, int, withoutTrailingSlashes, type Parsed } from './variables.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const tokenList = commaList.refine((list) => list.length > 0, 'must name at least one token');

export const SERVER_VARIABLES = {
  PORT: { schema: int(0, 65535), default: '4000' },
  /** Unset: every interface when tokens are set, loopback only in open dev mode (see listenHostOf). */
  HOST: { schema: z.string().min(1), default: undefined },
  API_TOKENS: { schema: tokenList, default: undefined, secret: true },
  ADMIN_TOKENS: { schema: tokenList, default: undefined, secret: true },
  METRICS_TOKEN: { schema: z.string().regex(/^\S+$/, 'must be one token without spaces'), default: undefined, secret: true },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS), default: 'info' },
  /** `json` (one object a line) or `text` (a short line a record, for people); unset: text on a terminal, JSON otherwise. */
  LOG_FORMAT: { schema: z.enum(['json', 'text']), default: undefined },
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
  /** Requests (HTTP and websocket operations) one API token may make per window; 0 turns the limit off. */
  TOKEN_RATE_LIMIT: { schema: int(0), default: '600' },
  TOKEN_RATE_WINDOW_SECONDS: { schema: int(1, 3600), default: '10' },
  WS_MAX_CONNECTIONS_PER_TOKEN: { schema: int(1), default: '100' },
  WS_MAX_SUBSCRIPTIONS_PER_TOKEN: { schema: int(1), default: '1000' },
  /** Websockets of one address that have not authenticated yet. */
  WS_MAX_PENDING_PER_ADDRESS: { schema: int(1), default: '32' },
} as const;

export interface ServerConfig {
  port: number;
  host: string;
  /** HOST was unset and listenHostOf chose the address. */
  hostDefaulted: boolean;
  env: 'development' | 'production' | 'test';
  logLevel: (typeof LOG_LEVELS)[number];
  /** null: text when stdout is a terminal, JSON otherwise. */
  logFormat: 'json' | 'text' | null;
  auth: { apiTokens: string[]; adminTokens: string[]; open: boolean };
  /** Bearer token that may read /metrics when auth is on (admin tokens may too). */
  metrics: { token: string | null };
  shutdownTimeoutMs: number;
  /** This server's public origin for links it serves (result downloads); null → each request's own origin. */
  publicUrl: string | null;
  /** Per-token limits, applied when auth is on (open mode serves loopback only: src/http/edge). */
  limits: ClientLimits;
}

export interface ClientLimits {
  /** null: no request rate limit. */
  tokenRate: { points: number; windowSeconds: number } | null;
  websocket: { connectionsPerToken: number; subscriptionsPerToken: number; pendingPerAddress: number };
}

export function serverConfigOf(p: Parsed<typeof SERVER_VARIABLES>): ServerConfig {
  const apiTokens = p.API_TOKENS ?? [];
  const adminTokens = p.ADMIN_TOKENS ?? [];
  const open = apiTokens.length === 0 && adminTokens.length === 0;
  return {
    port: p.PORT,
    host: listenHostOf(p.HOST, open),
    hostDefaulted: p.HOST === undefined,
    env: p.NODE_ENV,
    logLevel: p.LOG_LEVEL,
    logFormat: p.LOG_FORMAT ?? null,
    auth: { apiTokens, adminTokens, open },
    metrics: { token: p.METRICS_TOKEN ?? null },
    shutdownTimeoutMs: p.SHUTDOWN_TIMEOUT_MS,
    publicUrl: p.PUBLIC_URL ?? null,
    limits: {
      tokenRate: p.TOKEN_RATE_LIMIT === 0 ? null : { points: p.TOKEN_RATE_LIMIT, windowSeconds: p.TOKEN_RATE_WINDOW_SECONDS },
      websocket: {
        connectionsPerToken: p.WS_MAX_CONNECTIONS_PER_TOKEN,
        subscriptionsPerToken: p.WS_MAX_SUBSCRIPTIONS_PER_TOKEN,
        pendingPerAddress: p.WS_MAX_PENDING_PER_ADDRESS,
      },
    },
  };
}

/**
 * Without tokens anyone who reaches the port may run jobs and manage accounts, so an unset HOST
 * keeps open dev mode to this machine; with tokens the server listens on every interface.
 */
function listenHostOf(host: string | undefined, open: boolean): string {
  return host ?? (open ? '127.0.0.1' : '0.0.0.0');
}
