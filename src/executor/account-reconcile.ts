/**
 * At start, the store's accounts are made to match DISCORD_ACCOUNTS (on Redis and embedded alike):
 * every listed account is written as configuration-managed (its health kept across restarts), a
 * configuration-managed account that is no longer listed is removed (its queued pinned jobs then
 * fail, src/executor/service/unrunnable-jobs.ts), and API-managed accounts (upsertAccount) are kept as they
 * are. Every instance must be given the same DISCORD_ACCOUNTS.
 */
import type { Logger } from 'pino';
import type { DiscordAccount } from '../jobs/account.js';
import type { AccountStore } from './store/port.js';

/**
 * The label of the built-in simulator's demo account. Records written before accounts had a manager
 * with this label are demo accounts of earlier starts (each start once made a new one): removed.
 */
export const DEMO_ACCOUNT_LABEL = 'simulated demo account';

export async function reconcileAccounts(
  coordinator: AccountStore,
  configured: readonly DiscordAccount[],
  logger: Logger,
): Promise<string[]> {
  const listed = new Set(configured.map((a) => a.channel));
  const removed: string[] = [];
  for (const stored of await coordinator.listAccounts()) {
    if (listed.has(stored.channel)) continue;
    const staleDemo = stored.label === DEMO_ACCOUNT_LABEL;
    if (stored.managed === 'CONFIG' || staleDemo) {
      await coordinator.deleteAccount(stored.channel);
      removed.push(stored.channel);
    } else {
      // Written again in the current shape (an older record's state fields become its health).
      await coordinator.upsertAccount(stored, { managed: 'API', keepState: true });
    }
  }
  for (const account of configured) await coordinator.upsertAccount(account, { managed: 'CONFIG', keepState: true });
  if (removed.length > 0)
    logger.warn({ channels: removed }, 'accounts not in DISCORD_ACCOUNTS removed: they take no jobs (their queued pinned jobs fail)');
  return removed;
}
