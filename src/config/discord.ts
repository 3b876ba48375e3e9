/** The Discord accounts jobs run on, and where Discord (or the simulator) is. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DiscordAccount } from '../jobs/account.js';
import { BOT_PLANS } from '../jobs/command-costs.js';
import { int, withoutTrailingSlashes, type Parsed } from './variables.js';

export const DISCORD_VARIABLES = {
  DISCORD_ACCOUNTS: { schema: z.string().min(1), default: undefined, secret: true },
  DISCORD_API_URL: { schema: z.string().url().transform(withoutTrailingSlashes), default: 'https://discord.com/api' },
  DISCORD_GLOBAL_RATE_LIMIT: { schema: int(1), default: '50' },
  SIMULATOR_BOT_DELAY_MS: { schema: int(0), default: '3000' },
} as const;

export interface DiscordConfig {
  discord: { apiUrl: string; accounts: DiscordAccount[] | null; globalRequestsPerSecond: number };
  simulator: { botDelayMs: number };
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
  };
}

const snowflake = (field: string) => z.string().regex(/^\d{5,25}$/, `${field} must be a Discord snowflake id`);

const accountSchema = z
  .object({
    channel: snowflake('channel'),
    server: snowflake('server'),
    discord: z.string().min(10, 'discord must be the account user token'),
    label: z.string().max(100).optional(),
    plan: z.enum(BOT_PLANS).optional(),
  })
  .passthrough();

/** DISCORD_ACCOUNTS is a JSON array, or a path to a file holding one. */
export function parseAccounts(value: string): DiscordAccount[] {
  const text = value.trimStart().startsWith('[') ? value : readAccountsFile(value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('is neither a JSON array nor a path to a JSON file');
  }
  const result = z.array(accountSchema).min(1, 'must list at least one account').safeParse(json);
  if (!result.success) {
    throw new Error(result.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; '));
  }
  const channels = new Set<string>();
  for (const account of result.data) {
    if (channels.has(account.channel)) throw new Error(`channel ${account.channel} is listed twice`);
    channels.add(account.channel);
  }
  return result.data.map(({ channel, server, discord, label, plan }) => ({
    channel,
    server,
    discord,
    ...(label ? { label } : {}),
    ...(plan ? { plan } : {}),
  }));
}

function readAccountsFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}
