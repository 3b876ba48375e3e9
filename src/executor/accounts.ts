/** The account registry the API exposes: tokens stored, only their masked form readable. */
import type { Config } from '../config.js';
import type { DiscordAccount } from '../discord/types.js';
import { DEFAULT_PLAN } from '../jobs/command-costs.js';
import { maskToken } from '../jobs/model.js';
import type { AccountRegistry, AccountView } from '../jobs/service.js';
import { utcDay, type AccountRecord, type Coordinator } from './coordinator.js';

export function createAccountRegistry({
  coordinator,
  config,
  now,
}: {
  coordinator: Coordinator;
  config: Config;
  now: () => number;
}): AccountRegistry {
  const view = async (record: AccountRecord): Promise<AccountView> => {
    const day = utcDay(now());
    const used = record.exhaustedDay === day ? config.jobs.creditsPerDay : await coordinator.creditsUsed(record.channel, day);
    return {
      channel: record.channel,
      server: record.server,
      label: record.label ?? null,
      discord: maskToken(record.discord),
      enabled: record.enabled,
      disabledReason: record.disabledReason,
      plan: record.plan ?? DEFAULT_PLAN,
      credits: {
        timestamp: new Date(now()).toISOString(),
        total: config.jobs.creditsPerDay,
        used: Math.min(used, config.jobs.creditsPerDay),
      },
      busy: (await coordinator.lease(record.channel)) !== null,
    };
  };
  return {
    list: async () => Promise.all((await coordinator.listAccounts()).sort((a, b) => a.channel.localeCompare(b.channel)).map(view)),
    get: async (channel) => {
      const record = await coordinator.getAccount(channel);
      return record ? view(record) : null;
    },
    upsert: async (account: DiscordAccount) => view(await coordinator.upsertAccount(account)),
    delete: (channel) => coordinator.deleteAccount(channel),
  };
}
