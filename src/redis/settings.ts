/**
 * Which Redis the server talks to: one primary (REDIS_URL), a Sentinel-managed primary
 * (REDIS_SENTINELS + REDIS_SENTINEL_NAME) or a Redis Cluster (REDIS_CLUSTER_NODES). The
 * environment is read in src/config/redis.ts; this module turns the validated values into one
 * connection description, or names every combination that makes no sense.
 */
import { z } from 'zod';

export interface RedisEndpoint {
  host: string;
  port: number;
}

/** Credentials and TLS applied to every data connection (and, for Sentinel, to the sentinels' TLS). */
export interface RedisAuth {
  username: string | null;
  password: string | null;
  tls: boolean;
}

export type RedisConnectionConfig =
  /** `url` may carry its own credentials, db and `rediss://`; `auth` holds what REDIS_USERNAME/REDIS_PASSWORD add. */
  | { mode: 'single'; url: string; auth: RedisAuth }
  | { mode: 'sentinel'; sentinels: RedisEndpoint[]; name: string; db: number; sentinelPassword: string | null; auth: RedisAuth }
  | { mode: 'cluster'; nodes: RedisEndpoint[]; auth: RedisAuth };

export type RedisMode = RedisConnectionConfig['mode'];

const ENDPOINT = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[^\s:[\]]+))(?::(?<port>\d{1,5}))?$/;

function parseEndpoint(item: string, defaultPort: number): RedisEndpoint | string {
  const match = ENDPOINT.exec(item);
  if (!match?.groups) return `"${item}" is not host:port`;
  const port = match.groups.port === undefined ? defaultPort : Number(match.groups.port);
  if (port < 1 || port > 65535) return `"${item}" has no valid port`;
  return { host: match.groups.v6 ?? match.groups.host!, port };
}

/** A comma-separated `host:port` list (IPv6 as `[::1]:port`); a missing port is `defaultPort`. */
export const endpointList = (defaultPort: number) =>
  z.string().transform((value, ctx) => {
    const endpoints: RedisEndpoint[] = [];
    for (const item of value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const parsed = parseEndpoint(item, defaultPort);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
      else endpoints.push(parsed);
    }
    if (endpoints.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one host:port' });
    return endpoints;
  });

export const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The Redis variables after their own validation (undefined = unset). */
export interface RedisVariables {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: RedisEndpoint[] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_CLUSTER_NODES?: RedisEndpoint[] | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS?: boolean | undefined;
  REDIS_DB?: number | undefined;
}

const NO_AUTH: RedisAuth = { username: null, password: null, tls: false };

/** One primary at `url` (its credentials, db and TLS from the URL; `auth` adds what it lacks). */
export const singleRedis = (url: string, auth: RedisAuth = NO_AUTH): RedisConnectionConfig => ({
  mode: 'single',
  url,
  auth: { ...auth, tls: url.startsWith('rediss://') },
});

const MODE_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/** The connection the variables describe, or null (no Redis: the in-process store); problems are pushed to `problems`. */
export function resolveRedisConnection(v: RedisVariables, problems: string[]): RedisConnectionConfig | null {
  const before = problems.length;
  const set = MODE_VARIABLES.filter((name) => v[name] !== undefined);
  if (set.length > 1)
    problems.push(
      `${set.join(', ')}: set only one of REDIS_URL (one primary), REDIS_SENTINELS (Sentinel) or REDIS_CLUSTER_NODES (Cluster)`,
    );
  if (v.REDIS_SENTINEL_NAME !== undefined && v.REDIS_SENTINELS === undefined)
    problems.push('REDIS_SENTINEL_NAME: set without REDIS_SENTINELS');
  if (v.REDIS_SENTINELS !== undefined && v.REDIS_SENTINEL_NAME === undefined)
    problems.push("REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master's name in sentinel.conf)");
  if (v.REDIS_SENTINEL_PASSWORD !== undefined && v.REDIS_SENTINELS === undefined)
    problems.push('REDIS_SENTINEL_PASSWORD: set without REDIS_SENTINELS');
  if (set.length === 0) {
    for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS', 'REDIS_DB'] as const) {
      if (v[name] !== undefined)
        problems.push(`${name}: set without a Redis to connect to (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES)`);
    }
  }
  if (v.REDIS_URL !== undefined) checkUrlOverlap(v.REDIS_URL, v, problems);
  if (v.REDIS_CLUSTER_NODES !== undefined && v.REDIS_DB !== undefined && v.REDIS_DB !== 0)
    problems.push('REDIS_DB: a Redis Cluster has only database 0');
  if (problems.length > before || set.length === 0) return null;

  const auth: RedisAuth = { username: v.REDIS_USERNAME ?? null, password: v.REDIS_PASSWORD ?? null, tls: v.REDIS_TLS ?? false };
  if (v.REDIS_URL !== undefined) return singleRedis(v.REDIS_URL, auth);
  if (v.REDIS_SENTINELS !== undefined) {
    return {
      mode: 'sentinel',
      sentinels: v.REDIS_SENTINELS,
      name: v.REDIS_SENTINEL_NAME!,
      db: v.REDIS_DB ?? 0,
      sentinelPassword: v.REDIS_SENTINEL_PASSWORD ?? null,
      auth,
    };
  }
  return { mode: 'cluster', nodes: v.REDIS_CLUSTER_NODES!, auth };
}

/** With REDIS_URL, the URL is the one place for TLS and the db; credentials may come from either, not both. */
function checkUrlOverlap(url: string, v: RedisVariables, problems: string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push('REDIS_URL: is not a valid URL');
    return;
  }
  if (v.REDIS_TLS !== undefined) problems.push('REDIS_TLS: with REDIS_URL, choose TLS by the scheme (rediss://)');
  if (v.REDIS_DB !== undefined) problems.push('REDIS_DB: with REDIS_URL, give the database in its path (redis://host:6379/2)');
  if (v.REDIS_PASSWORD !== undefined && parsed.password !== '')
    problems.push('REDIS_PASSWORD: REDIS_URL already carries a password; set only one');
  if (v.REDIS_USERNAME !== undefined && parsed.username !== '')
    problems.push('REDIS_USERNAME: REDIS_URL already carries a username; set only one');
}
