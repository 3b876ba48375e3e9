/**
 * The rules of an account's configuration as a client sends it (GraphQL upsertAccount, REST POST
 * account/<channel>): ids are Discord snowflakes, the token looks like a user token. A refusal is a
 * BAD_USER_INPUT naming the field (and the value, for the ids).
 */
import { AppError, echoInput } from '../errors.js';
import type { DiscordAccount } from './account.js';
import type { BotPlan } from './command-costs.js';

const SNOWFLAKE = /^\d{5,25}$/;
export const MAX_ACCOUNT_LABEL_LENGTH = 100;

export interface AccountInput {
  channel: string;
  server: string;
  discord: string;
  label?: string | null;
  plan?: BotPlan | null;
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
  return {
    channel: input.channel,
    server: input.server,
    discord: input.discord,
    ...(input.label ? { label: input.label } : {}),
    ...(input.plan ? { plan: input.plan } : {}),
  };
}
