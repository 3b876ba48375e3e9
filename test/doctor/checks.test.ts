import { DiscordAPIError, RateLimitError } from '@discordjs/rest';
import { ApplicationCommandType } from 'discord-api-types/v10';
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { commandsOutcome } from '../../src/doctor/commands.js';
import { explainFailure } from '../../src/doctor/failures.js';
import { checkAccount } from '../../src/doctor/runner.js';
import type { Check } from '../../src/doctor/types.js';
import { GatewayFatalError } from '../../src/discord/user-gateway.js';
import { INSIGHTFACESWAP_APPLICATION_ID } from '../../src/discord/protocol.js';

const ACCOUNT = { channel: '2000000000000000002', server: '1000000000000000001', discord: 'user-token-abcdefghijklmnop' };
const API_URL = 'http://127.0.0.1:9/api';

const command = (name: string, applicationId = INSIGHTFACESWAP_APPLICATION_ID): APIApplicationCommand => ({
  id: `1${name.length}`,
  application_id: applicationId,
  version: '7',
  name,
  description: '',
  type: ApplicationCommandType.ChatInput,
  options: [],
  default_member_permissions: null,
});

const probe = (overrides: Partial<Check> = {}): Check => ({
  name: 'guild',
  needs: [],
  request: () => 'GET /probe',
  run: () => Promise.reject(new Error('unused')),
  ...overrides,
});

describe('the commands check', () => {
  it('fails with "re-add the bot" when InsightFaceSwap is present without /picsi, and ignores another app\'s /picsi', () => {
    const outcome = commandsOutcome(
      [command('picsi', '1100000000000000001'), command('saveid')],
      '42',
      INSIGHTFACESWAP_APPLICATION_ID,
      'picsi',
    );
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: 'no /picsi',
      fix: expect.stringContaining('InsightFaceSwap is in guild 42 but its /picsi command is not in the command index'),
    });
    expect(outcome.details).toMatchObject({
      commands: [{ name: 'saveid' }],
      missing: ['picsi', 'swapid', 'setid', 'listid', 'delid', 'delall'],
    });
  });

  it('lists every reported command that is present, /picsi first', () => {
    const outcome = commandsOutcome(
      ['delall', 'listid', 'picsi', 'swapid'].map((n) => command(n)),
      '42',
      INSIGHTFACESWAP_APPLICATION_ID,
      'picsi',
    );
    expect(outcome).toMatchObject({ status: 'pass', summary: 'picsi swapid listid delall' });
  });
});

describe('failures in words', () => {
  const apiError = (status: number, raw: Record<string, unknown>): DiscordAPIError =>
    new DiscordAPIError({ code: 0, message: 'x', ...raw }, 0, status, 'GET', `${API_URL}/v9/probe`, { body: undefined, files: undefined });

  it('names the gateway rejecting the token, a captcha, a rate limit and other HTTP errors', () => {
    expect(explainFailure(new GatewayFatalError(4004, 'Authentication failed.'), probe(), ACCOUNT, API_URL)).toMatchObject({
      summary: 'closed 4004',
      fix: 'the gateway rejected the token (4004): copy a fresh user token',
    });
    expect(explainFailure(apiError(400, { captcha_key: ['captcha-required'] }), probe(), ACCOUNT, API_URL).fix).toBe(
      'Discord asks this account for a captcha: log in with it in a browser once, then retry',
    );
    const limited = new RateLimitError({
      timeToReset: 2500,
      limit: 1,
      method: 'GET',
      hash: 'h',
      url: API_URL,
      route: '/probe',
      majorParameter: 'g',
      global: false,
      retryAfter: 2500,
      sublimitTimeout: 0,
      scope: 'user',
    });
    expect(explainFailure(limited, probe(), ACCOUNT, API_URL).fix).toBe(
      'Discord rate-limited GET /probe (retry after 3 s): wait and run doctor again',
    );
    expect(explainFailure(apiError(500, { message: 'boom' }), probe(), ACCOUNT, API_URL)).toMatchObject({
      summary: 'HTTP 500',
      fix: expect.stringContaining('GET /probe answered HTTP 500 (boom)'),
    });
  });
});

describe('the runner', () => {
  const logger = pino({ level: 'silent' });

  it('ends a check that ignores its signal at the timeout, explains a thrown error, and skips what depends on a failure', async () => {
    const checks: Check[] = [
      probe({ name: 'token', run: () => Promise.resolve({ status: 'pass', summary: 'me' }) }),
      probe({ name: 'guild', needs: ['token'], run: () => new Promise(() => undefined) }),
      probe({ name: 'channel', needs: ['token'], run: () => Promise.reject(new Error('socket hang up')) }),
      probe({ name: 'upload', needs: ['channel'], run: () => Promise.resolve({ status: 'pass', summary: 'never' }) }),
    ];
    const report = await checkAccount(ACCOUNT, { apiUrl: API_URL, accounts: [ACCOUNT], simulator: false, timeoutMs: 50, logger, checks });

    expect(report.verdict).toBe('fail');
    expect(report.discord).toBe('use…nop');
    expect(report.checks.token).toEqual({ status: 'pass', summary: 'me' });
    expect(report.checks.guild).toMatchObject({ status: 'fail', summary: 'timed out (50 ms)' });
    expect(report.checks.channel).toEqual({ status: 'fail', summary: 'error', fix: 'GET /probe failed: socket hang up' });
    expect(report.checks.upload).toEqual({ status: 'skip', summary: 'skipped (channel failed)' });
  });
});
