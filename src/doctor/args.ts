/** Command-line options of `npm run doctor`. */
import { parseArgs } from 'node:util';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface DoctorArgs {
  json: boolean;
  timeoutMs: number;
  verbose: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run doctor -- [--json] [--timeout-ms N] [--verbose]

Checks every account of DISCORD_ACCOUNTS against DISCORD_API_URL without running a bot command.
  --json          print the report as JSON
  --timeout-ms N  longest wait for each check (default ${DEFAULT_TIMEOUT_MS})
  --verbose       log the Discord client's activity to stderr
Exit status: 0 all accounts pass, 1 an account fails, 2 configuration error.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseDoctorArgs(argv: readonly string[]): DoctorArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: 'boolean', default: false },
        'timeout-ms': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const rawTimeout = values['timeout-ms'];
  const timeoutMs = rawTimeout === undefined ? DEFAULT_TIMEOUT_MS : Number(rawTimeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new UsageError(`--timeout-ms must be a positive integer (milliseconds), got "${rawTimeout ?? ''}"`);
  return { json: values.json, timeoutMs, verbose: values.verbose, help: values.help };
}
