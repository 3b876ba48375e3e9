/**
 * Bad account settings change nothing: refused at start naming the variable or the account, or by
 * upsertAccount with BAD_USER_INPUT naming the field; good ones are stored and shown (the proxy
 * masked). Gauges of accounts by state on /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { accounts, ACCOUNT_FIELDS, mutate } from './account-helpers.js';

const entry = { channel: '100000000000000001', server: '100000000000000002', discord: 'token-0123456789', label: 'picsi-1' };
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('account settings at start', () => {
  it.each([
    ['ACCOUNT_MIN_GAP_MS', '-5', /^ACCOUNT_MIN_GAP_MS: .*\(got "-5"\)$/],
    ['ACCOUNT_JITTER_MS', 'soon', /^ACCOUNT_JITTER_MS: /],
    ['ACCOUNT_DAILY_COMMANDS', '0', /^ACCOUNT_DAILY_COMMANDS: /],
    ['ACCOUNT_ACTIVE_HOURS', '8-23', /^ACCOUNT_ACTIVE_HOURS: must be HH:MM-HH:MM/],
    ['ACCOUNT_ACTIVE_HOURS', '08:00-08:00', /^ACCOUNT_ACTIVE_HOURS: must be HH:MM-HH:MM/],
    ['ACCOUNT_TIMEZONE', 'Mars/Olympus', /^ACCOUNT_TIMEZONE: must be an IANA time zone/],
    ['ACCOUNT_ALERT_URL', 'not a url', /^ACCOUNT_ALERT_URL: /],
  ])('%s=%s is refused, naming the variable', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    [{ proxy: 'ftp://host:21' }, 'proxy must start with http://, https:// or socks5://'],
    [{ proxy: 'http://user:secret@host:8080/path' }, 'proxy must not have a path'],
    [{ proxy: 'not a url' }, 'proxy must be a URL such as http://user:pass@host:port'],
    [{ minGapMs: -1 }, 'minGapMs must be a whole number of milliseconds from 0 to 86400000'],
    [{ jitterMs: 1.5 }, 'jitterMs must be a whole number of milliseconds from 0 to 86400000'],
    [{ dailyCommands: 0 }, 'dailyCommands must be a whole number of at least 1'],
    [{ activeHours: '25:00-26:00' }, 'activeHours must be HH:MM-HH:MM (24-hour clock, start ≠ end)'],
    [{ timezone: 'Nowhere/City' }, 'timezone must be an IANA time zone such as Europe/Paris'],
  ])('a DISCORD_ACCOUNTS entry with %j is refused, naming the account', (bad, problem) => {
    const problems = problemsOf({ DISCORD_ACCOUNTS: JSON.stringify([{ ...entry, ...bad }]) });
    expect(problems).toEqual([`DISCORD_ACCOUNTS: account 1 (channel ${entry.channel}, picsi-1): ${problem}`]);
    // A secret in the entry (the proxy password) is never echoed.
    expect(problems.join('')).not.toContain('secret');
  });

  it('takes good settings, each account over the globals', () => {
    const { config } = loadConfig({
      ACCOUNT_MIN_GAP_MS: '20000',
      ACCOUNT_ACTIVE_HOURS: '22:00-06:00',
      ACCOUNT_TIMEZONE: 'Asia/Tokyo',
      DISCORD_ACCOUNTS: JSON.stringify([{ ...entry, proxy: 'socks5://u:p@10.0.0.5:1080', minGapMs: 0, dailyCommands: 30 }]),
    });
    expect(config.accounts.pacing).toEqual({
      minGapMs: 20000,
      jitterMs: 15000,
      dailyCommands: null,
      activeHours: '22:00-06:00',
      timezone: 'Asia/Tokyo',
    });
    expect(config.discord.accounts).toEqual([{ ...entry, proxy: 'socks5://u:p@10.0.0.5:1080', minGapMs: 0, dailyCommands: 30 }]);
  });
});

describe('upsertAccount and /metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ channels: 1 });
  });
  afterAll(() => stack.stop());
  const UPSERT = `mutation ($input: AccountInput!) { upsertAccount(input: $input) { ${ACCOUNT_FIELDS} } }`;
  const input = { channel: '100000000000000009', server: '100000000000000002', discord: 'token-0123456789' };

  it.each([
    [{ proxy: 'gopher://h:70' }, 'proxy', 'proxy must start with http://, https:// or socks5://'],
    [{ minGapMs: -1 }, 'minGapMs', 'minGapMs must be a whole number of milliseconds from 0 to 86400000'],
    [{ dailyCommands: 0 }, 'dailyCommands', 'dailyCommands must be a whole number of at least 1'],
    [{ activeHours: '9-5' }, 'activeHours', 'activeHours must be HH:MM-HH:MM (24-hour clock, start ≠ end)'],
    [{ timezone: 'UTC+2' }, 'timezone', 'timezone must be an IANA time zone such as Europe/Paris'],
  ])('refuses %j with BAD_USER_INPUT and stores nothing', async (bad, field, message) => {
    const res = await mutate(stack.url, UPSERT, { input: { ...input, ...bad } });
    expect(res.body.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', field } });
    expect((await accounts(stack.url)).map((a) => a.channel)).not.toContain(input.channel);
  });

  it('stores good settings as an API-managed account, the proxy password masked', async () => {
    const res = await mutate<{ upsertAccount: Record<string, unknown> }>(stack.url, UPSERT, {
      input: {
        ...input,
        proxy: 'http://me:hunter2@127.0.0.1:3128',
        minGapMs: 30000,
        jitterMs: 5000,
        dailyCommands: 40,
        activeHours: '08:00-23:30',
        timezone: 'Europe/Berlin',
      },
    });
    expect(res.body.data?.upsertAccount).toMatchObject({
      managed: 'API',
      proxy: 'http://me:***@127.0.0.1:3128',
      pacing: {
        minGapMs: 30000,
        jitterMs: 5000,
        dailyCommands: 40,
        activeHours: '08:00-23:30',
        timezone: 'Europe/Berlin',
        nextCommandAt: null,
      },
      health: { state: 'ACTIVE' },
    });
    expect(JSON.stringify(await accounts(stack.url))).not.toContain('hunter2');
    await mutate(stack.url, 'mutation ($c: String!) { pauseAccount(channel: $c) { channel } }', { c: input.channel });
    const metrics = await (await fetch(new URL('/metrics', stack.url))).text();
    expect(metrics).toContain('picsi_accounts{state="ACTIVE"} 1');
    expect(metrics).toContain('picsi_accounts{state="PAUSED"} 1');
    expect(metrics).toContain('picsi_accounts{state="NEEDS_PERSON"} 0');
  });
});
