/** The Redis connection modes in loadConfig: single, Sentinel, Cluster, and the combinations refused. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('Redis modes', () => {
  it('no Redis variable: mode null, the in-process store', () => {
    const { redis } = loadConfig({}).config;
    expect(redis).toMatchObject({ mode: null, connection: null, url: null });
  });

  it('REDIS_URL: single, TLS from rediss://, REDIS_PASSWORD added when the URL has none', () => {
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.1:6380/2' }).config.redis).toMatchObject({
      mode: 'single',
      url: 'redis://10.0.0.1:6380/2',
      connection: { mode: 'single', url: 'redis://10.0.0.1:6380/2', auth: { username: null, password: null, tls: false } },
    });
    const tls = loadConfig({ REDIS_URL: 'rediss://cache.internal:6379', REDIS_PASSWORD: 's3cret', REDIS_USERNAME: 'picsi' }).config.redis
      .connection;
    expect(tls).toEqual({
      mode: 'single',
      url: 'rediss://cache.internal:6379',
      auth: { username: 'picsi', password: 's3cret', tls: true },
    });
  });

  it('REDIS_SENTINELS + REDIS_SENTINEL_NAME: sentinel, default port 26379, IPv6 in brackets, db/TLS/passwords', () => {
    const { redis } = loadConfig({
      REDIS_SENTINELS: ' 10.0.0.1:26379, sentinel-b ,[::1]:26380,',
      REDIS_SENTINEL_NAME: 'picsi-primary',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pass',
      REDIS_PASSWORD: 'data-pass',
      REDIS_TLS: 'true',
      REDIS_DB: '3',
    }).config;
    expect(redis.mode).toBe('sentinel');
    expect(redis.url).toBeNull();
    expect(redis.connection).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-b', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'picsi-primary',
      db: 3,
      sentinelPassword: 'sentinel-pass',
      auth: { username: null, password: 'data-pass', tls: true },
    });
  });

  it('REDIS_CLUSTER_NODES: cluster, default port 6379', () => {
    const { redis } = loadConfig({ REDIS_CLUSTER_NODES: 'node-a:7000,node-b', REDIS_TLS: '0' }).config;
    expect(redis.mode).toBe('cluster');
    expect(redis.connection).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'node-a', port: 7000 },
        { host: 'node-b', port: 6379 },
      ],
      auth: { username: null, password: null, tls: false },
    });
  });

  it('refuses more than one mode, naming the variables', () => {
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toEqual([
      'REDIS_URL, REDIS_CLUSTER_NODES: set only one of REDIS_URL (one primary), REDIS_SENTINELS (Sentinel) or REDIS_CLUSTER_NODES (Cluster)',
    ]);
    expect(
      problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_SENTINELS: 'b:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'c:7000' })[0],
    ).toMatch(/^REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES: set only one/);
  });

  it('refuses a sentinel list without a name, and a name or sentinel password without sentinels', () => {
    expect(problemsOf({ REDIS_SENTINELS: 'a:26379' })).toEqual([
      "REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master's name in sentinel.conf)",
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_SENTINEL_NAME: 'm', REDIS_SENTINEL_PASSWORD: 'x' })).toEqual([
      'REDIS_SENTINEL_NAME: set without REDIS_SENTINELS',
      'REDIS_SENTINEL_PASSWORD: set without REDIS_SENTINELS',
    ]);
  });

  it('refuses malformed endpoints, each named', () => {
    const problems = problemsOf({ REDIS_CLUSTER_NODES: 'a:7000,b:99999,c d:1', REDIS_SENTINELS: ' , ', REDIS_SENTINEL_NAME: 'm' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'REDIS_SENTINELS: must list at least one host:port (got ",")',
        expect.stringMatching(/^REDIS_CLUSTER_NODES: "b:99999" has no valid port; "c d:1" is not host:port/),
      ]),
    );
    expect(problems).toHaveLength(2);
  });

  it('refuses settings that do not apply to the mode', () => {
    expect(problemsOf({ REDIS_URL: 'redis://:inline@a:6379', REDIS_PASSWORD: 'other', REDIS_TLS: 'yes', REDIS_DB: '1' })).toEqual([
      'REDIS_TLS: with REDIS_URL, choose TLS by the scheme (rediss://)',
      'REDIS_DB: with REDIS_URL, give the database in its path (redis://host:6379/2)',
      'REDIS_PASSWORD: REDIS_URL already carries a password; set only one',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_DB: '2' })).toEqual(['REDIS_DB: a Redis Cluster has only database 0']);
    expect(problemsOf({ REDIS_PASSWORD: 'x' })).toEqual([
      'REDIS_PASSWORD: set without a Redis to connect to (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES)',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_TLS: 'maybe' })[0]).toMatch(/^REDIS_TLS: /);
  });

  it('never echoes a Redis password in an error', () => {
    const problems = problemsOf({
      REDIS_URL: 'redis://:inline-secret@a:6379',
      REDIS_PASSWORD: 'other-secret',
      REDIS_SENTINEL_PASSWORD: '',
      REDIS_DB: 'x',
    });
    expect(problems.join('\n')).not.toMatch(/inline-secret|other-secret/);
  });
});
