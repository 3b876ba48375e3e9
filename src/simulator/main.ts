/**
 * `npm run simulator`: a standalone simulated Discord several servers can share. Prints the
 * DISCORD_API_URL and DISCORD_ACCOUNTS lines that point a server at it (stdout; logs go to
 * stderr). Environment: SIMULATOR_PORT (4100), SIMULATOR_HOST (127.0.0.1),
 * SIMULATOR_ACCOUNTS (number of demo accounts, 1), SIMULATOR_BOT_DELAY_MS (3000), LOG_LEVEL.
 */
import { pino } from 'pino';
import { DiscordSimulator } from './index.js';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
const simulator = await DiscordSimulator.start({
  host: process.env.SIMULATOR_HOST ?? '127.0.0.1',
  port: intFromEnv('SIMULATOR_PORT', 4100),
  botDelayMs: intFromEnv('SIMULATOR_BOT_DELAY_MS', 3000),
  logger,
});
const count = Math.max(1, intFromEnv('SIMULATOR_ACCOUNTS', 1));
const accounts = Array.from({ length: count }, () => simulator.createAccount());

process.stdout.write(`DISCORD_API_URL=${simulator.apiUrl}\n`);
// Simulated accounts need no protection from bans: printed with pacing off (the server logs it).
process.stdout.write(
  `DISCORD_ACCOUNTS='${JSON.stringify(accounts.map((a) => ({ channel: a.channelId, server: a.guildId, discord: a.token, minGapMs: 0, jitterMs: 0 })))}'\n`,
);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'discord simulator stopping');
  simulator.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'discord simulator did not close cleanly');
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
