/**
 * The account registry the API exposes: tokens and proxy passwords stored, only their masked forms
 * readable; each account's manager, health, pacing and credits; pause and resume (resume runs the
 * doctor's checks of that account first); a stream of changes for accountUpdated.
 */
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { currentHealth, HELD_STATES, type DiscordAccount } from '../jobs/account.js';
import { maskProxy, pacingOf } from '../jobs/account-pacing.js';
import { DEFAULT_PLAN } from '../jobs/command-costs.js';
import { maskToken } from '../jobs/model.js';
import type { AccountRegistry, AccountView } from '../jobs/job-service.js';
import type { AccountHealthKeeper } from './account-health.js';
import {
  EVENT_ACCOUNTS,
  utcDay,
  type AccountRecord,
  type AccountStore,
  type ClaimStore,
  type CreditStore,
  type StoreEvents,
} from './store/port.js';
import { inbox } from './service/watch.js';

/** The doctor's checks of one account: null when they pass, else the failing check's text. */
export type AccountCheck = (account: DiscordAccount) => Promise<string | null>;

export interface AccountRegistryDeps {
  coordinator: AccountStore & CreditStore & ClaimStore & StoreEvents;
  config: Config;
  health: AccountHealthKeeper;
  check: AccountCheck;
  now: () => number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function createAccountRegistry(deps: AccountRegistryDeps): AccountRegistry {
  const { coordinator, config, health, check, now } = deps;
  const view = (record: AccountRecord) => accountView(deps, record);
  const existing = async (channel: string): Promise<AccountRecord> => {
    const record = await coordinator.getAccount(channel);
    if (!record) throw new AppError('NOT_FOUND', `Configuration not found for channel ${channel}`, { channel });
    return record;
  };
  return {
    list: async () => Promise.all((await coordinator.listAccounts()).sort((a, b) => a.channel.localeCompare(b.channel)).map(view)),
    get: async (channel) => {
      const record = await coordinator.getAccount(channel);
      return record ? view(record) : null;
    },
    upsert: async (account: DiscordAccount) => view(await coordinator.upsertAccount(account, { managed: 'API' })),
    delete: (channel) => coordinator.deleteAccount(channel),
    async pause(channel, note) {
      await existing(channel);
      return view((await health.pause(channel, note))!);
    },
    async resume(channel) {
      const record = await existing(channel);
      const failure = await check(record);
      if (failure !== null)
        throw new AppError('ACCOUNT_UNAVAILABLE', `resumeAccount refused: ${failure}`, {
          channel,
          state: record.health.state,
          reason: record.health.reason,
        });
      return view((await health.resume(channel))!);
    },
    async foreignCommand(channel, interactionId, running) {
      // A placeholder in a channel that a job holds is that job's (sent by another instance, whose
      // gateway session is not this one), or a person's that the running job cannot avoid anyway.
      if (running && (await coordinator.lease(channel))) return false;
      // Bounded: a command the bot never answers frees the channel after the job timeout.
      const foreign = running ? { interactionId, until: now() + config.jobs.timeoutMs } : null;
      await coordinator.setForeignCommand(channel, foreign, interactionId);
      return true;
    },
    watch: (channel, signal) => watchAccounts(deps, channel, signal),
  };
}

/** An account as the API shows it: masked secrets, the health that holds now, effective pacing, credits. */
async function accountView({ coordinator, config, now }: AccountRegistryDeps, record: AccountRecord): Promise<AccountView> {
  const at = now();
  const day = utcDay(at);
  const state = currentHealth(record.health, at);
  const used = state.state === 'OUT_OF_CREDITS' ? config.jobs.creditsPerDay : await coordinator.creditsUsed(record.channel, day);
  const pacing = pacingOf(record, config.accounts.pacing);
  const held = HELD_STATES.has(state.state);
  return {
    channel: record.channel,
    server: record.server,
    label: record.label ?? null,
    discord: maskToken(record.discord),
    managed: record.managed,
    health: { ...state, since: iso(state.since)!, until: iso(state.until) },
    enabled: !held,
    disabledReason: held ? `${state.reason ?? state.state}: ${state.message ?? ''}`.trim() : null,
    plan: record.plan ?? DEFAULT_PLAN,
    proxy: record.proxy ? maskProxy(record.proxy) : null,
    pacing: {
      minGapMs: pacing.minGapMs,
      jitterMs: pacing.jitterMs,
      dailyCommands: pacing.dailyCommands,
      activeHours: record.activeHours ?? config.accounts.pacing.activeHours,
      timezone: pacing.timezone,
      nextCommandAt: record.readyAt > at ? iso(record.readyAt) : null,
    },
    foreignCommand: record.foreign !== null && record.foreign.until > at,
    credits: { timestamp: new Date(at).toISOString(), total: config.jobs.creditsPerDay, used: Math.min(used, config.jobs.creditsPerDay) },
    busy: (await coordinator.lease(record.channel)) !== null,
  };
}

/** The current views first (one channel's, or all), then each change; an unchanged view is not repeated. */
async function* watchAccounts(deps: AccountRegistryDeps, channel: string | null, signal: AbortSignal): AsyncGenerator<AccountView> {
  const { coordinator } = deps;
  const changes = inbox<string>(signal, async (deliver) => {
    const unsubscribe = await coordinator.subscribe(EVENT_ACCOUNTS, deliver);
    const stopReconnect = coordinator.onReconnect(() => deliver(''));
    // Subscribed: the current state first, then every change.
    deliver('');
    return async () => {
      stopReconnect();
      await unsubscribe().catch(() => undefined);
    };
  });
  const last = new Map<string, string>();
  for await (const changed of changes) {
    const records = changed === '' ? await coordinator.listAccounts() : [await coordinator.getAccount(changed)];
    for (const record of records) {
      if (!record || (channel !== null && record.channel !== channel)) continue;
      const current = await accountView(deps, record);
      const { credits: _credits, busy: _busy, ...shown } = current;
      const key = JSON.stringify(shown);
      if (last.get(record.channel) === key) continue;
      last.set(record.channel, key);
      yield current;
    }
  }
}
