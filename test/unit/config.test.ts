import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const account = { channel: '111111111111111111', server: '222222222222222222', discord: 'user-token-abcdefghij' };

describe('loadConfig', () => {
  it('works with no variables at all and reports every embedded default', () => {
    const { config, defaultsApplied } = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.redis.url).toBeNull();
    expect(config.auth.open).toBe(true);
    expect(config.discord.accounts).toBeNull();
    expect(config.discord.apiUrl).toBe('https://discord.com/api');
    expect(defaultsApplied.map((d) => d.name)).toEqual(
      expect.arrayContaining(['PORT', 'LOG_LEVEL', 'DISCORD_API_URL', 'JOB_RETENTION_DAYS']),
    );
  });

  it('parses the fixed operator names', () => {
    const { config } = loadConfig({
      PORT: '8080',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      API_TOKENS: 'a, b ,c',
      ADMIN_TOKENS: 'root',
      DISCORD_ACCOUNTS: JSON.stringify([account]),
      DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      LOG_LEVEL: 'debug',
    });
    expect(config.port).toBe(8080);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379/2');
    expect(config.auth).toEqual({ apiTokens: ['a', 'b', 'c'], adminTokens: ['root'], open: false });
    expect(config.discord.accounts).toEqual([account]);
    expect(config.discord.apiUrl).toBe('http://127.0.0.1:9999/api');
    expect(config.logLevel).toBe('debug');
  });

  it('reads DISCORD_ACCOUNTS from a file path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picsi-config-'));
    const file = join(dir, 'accounts.json');
    writeFileSync(file, JSON.stringify([account]));
    expect(loadConfig({ DISCORD_ACCOUNTS: file }).config.discord.accounts).toEqual([account]);
  });

  it('names every invalid variable in one error, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://nope',
        LOG_LEVEL: 'loud',
        CALLBACK_SECRET: 'short-secret',
        DISCORD_ACCOUNTS: '[{"channel":"x"}]',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^PORT: .*"eighty"/m);
    expect(problems).toMatch(/^REDIS_URL: must start with redis:\/\/ or rediss:\/\/$/m);
    expect(problems).toMatch(/^LOG_LEVEL: /m);
    expect(problems).toMatch(/^CALLBACK_SECRET: must be at least 16 characters$/m);
    expect(problems).toMatch(/^DISCORD_ACCOUNTS: .*channel must be a Discord snowflake id/m);
    expect(problems).not.toContain('short-secret');
  });

  it('reads an account’s optional plan, and names a plan the bot does not have', () => {
    const pro = { ...account, plan: 'pro' };
    expect(loadConfig({ DISCORD_ACCOUNTS: JSON.stringify([pro]) }).config.discord.accounts).toEqual([pro]);
    expect(() => loadConfig({ DISCORD_ACCOUNTS: JSON.stringify([{ ...account, plan: 'gold' }]) })).toThrow(
      `DISCORD_ACCOUNTS: account 1 (channel ${account.channel}): plan must be basic or pro`,
    );
  });

  it('names what is wrong with DISCORD_ACCOUNTS: an object instead of a list, broken JSON with its position, a missing field by name', () => {
    const problemOf = (value: string) => {
      try {
        loadConfig({ DISCORD_ACCOUNTS: value });
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
      throw new Error('accepted');
    };
    expect(problemOf(JSON.stringify(account))).toBe(
      'DISCORD_ACCOUNTS: must be a JSON array of accounts, [{ "channel": "…", "server": "…", "discord": "…" }, …]; got one object (put it in [ ])',
    );
    expect(problemOf('[{"channel": "1234567", "server": ')).toMatch(
      /^DISCORD_ACCOUNTS: is not valid JSON: .* at position 33 \(line 1 column 34\)$/,
    );
    const { discord: _token, ...withoutToken } = account;
    expect(problemOf(JSON.stringify([account, { ...withoutToken, channel: '7654321' }]))).toBe(
      'DISCORD_ACCOUNTS: account 2 (channel 7654321): discord is missing',
    );
    expect(problemOf('[]')).toMatch(/^DISCORD_ACCOUNTS: must list at least one account/);
    expect(problemOf('[42]')).toMatch(/^DISCORD_ACCOUNTS: account 1: must be an object like /);
  });

  it('refuses a channel listed twice and an unreadable accounts file', () => {
    expect(() => loadConfig({ DISCORD_ACCOUNTS: JSON.stringify([account, account]) })).toThrow(/listed twice/);
    expect(() => loadConfig({ DISCORD_ACCOUNTS: '/nonexistent/accounts.json' })).toThrow(/cannot read file .*ENOENT/);
  });
});

describe('METRICS_TOKEN', () => {
  it('is unset by default and read as one bearer token', () => {
    expect(loadConfig({}).config.metrics.token).toBeNull();
    expect(loadConfig({ METRICS_TOKEN: ' scrape-me ' }).config.metrics.token).toBe('scrape-me');
  });

  it('refuses a value with spaces, without echoing it', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'two words' })).toThrow(
      /^Invalid configuration:\n {2}- METRICS_TOKEN: must be one token without spaces$/,
    );
  });
});
