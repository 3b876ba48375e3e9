/** The Redis coordinator's accounts and credits (AccountStore, CreditStore): account hashes and day counters (../keys.ts). */
import type { DiscordAccount } from '../../../discord/types.js';
import { activeHealth, HELD_STATES } from '../../../jobs/account.js';
import { ReplyOutOfStep } from '../../../redis/job-json.js';
import { publish } from '../../../redis/pubsub.js';
import { accountOfFields, identityFieldsOf } from '../account-record.js';
import { EVENT_ACCOUNTS, type AccountStore, type CreditStore, type HealthSwap, type UpsertOptions } from '../port.js';
import type { RedisStore } from './context.js';

const fieldsOf = (flat: string[]) => Object.fromEntries(flat.flatMap((f, i) => (i % 2 === 0 ? [[f, flat[i + 1]!]] : [])));

async function upsertOn({ commands, keys, scripts, publishWith, now }: RedisStore, account: DiscordAccount, opts: UpsertOptions) {
  // An account written before the health states existed keeps what its old fields meant.
  const existing = opts.keepState ? accountOfFields(await commands.hgetall(keys.account(account.channel))) : null;
  const fields = (await scripts.run(
    'upsert-account',
    [keys.account(account.channel), keys.accounts],
    [
      keys.event(''),
      account.channel,
      JSON.stringify(identityFieldsOf(account)),
      opts.managed ?? 'API',
      opts.keepState ? '1' : '0',
      publishWith,
      JSON.stringify(activeHealth(now())),
      existing ? JSON.stringify(existing.health) : '',
    ],
  )) as string[];
  const record = accountOfFields(fieldsOf(fields));
  if (!record) throw new ReplyOutOfStep(`expected account ${account.channel}, got another reply`);
  return record;
}

async function setHealthOn(
  { keys, scripts, publishWith }: RedisStore,
  ...[channel, health, unless = []]: Parameters<AccountStore['setAccountHealth']>
): Promise<HealthSwap | null> {
  const reply = (await scripts.run(
    'set-account-health',
    [keys.account(channel)],
    [keys.event(''), channel, JSON.stringify(health), unless.join(','), publishWith, HELD_STATES.has(health.state) ? '0' : '1'],
  )) as [number, string, ...string[]] | null;
  if (!reply) return null;
  const [applied, previous, ...fields] = reply;
  const record = accountOfFields(fieldsOf(fields));
  if (!record) throw new ReplyOutOfStep(`expected account ${channel}, got another reply`);
  return {
    applied: Number(applied) === 1,
    previous: (accountOfFields({ ...fieldsOf(fields), health: previous }) ?? record).health,
    record,
  };
}

export function redisAccounts(store: RedisStore): AccountStore {
  const { commands, keys, scripts, publishWith } = store;
  return {
    upsertAccount: (account, opts = {}) => upsertOn(store, account, opts),
    getAccount: async (channel) => accountOfFields(await commands.hgetall(keys.account(channel))),
    async listAccounts() {
      const channels = await commands.smembers(keys.accounts);
      const pipeline = commands.pipeline();
      for (const channel of channels) pipeline.hgetall(keys.account(channel));
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([, fields]) => accountOfFields(fields as Record<string, string>)).filter((a) => a !== null);
    },
    async deleteAccount(channel) {
      const [[, deleted] = []] = (await commands.multi().del(keys.account(channel)).srem(keys.accounts, channel).exec()) ?? [];
      if (deleted === 1) await publish(commands, keys.event(EVENT_ACCOUNTS), channel);
      return deleted === 1;
    },
    setAccountHealth: (...args) => setHealthOn(store, ...args),
    async setForeignCommand(channel, foreign, interactionId) {
      await scripts.run(
        'set-foreign-command',
        [keys.account(channel)],
        [keys.event(''), channel, foreign ? JSON.stringify(foreign) : '', interactionId, publishWith],
      );
    },
  };
}

export function redisCredits({ commands, keys, scripts }: RedisStore): CreditStore {
  return {
    creditsUsed: async (channel, day) => Number((await commands.get(keys.credits(channel, day))) ?? 0),
    tokenCreditsUsed: async (owner, day) => Number((await commands.hget(keys.tokenCredits(day), owner)) ?? 0),
    async recountReservations() {
      await scripts.run('recount-reservations', [keys.reserve, keys.reserved, keys.jobPrefix], []);
    },
    async creditsUsedOn(channels, day) {
      if (channels.length === 0) return [];
      // One MGET: every key carries the executor's hash tag, so a Cluster serves it from one slot.
      const values = await commands.mget(channels.map((channel) => keys.credits(channel, day)));
      return values.map((value) => Number(value ?? 0));
    },
    async commandsStartedOn(accounts) {
      if (accounts.length === 0) return [];
      const values = await commands.mget(accounts.map(({ channel, day }) => keys.commands(channel, day)));
      return values.map((value) => Number(value ?? 0));
    },
  };
}
