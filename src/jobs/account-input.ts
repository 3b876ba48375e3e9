/**
 * The rules of an account's configuration as a client sends it (GraphQL upsertAccount, REST POST
 * account/<channel>): ids are Discord snowflakes, the token looks like a user token, pacing and
 * proxy settings follow ./account-pacing.ts (the same rules as DISCORD_ACCOUNTS at start). A refusal
 * is a BAD_USER_INPUT naming the field (and the value, for the ids).
 */
import { AppError, echoInput } from '../errors.js';
import type { AccountPacing, DiscordAccount } from './account.js';
import { accountSettingProblems } from './account-pacing.js';
import type { BotPlan } from './command-costs.js';

const SNOWFLAKE = /^\d{5,25}$/;
export const MAX_ACCOUNT_LABEL_LENGTH = 100;

export interface AccountInput {
  channel: string;
  server: string;
  discord: string;
  label?: string | null;
  plan?: BotPlan | null;
  proxy?: string | null;
  minGapMs?: number | null;
  jitterMs?: number | null;
  dailyCommands?: number | null;
  activeHours?: string | null;
  timezone?: string | null;
}

export function checkAccountInput(input: AccountInput): DiscordAccount {
  if (!SNOWFLAKE.test(input.channel))
    throw new AppError('BAD_USER_INPUT', 'channel must be a Discord snowflake id', { field: 'channel', value: echoInput(input.channel) });
  if (!SNOWFLAKE.test(input.server))
    throw new AppError('BAD_USER_INPUT', 'server must be a Discord snowflake id', { field: 'server', value: echoInput(input.server) });
  if (input.discord.length < 10 || /\s/.test(input.discord))
    throw new AppError('BAD_USER_INPUT', 'discord must be the account user token', { field: 'discord' });
  if ((input.label?.length ?? 0) > MAX_ACCOUNT_LABEL_LENGTH)
    throw new AppError('BAD_USER_INPUT', `label must be at most ${MAX_ACCOUNT_LABEL_LENGTH} characters`, { field: 'label' });
  const settings = settingsOf(input);
  const [problem] = accountSettingProblems(settings);
  // Each problem starts with the name of its field (./account-pacing.ts).
  if (problem) throw new AppError('BAD_USER_INPUT', problem, { field: problem.split(' ')[0] });
  return {
    channel: input.channel,
    server: input.server,
    discord: input.discord,
    ...(input.label ? { label: input.label } : {}),
    ...(input.plan ? { plan: input.plan } : {}),
    ...settings,
  };
}

/** The pacing and proxy settings the client gave (null and empty text: not given, the globals apply). */
function settingsOf(input: AccountInput): AccountPacing & Pick<DiscordAccount, 'proxy'> {
  return {
    ...(input.proxy ? { proxy: input.proxy } : {}),
    ...(input.minGapMs != null ? { minGapMs: input.minGapMs } : {}),
    ...(input.jitterMs != null ? { jitterMs: input.jitterMs } : {}),
    ...(input.dailyCommands != null ? { dailyCommands: input.dailyCommands } : {}),
    ...(input.activeHours ? { activeHours: input.activeHours } : {}),
    ...(input.timezone ? { timezone: input.timezone } : {}),
  };
}
