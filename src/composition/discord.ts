/**
 * The Discord side of the composition root (src/services.ts): real accounts, or the built-in
 * simulator when none is configured (loaded only then); the driver, its metrics and the foreign
 * commands it sees; the doctor's account check; the pacing line logged at start.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createDiscordDriver, type DiscordDriver } from '../discord/index.js';
import type { ForeignCommandEvent } from '../discord/foreign-commands.js';
import type { DiscordAccount } from '../discord/types.js';
import { checkAccount } from '../doctor/runner.js';
import { DEMO_ACCOUNT_LABEL, type AccountCheck } from '../executor/index.js';
import { isUnpaced, pacingOf } from '../jobs/account-pacing.js';
import type { JobService } from '../jobs/job-service.js';
import { discordRouteOf, type Metrics } from '../metrics/instrumentation.js';
import type { DiscordSimulator } from '../simulator/index.js';

export interface ResolvedDiscord {
  apiUrl: string;
  accounts: DiscordAccount[];
  simulator: DiscordSimulator | null;
}

/** The driver, reporting to `metrics`; foreign commands reach the job service once `jobs` resolves. */
export function startDriver(
  config: Config,
  discord: ResolvedDiscord,
  metrics: Metrics,
  jobs: Promise<JobService>,
  logger: Logger,
): DiscordDriver {
  return createDiscordDriver({
    apiUrl: discord.apiUrl,
    logger: logger.child({ component: 'discord' }),
    timeoutMs: config.jobs.timeoutMs,
    globalRequestsPerSecond: config.discord.globalRequestsPerSecond,
    gateway: { onReconnect: () => metrics.gatewayReconnect() },
    onRateLimited: (path) => metrics.discordRateLimited(discordRouteOf(path)),
    onForeignCommand: (event) => recordForeignCommand(event, jobs, logger),
  });
}

/** Opens every configured account's gateway session in the background. */
export function connectAccounts(driver: DiscordDriver, accounts: readonly DiscordAccount[], logger: Logger): void {
  for (const account of accounts) {
    driver
      .connect(account)
      .catch((error: unknown) => logger.warn({ err: error, channel: account.channel }, 'discord: gateway session not ready yet'));
  }
}

export async function resolveDiscord(config: Config, logger: Logger): Promise<ResolvedDiscord> {
  if (config.discord.accounts) return { apiUrl: config.discord.apiUrl, accounts: config.discord.accounts, simulator: null };
  // Loaded only when it is used: a server with real accounts never imports the simulator.
  const { DiscordSimulator } = await import('../simulator/index.js');
  const simulator = await DiscordSimulator.start({
    botDelayMs: config.simulator.botDelayMs,
    logger: logger.child({ component: 'simulator' }),
  });
  const demo = simulator.addDemoAccount();
  // The embedded default, not a fault: said plainly, as information (the README's demo section says the same).
  logger.info(
    { apiUrl: simulator.apiUrl, channel: demo.channelId, botDelayMs: config.simulator.botDelayMs },
    'DISCORD_ACCOUNTS unset: the built-in Discord SIMULATOR with one demo account, the same at every start (simulated results; nothing reaches Discord)',
  );
  return {
    apiUrl: simulator.apiUrl,
    // A simulated account needs no protection from bans: no pacing (logged by logPacing).
    accounts: [{ channel: demo.channelId, server: demo.guildId, discord: demo.token, label: DEMO_ACCOUNT_LABEL, minGapMs: 0, jitterMs: 0 }],
    simulator,
  };
}

/** A command this server did not send in an account's channel: logged, and the channel held until it is answered. */
function recordForeignCommand(event: ForeignCommandEvent, jobs: Promise<JobService>, logger: Logger): void {
  jobs
    .then((service) => service.accounts.foreignCommand(event.channel, event.interactionId, event.running))
    .then((recorded) => {
      if (recorded && event.running)
        logger.warn(
          { channel: event.channel, ...event.evidence },
          "a command this server did not send runs in an account's channel: no job starts there until the bot answered it",
        );
    })
    .catch((error: unknown) => logger.warn({ err: error, channel: event.channel }, 'could not record a foreign command'));
}

export /** resumeAccount's check: `npm run doctor`'s checks of that one account; the first failing check's fix. */
function doctorCheck(apiUrl: string, logger: Logger): AccountCheck {
  return async (account) => {
    const report = await checkAccount(account, { apiUrl, accounts: [account], simulator: false, timeoutMs: 10_000, logger });
    const failed = Object.entries(report.checks).find(([, outcome]) => outcome.status === 'fail');
    return failed ? `${failed[0]}: ${failed[1].fix ?? failed[1].summary}` : null;
  };
}

export /** One line at start: which accounts run without pacing (the simulator's demo account, benchmarks) and which are paced. */
function logPacing(config: Config, accounts: readonly DiscordAccount[], logger: Logger): void {
  const unpaced = accounts.filter((a) => isUnpaced(pacingOf(a, config.accounts.pacing))).map((a) => a.label ?? a.channel);
  const paced = accounts.length - unpaced.length;
  // The simulator's demo account is unpaced by design (nothing to protect): said, not warned about.
  if (unpaced.length > 0)
    logger[config.discord.accounts ? 'warn' : 'info'](
      { accounts: unpaced },
      `account pacing is OFF for ${unpaced.length} account(s): commands follow each other at once`,
    );
  if (paced > 0) logger.info({ pacing: config.accounts.pacing }, `account pacing on for ${paced} account(s)`);
}
