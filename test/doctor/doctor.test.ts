import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountReport, DoctorReport } from '../../src/doctor/types.js';
import type { DiscordAccount } from '../../src/discord/types.js';
import { DiscordSimulator } from '../../src/simulator/index.js';
import type { SimulatedAccount } from '../../src/simulator/index.js';
import type { DoctorRun } from './helpers.js';
import { runDoctorProcess, startHangingProxy } from './helpers.js';

const configured = (a: SimulatedAccount, label?: string): DiscordAccount => ({
  channel: a.channelId,
  server: a.guildId,
  discord: a.token,
  ...(label ? { label } : {}),
});
const UNKNOWN_ID = '123456789012345678';

describe('npm run doctor against the simulator', () => {
  let sim: DiscordSimulator;
  const tokens: string[] = [];

  const account = (overrides: Partial<SimulatedAccount> = {}): SimulatedAccount => {
    const created = sim.createAccount(overrides);
    tokens.push(created.token);
    return created;
  };

  /** Runs doctor on these accounts and checks that no token reached its output. */
  const doctor = async (accounts: DiscordAccount[], args: string[] = [], apiUrl = sim.apiUrl): Promise<DoctorRun> => {
    for (const a of accounts) tokens.push(a.discord);
    const run = await runDoctorProcess({ DISCORD_API_URL: apiUrl, DISCORD_ACCOUNTS: JSON.stringify(accounts) }, args);
    for (const token of tokens) {
      expect(run.stdout).not.toContain(token);
      expect(run.stderr).not.toContain(token);
    }
    return run;
  };
  const json = async (
    accounts: DiscordAccount[],
    args: string[] = [],
    apiUrl?: string,
  ): Promise<{ run: DoctorRun; report: DoctorReport }> => {
    const run = await doctor(accounts, ['--json', ...args], apiUrl);
    return { run, report: JSON.parse(run.stdout) as DoctorReport };
  };
  const byChannel = (report: DoctorReport, channel: string): AccountReport => {
    const found = report.accounts.find((a) => a.channel === channel);
    if (!found) throw new Error(`no report for channel ${channel}`);
    return found;
  };
  const expectAllPass = (a: AccountReport): void => {
    expect(a.verdict).toBe('pass');
    for (const outcome of Object.values(a.checks)) expect(outcome.status).toBe('pass');
  };

  beforeAll(async () => {
    sim = await DiscordSimulator.start({ botDelayMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('passes two good accounts with a clean table and exit 0', async () => {
    const one = account();
    const two = account();
    const run = await doctor([configured(one, 'first'), configured(two)]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Checking 2 accounts against ${sim.apiUrl}`);
    const lines = run.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('channel'));
    expect(header?.split(/\s{2,}/)).toEqual([
      'channel',
      'label',
      'proxy',
      'user',
      'guild/channel',
      'commands',
      'gateway',
      'upload slot',
      'verdict',
    ]);
    for (const a of [one, two]) {
      const row = lines.find((l) => l.startsWith(a.channelId));
      expect(row).toMatch(
        /none +picsi_user_\d+ +picsi guild \d+ \/ #picsi-\d+ +picsi saveid swapid setid listid delid … +READY +ok +PASS$/,
      );
    }
    expect(run.stdout).not.toContain('FAIL');
    expect(run.stdout).not.toContain('What to fix');
    expect(run.stdout).toContain('All accounts passed.');
    expect(run.stdout).toMatch(/\/picsi +id \d+ +version \d+ +options: source_image, target_image_gif_or_video, options/);
    expect(run.stderr).toBe('');
  });

  it('reports the user, the guild, the channel and the commands with ids, versions and option names in --json', async () => {
    const one = account();
    const { run, report } = await json([configured(one, 'first')]);

    expect(run.code).toBe(0);
    expect(report).toMatchObject({ apiUrl: sim.apiUrl, simulator: false, ok: true });
    const a = byChannel(report, one.channelId);
    expectAllPass(a);
    expect(a).toMatchObject({ server: one.guildId, label: 'first', discord: `${one.token.slice(0, 3)}…${one.token.slice(-3)}` });
    expect(a.checks.token.details).toMatchObject({ id: one.userId });
    expect(a.checks.channel.details).toMatchObject({ id: one.channelId, guildId: one.guildId });
    expect(a.checks.gateway.details).toEqual({ userId: one.userId });
    const commands = a.checks.commands.details as {
      commands: { name: string; id: string; version: string; options: string[] }[];
      missing: string[];
    };
    expect(commands.commands.map((c) => c.name)).toEqual(['picsi', 'saveid', 'swapid', 'setid', 'listid', 'delid', 'delall']);
    expect(commands.commands[0]).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      version: expect.stringMatching(/^\d+$/),
      options: ['source_image', 'target_image_gif_or_video', 'options'],
    });
    expect(commands.missing).toEqual([]);
    // The slot was asked for, never used: no upload reached the simulator.
    expect(sim.requests.filter((r) => r.method === 'PUT')).toEqual([]);
  });

  it('a rejected token fails that account (401, later checks skipped) while the good one passes', async () => {
    const good = account();
    const victim = account();
    const bad = { ...configured(victim), discord: `${victim.token.slice(0, -6)}xxxxxx` };
    const { run, report } = await json([configured(good), bad]);

    expect(run.code).toBe(1);
    expect(report.ok).toBe(false);
    expectAllPass(byChannel(report, good.channelId));
    const failed = byChannel(report, victim.channelId);
    expect(failed.verdict).toBe('fail');
    expect(failed.checks.token).toMatchObject({
      status: 'fail',
      summary: '401 Unauthorized',
      fix: 'token rejected (401): copy a fresh user token',
    });
    for (const name of ['guild', 'channel', 'commands', 'gateway', 'upload'] as const) {
      expect(failed.checks[name]).toEqual({ status: 'skip', summary: 'skipped (token failed)' });
    }

    const text = await doctor([configured(good), bad], ['--verbose']);
    expect(text.stderr).toContain('gateway session ready');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`channel ${victim.channelId}:\n  - token: token rejected (401): copy a fresh user token`);
    expect(text.stdout).toContain('1 of 2 accounts failed.');
  });

  it('an unknown channel, a channel of a guild the account is not in, and a channel of another guild each fail precisely', async () => {
    const good = account();
    const stranger = account();
    const other = account({ token: good.token, userId: good.userId });
    const unknown = { ...configured(good), channel: UNKNOWN_ID, label: 'unknown' };
    const invisible = { ...configured(good), channel: stranger.channelId, label: 'invisible' };
    const elsewhere = { ...configured(good), channel: other.channelId, label: 'elsewhere' };
    const { run, report } = await json([configured(good), unknown, invisible, elsewhere]);

    expect(run.code).toBe(1);
    expectAllPass(byChannel(report, good.channelId));
    const u = byChannel(report, UNKNOWN_ID);
    expect(u.checks.channel).toMatchObject({
      status: 'fail',
      summary: '404 Unknown Channel',
      fix: `channel ${UNKNOWN_ID} not visible to this account: invite the account to the channel's server / check the channel id`,
    });
    expect(u.checks.upload).toEqual({ status: 'skip', summary: 'skipped (channel failed)' });
    for (const name of ['token', 'guild', 'commands', 'gateway'] as const) expect(u.checks[name].status).toBe('pass');
    expect(byChannel(report, stranger.channelId).checks.channel).toMatchObject({
      status: 'fail',
      summary: '403 Missing Access',
      fix: expect.stringContaining(`channel ${stranger.channelId} not visible to this account`),
    });
    expect(byChannel(report, other.channelId).checks.channel).toMatchObject({
      status: 'fail',
      summary: `in guild ${other.guildId}`,
      fix: `channel ${other.channelId} belongs to guild ${other.guildId}, not to guild ${good.guildId}: fix "server" or "channel" in DISCORD_ACCOUNTS`,
    });
  });

  it('an unknown guild fails the guild check and skips the command index', async () => {
    const good = account();
    const { run, report } = await json([{ ...configured(good), server: UNKNOWN_ID }]);

    expect(run.code).toBe(1);
    const a = byChannel(report, good.channelId);
    expect(a.checks.guild).toMatchObject({
      status: 'fail',
      summary: '404 Unknown Guild',
      fix: `guild ${UNKNOWN_ID} not visible to this account: join the server with this account / check the server id`,
    });
    expect(a.checks.commands).toEqual({ status: 'skip', summary: 'skipped (guild failed)' });
    expect(a.checks.channel.status).toBe('fail');
  });

  it('InsightFaceSwap missing from a guild fails that account with "add the bot"', async () => {
    const good = account();
    const lonely = account();
    sim.removeBotFromGuild(lonely.guildId);
    const { run, report } = await json([configured(good), configured(lonely)]);

    expect(run.code).toBe(1);
    expectAllPass(byChannel(report, good.channelId));
    const a = byChannel(report, lonely.channelId);
    expect(a.checks.commands).toMatchObject({
      status: 'fail',
      summary: 'bot missing',
      fix: `InsightFaceSwap is not in guild ${lonely.guildId}: add the bot to the server`,
    });
    for (const name of ['token', 'guild', 'channel', 'gateway', 'upload'] as const) expect(a.checks[name].status).toBe('pass');
  });

  it('a hung REST endpoint times out with a clear cause and does not hang doctor', async () => {
    const good = account();
    const proxy = await startHangingProxy(new URL(sim.apiUrl).origin, /application-command-index/);
    try {
      const { run, report } = await json([configured(good)], ['--timeout-ms', '500'], proxy.apiUrl);

      expect(run.code).toBe(1);
      expect(proxy.held).toBe(1);
      const a = byChannel(report, good.channelId);
      expect(a.checks.commands).toMatchObject({
        status: 'fail',
        summary: 'timed out (500 ms)',
        fix: `GET /guilds/${good.guildId}/application-command-index got no answer within 500 ms: check DISCORD_API_URL and the network, or retry with a longer --timeout-ms`,
      });
      for (const name of ['token', 'guild', 'channel', 'gateway', 'upload'] as const) expect(a.checks[name].status).toBe('pass');
    } finally {
      await proxy.close();
    }
  });

  it('a gateway that never becomes reachable times out the gateway check only', async () => {
    const good = account();
    const proxy = await startHangingProxy(new URL(sim.apiUrl).origin, /\/gateway$/);
    try {
      const { run, report } = await json([configured(good)], ['--timeout-ms', '500'], proxy.apiUrl);

      expect(run.code).toBe(1);
      expect(proxy.held).toBeGreaterThanOrEqual(1);
      const a = byChannel(report, good.channelId);
      expect(a.checks.gateway).toMatchObject({
        status: 'fail',
        summary: 'timed out (500 ms)',
        fix: expect.stringContaining('the gateway (IDENTIFY → READY) got no answer within 500 ms'),
      });
      for (const name of ['token', 'guild', 'channel', 'commands', 'upload'] as const) expect(a.checks[name].status).toBe('pass');
    } finally {
      await proxy.close();
    }
  });

  it('an unreachable DISCORD_API_URL fails with the connection error', async () => {
    const good = account();
    const proxy = await startHangingProxy(new URL(sim.apiUrl).origin, /never/);
    await proxy.close();
    const { run, report } = await json([configured(good)], [], proxy.apiUrl);

    expect(run.code).toBe(1);
    expect(byChannel(report, good.channelId).checks.token).toMatchObject({
      status: 'fail',
      summary: 'ECONNREFUSED',
      fix: `cannot reach ${proxy.apiUrl} (ECONNREFUSED): check DISCORD_API_URL and the network`,
    });
  });

  it('a configuration error exits 2 without echoing the token', async () => {
    const run = await runDoctorProcess({
      DISCORD_ACCOUNTS: JSON.stringify([{ channel: 'general', server: '1234567', discord: 'secret-token-value' }]),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DISCORD_ACCOUNTS: account 1 (channel general): channel must be a Discord snowflake id (digits only)');
    expect(run.stderr + run.stdout).not.toContain('secret-token-value');

    const usage = await runDoctorProcess({}, ['--timeout-ms', 'soon']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--timeout-ms must be a positive integer');
  });

  it('without DISCORD_ACCOUNTS it says so and checks the built-in simulator demo account', async () => {
    const run = await runDoctorProcess({});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "DISCORD_ACCOUNTS is unset: checking the built-in simulator's demo account (a simulated Discord, not the real one).",
    );
    expect(run.stdout).toMatch(/simulated demo account +none +picsi_user_1 +.* PASS$/m);
  });
});
