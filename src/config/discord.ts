/** The Discord accounts jobs run on, and where Discord (or the simulator) is. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DiscordAccount } from '../jobs/account.js';
import { accountSettingProblems, isTimeZone, MAX_GAP_MS, parseActiveHours, type PacingDefaults } from '../jobs/account-pacing.js';
import { BOT_PLANS } from '../jobs/command-costs.js';
import { int, withoutTrailingSlashes, type Parsed } from './variables.js';

/**
 * Pacing defaults for real accounts (the README's "Accounts in the field" gives the reasoning): 15 s
 * between the bot's answer and the next command, plus up to 15 s drawn at random, so commands never
 * come at a machine's fixed rhythm (at most about 160 an hour, far above a free account's credits).
 */
export const DEFAULT_MIN_GAP_MS = '15000';
export const DEFAULT_JITTER_MS = '15000';

export const DISCORD_VARIABLES = {
  DISCORD_ACCOUNTS: { schema: z.string().min(1), default: undefined, secret: true },
  DISCORD_API_URL: { schema: z.string().url().transform(withoutTrailingSlashes), default: 'https://discord.com/api' },
  DISCORD_GLOBAL_RATE_LIMIT: { schema: int(1), default: '50' },
  SIMULATOR_BOT_DELAY_MS: { schema: int(0), default: '3000' },
  ACCOUNT_MIN_GAP_MS: { schema: int(0, MAX_GAP_MS), default: DEFAULT_MIN_GAP_MS },
  ACCOUNT_JITTER_MS: { schema: int(0, MAX_GAP_MS), default: DEFAULT_JITTER_MS },
  ACCOUNT_DAILY_COMMANDS: { schema: int(1), default: undefined },
  ACCOUNT_ACTIVE_HOURS: {
    schema: z.string().refine((v) => parseActiveHours(v) !== null, 'must be HH:MM-HH:MM (24-hour clock, start ≠ end), e.g. 08:00-23:30'),
    default: undefined,
  },
  ACCOUNT_TIMEZONE: { schema: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris'), default: 'UTC' },
  ACCOUNT_ALERT_URL: { schema: z.string().url(), default: undefined },
} as const;

export interface DiscordConfig {
  discord: { apiUrl: string; accounts: DiscordAccount[] | null; globalRequestsPerSecond: number };
  simulator: { botDelayMs: number };
  /** The ACCOUNT_* pacing globals each account's own settings override, and where alerts go. */
  accounts: { pacing: PacingDefaults; alertUrl: string | null };
}

/** The accounts' problems are pushed to `problems`. */
export function discordConfigOf(p: Parsed<typeof DISCORD_VARIABLES>, problems: string[]): DiscordConfig {
  let accounts: DiscordAccount[] | null = null;
  if (p.DISCORD_ACCOUNTS !== undefined) {
    try {
      accounts = parseAccounts(p.DISCORD_ACCOUNTS);
    } catch (error) {
      problems.push(`DISCORD_ACCOUNTS: ${(error as Error).message}`);
    }
  }
  return {
    discord: { apiUrl: p.DISCORD_API_URL, accounts, globalRequestsPerSecond: p.DISCORD_GLOBAL_RATE_LIMIT },
    simulator: { botDelayMs: p.SIMULATOR_BOT_DELAY_MS },
    accounts: {
      pacing: {
        minGapMs: p.ACCOUNT_MIN_GAP_MS,
        jitterMs: p.ACCOUNT_JITTER_MS,
        dailyCommands: p.ACCOUNT_DAILY_COMMANDS ?? null,
        activeHours: p.ACCOUNT_ACTIVE_HOURS ?? null,
        timezone: p.ACCOUNT_TIMEZONE,
      },
      alertUrl: p.ACCOUNT_ALERT_URL ?? null,
    },
  };
}

/** A required text field: "is missing" when absent, rather than zod's type wording. */
const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'must be text') });
const snowflake = () => text().regex(/^\d{5,25}$/, 'must be a Discord snowflake id (digits only)');

const accountSchema = z
  .object({
    channel: snowflake(),
    server: snowflake(),
    discord: text().min(10, "must be the account's user token"),
    label: z.string().max(100, 'must be at most 100 characters').optional(),
    plan: z.enum(BOT_PLANS, { error: `must be ${BOT_PLANS.join(' or ')}` }).optional(),
    proxy: z.string().optional(),
    minGapMs: z.unknown().optional(),
    jitterMs: z.unknown().optional(),
    dailyCommands: z.unknown().optional(),
    activeHours: z.unknown().optional(),
    timezone: z.unknown().optional(),
  })
  .passthrough();

