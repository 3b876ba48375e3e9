/** The embedded store's accounts and credits (AccountStore, CreditStore): the same rules as the account scripts in ./lua. */
import type { DiscordAccount } from '../../../discord/types.js';
import { activeHealth, HELD_STATES } from '../../../jobs/account.js';
import { identityOf, normalizeAccount } from '../account-record.js';
import { EVENT_ACCOUNTS, EVENT_CHANNEL_FREED, type AccountRecord, type AccountStore, type CreditStore } from '../port.js';
import { commandsKey, tokenCreditsKey } from './state.js';
import type { MemoryStore } from './writes.js';

export function memoryAccounts({ state, now, journal, writes, journaled }: MemoryStore): AccountStore {
  // Records journaled by an earlier version read in the current shape.
  for (const [channel, record] of state.accounts)
    state.accounts.set(channel, normalizeAccount(record as unknown as Record<string, unknown>));
  const setAccount = (channel: string, change: Partial<AccountRecord>) => {
    const account = state.accounts.get(channel);
    if (!account) return null;
    const next = { ...account, ...change };
    state.accounts.set(channel, next);
    journal?.account(channel);
    writes.emit(EVENT_ACCOUNTS, channel);
    return next;
  };
  return {
    upsertAccount: async (account: DiscordAccount, { managed = 'API', keepState = false } = {}) =>
      journaled(() => {
        const previous = state.accounts.get(account.channel);
        const keep = keepState && previous;
        const record: AccountRecord = {
          ...identityOf(account),
          managed,
          health: keep ? previous.health : activeHealth(now()),
          readyAt: keep ? previous.readyAt : 0,
          foreign: keep ? previous.foreign : null,
        };
        state.accounts.set(account.channel, record);
        journal?.account(account.channel);
        writes.emit(EVENT_ACCOUNTS, account.channel);
        writes.emit(EVENT_CHANNEL_FREED, account.channel);
        return record;
      })(),
    getAccount: async (channel) => state.accounts.get(channel) ?? null,
    listAccounts: async () => [...state.accounts.values()],
    deleteAccount: async (channel) =>
      journaled(() => {
        const deleted = state.accounts.delete(channel);
        journal?.account(channel);
        if (deleted) writes.emit(EVENT_ACCOUNTS, channel);
        return deleted;
      })(),
    setAccountHealth: async (channel, health, unless = []) =>
      journaled(() => {
        const account = state.accounts.get(channel);
        if (!account) return null;
        if (unless.includes(account.health.state)) return { applied: false, previous: account.health, record: account };
        const record = setAccount(channel, { health })!;
        if (!HELD_STATES.has(health.state)) writes.emit(EVENT_CHANNEL_FREED, channel);
        return { applied: true, previous: account.health, record };
      })(),
    setForeignCommand: async (channel, foreign, interactionId) =>
      journaled(() => {
        const account = state.accounts.get(channel);
        if (!account) return;
        if (foreign) {
          setAccount(channel, { foreign });
          return;
        }
        if (account.foreign?.interactionId !== interactionId) return;
        setAccount(channel, { foreign: null });
        writes.emit(EVENT_CHANNEL_FREED, channel);
      })(),
  };
}

export function memoryCredits({ state }: MemoryStore): CreditStore {
  return {
    creditsUsed: async (channel, day) => state.credits.get(`${channel}:${day}`) ?? 0,
    tokenCreditsUsed: async (owner, day) => state.credits.get(tokenCreditsKey(owner, day)) ?? 0,
    recountReservations: async () => undefined, // counted as jobs enter and leave the queues: always exact
    creditsUsedOn: async (channels, day) => channels.map((channel) => state.credits.get(`${channel}:${day}`) ?? 0),
    commandsStartedOn: async (accounts) => accounts.map(({ channel, day }) => state.credits.get(commandsKey(channel, day)) ?? 0),
  };
}
