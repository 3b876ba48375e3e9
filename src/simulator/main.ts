/**
 * `npm run simulator`: a standalone simulated Discord several servers can share. Prints the
 * DISCORD_API_URL and DISCORD_ACCOUNTS lines that point a server at it (stdout; logs go to
 * stderr). Environment: SIMULATOR_PORT (4100), SIMULATOR_HOST (127.0.0.1),
 * SIMULATOR_ACCOUNTS (number of demo accounts, 1), SIMULATOR_BOT_DELAY_MS (3000), SIMULATOR_LINK_MBPS (unset: no link limit), LOG_LEVEL.
 * Lines on stdin script an account's faults while it runs (docs/discord-protocol.md, Account health):
 * `fault <channel> captcha|verificationRequired|accessLost|gatewayDown|none`, `revoke <channel>`,
 * `warn <channel>` (the bot's next answer there restricts the account), `person <channel>`.
 */
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { DiscordSimulator, type AccountFault } from './index.js';

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
  linkMbps: intFromEnv('SIMULATOR_LINK_MBPS', 0),
  logger,
});
const count = Math.max(1, intFromEnv('SIMULATOR_ACCOUNTS', 1));
const accounts = Array.from({ length: count }, () => simulator.createAccount());

process.stdout.write(`DISCORD_API_URL=${simulator.apiUrl}\n`);
// Simulated accounts need no protection from bans: printed with pacing off (the server logs it).
process.stdout.write(
  `DISCORD_ACCOUNTS='${JSON.stringify(accounts.map((a) => ({ channel: a.channelId, server: a.guildId, discord: a.token, minGapMs: 0, jitterMs: 0 })))}'\n`,
);

const FAULTS: readonly string[] = ['captcha', 'verificationRequired', 'accessLost', 'gatewayDown'];
const COMMANDS: Record<string, (channel: string, arg: string | undefined) => void> = {
  fault: (channel, fault) =>
    simulator.setAccountFault(
      channel,
      fault === 'none' ? null : FAULTS.includes(fault ?? '') ? (fault as AccountFault) : failWith(`unknown fault ${fault}`),
    ),
  revoke: (channel) => simulator.revokeToken(channel),
  warn: (channel) => simulator.script(channel, { kind: 'accountWarning' }),
  person: (channel) => {
    simulator.personCommand(channel, { delayMs: 3000 }).then(
      () => logger.info({ channel }, 'simulator: the person’s command was answered'),
      (err: unknown) => logger.error({ err, channel }, 'simulator: the person’s command failed'),
    );
  },
};
function failWith(message: string): never {
  throw new Error(message);
}
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command = '', channel = '', arg] = line.trim().split(/\s+/);
  if (!command) return;
  try {
    const run = COMMANDS[command];
    if (!run) throw new Error(`unknown command ${command} (fault, revoke, warn, person)`);
    run(channel, arg);
    logger.warn({ command, channel, arg }, 'simulator: scripted an account fault');
  } catch (error) {
    logger.error({ line, err: (error as Error).message }, 'simulator: could not run the command');
  }
});

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