const EXAMPLE_ACCOUNT = '{ "channel": "…", "server": "…", "discord": "…" }';

/**
 * DISCORD_ACCOUNTS is a JSON array, or a path to a file holding one. Each problem names the account
 * (its place in the list and its channel) and the field, in words an operator can act on.
 */
export function parseAccounts(value: string): DiscordAccount[] {
  const json = accountsJson(value);
  if (!Array.isArray(json)) {
    const got = json === null ? 'null' : typeof json === 'object' ? 'one object' : `a ${typeof json}`;
    throw new Error(
      `must be a JSON array of accounts, [${EXAMPLE_ACCOUNT}, …]; got ${got}${got === 'one object' ? ' (put it in [ ])' : ''}`,
    );
  }
  if (json.length === 0) throw new Error(`must list at least one account, [${EXAMPLE_ACCOUNT}, …]`);
  const result = z.array(accountSchema).safeParse(json);
  if (!result.success) throw new Error(result.error.issues.map((issue) => accountIssue(issue, json)).join('; '));
  const channels = new Set<string>();
  const problems: string[] = [];
  for (const [index, account] of result.data.entries()) {
    if (channels.has(account.channel)) throw new Error(`channel ${account.channel} is listed twice`);
    channels.add(account.channel);
    for (const problem of accountSettingProblems(account as DiscordAccount)) problems.push(`${accountName(index, account)}: ${problem}`);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return result.data.map(accountOf);
}

function accountsJson(value: string): unknown {
  const inline = /^\s*[[{]/.test(value);
  const source = inline ? value : readAccountsFile(value);
  try {
    return JSON.parse(source);
  } catch (error) {
    // Node's SyntaxError says what was expected and where, except when the text ends too soon.
    const { message } = error as SyntaxError;
    const where = / at position \d+/.test(message) ? '' : ` at ${positionOf(source, source.length)}`;
    throw new Error(`is not valid JSON${inline ? '' : ` (file ${value})`}: ${message}${where}`, { cause: error });
  }
}

/** As Node's JSON errors say it: "position 32 (line 1 column 33)". */
function positionOf(source: string, position: number): string {
  const before = source.slice(0, position).split('\n');
  return `position ${position} (line ${before.length} column ${before.at(-1)!.length + 1})`;
}

/** "account 2 (channel 123…, its label)", as much of it as the entry has. */
function accountName(index: number, entry: unknown): string {
  const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  const known = [
    typeof fields['channel'] === 'string' && fields['channel'] !== '' ? `channel ${fields['channel']}` : null,
    typeof fields['label'] === 'string' && fields['label'] !== '' ? fields['label'] : null,
  ].filter((part) => part !== null);
  return `account ${index + 1}${known.length > 0 ? ` (${known.join(', ')})` : ''}`;
}

function accountIssue(issue: z.core.$ZodIssue, list: unknown[]): string {
  const [index, ...field] = issue.path;
  if (typeof index !== 'number') return issue.message;
  if (field.length === 0) return `${accountName(index, list[index])}: must be an object like ${EXAMPLE_ACCOUNT}`;
  return `${accountName(index, list[index])}: ${field.join('.')} ${issue.message}`;
}

function accountOf(a: z.infer<typeof accountSchema>): DiscordAccount {
  const { channel, server, discord, label, plan, proxy } = a;
  const pacing = a as DiscordAccount;
  return {
    channel,
    server,
    discord,
    ...(label ? { label } : {}),
    ...(plan ? { plan } : {}),
    ...(proxy ? { proxy } : {}),
    ...(pacing.minGapMs !== undefined ? { minGapMs: pacing.minGapMs } : {}),
    ...(pacing.jitterMs !== undefined ? { jitterMs: pacing.jitterMs } : {}),
    ...(pacing.dailyCommands !== undefined ? { dailyCommands: pacing.dailyCommands } : {}),
    ...(pacing.activeHours !== undefined ? { activeHours: pacing.activeHours } : {}),
    ...(pacing.timezone !== undefined ? { timezone: pacing.timezone } : {}),
  };
}

function readAccountsFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}
