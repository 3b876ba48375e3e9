/**
 * `npm run doctor`: checks each configured Discord account (token, guild and channel, the bot's
 * commands, a gateway session, an upload slot) without running a bot command, prints one table
 * (or `--json`) and exits 0 when every account passes, 1 when one fails, 2 on a configuration error.
 */
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import type { DiscordAccount } from '../discord/types.js';
import { maskToken } from '../jobs/model.js';
import { USAGE, UsageError, parseDoctorArgs } from './args.js';
import { runDoctor } from './runner.js';
import { formatReport } from './table.js';
import { resolveTarget } from './target.js';

const EXIT_FAILED = 1;
const EXIT_CONFIG = 2;

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseDoctorArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return EXIT_CONFIG;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfig().config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return EXIT_CONFIG;
  }
  const target = await resolveTarget(config);
  const logger = pino(
    { level: args.verbose ? 'debug' : 'silent' },
    { write: (line: string) => process.stderr.write(redactTokens(line, target.accounts)) },
  );
  try {
    const report = await runDoctor({ ...target, timeoutMs: args.timeoutMs, logger });
    const text = args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report);
    process.stdout.write(redactTokens(text, target.accounts));
    return report.ok ? 0 : EXIT_FAILED;
  } finally {
    await target.close();
  }
}

/** Defence in depth: should any message ever echo a token, only its masked form is printed. */
function redactTokens(text: string, accounts: readonly DiscordAccount[]): string {
  return accounts.reduce((out, a) => out.replaceAll(a.discord, maskToken(a.discord)), text);
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`doctor failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_FAILED);
  },
);
