/**
 * Account health in the executor: a signal the driver saw (src/discord/account-signals.ts) becomes
 * the account's state with its reason, evidence and time; an operator pauses and resumes. Each change
 * is one atomic swap in the store, so exactly one instance sees an account enter or leave a state
 * that needs a person, and that instance alone logs it loudly and sends the alert (ACCOUNT_ALERT_URL).
 */
import type { Logger } from 'pino';
import { ACCOUNT_SIGNALS, type AccountSignal } from '../discord/account-signals.js';
import { activeHealth, type AccountHealth } from '../jobs/account.js';
import { maskProxy } from '../jobs/account-pacing.js';
import type { AccountRecord, AccountStore } from './store/port.js';

/** A notice about an account, POSTed to ACCOUNT_ALERT_URL (src/callbacks/account-alerts.ts). */
export interface AccountAlert {
  type: 'account.needs_person' | 'account.recovered';
  channel: string;
  label: string | null;
  state: AccountHealth['state'];
  reason: string | null;
  message: string | null;
  evidence: Record<string, unknown> | null;
  /** What the operator does now. */
  action: string;
  /** ISO 8601: when the state was entered. */
  at: string;
}

export interface AlertSink {
  send(alert: AccountAlert): void;
}

const DAY_MS = 86_400_000;
const nextUtcMidnight = (nowMs: number) => Math.floor(nowMs / DAY_MS) * DAY_MS + DAY_MS;

/** The health a signal puts an account in at `nowMs`. */
export function healthOf(signal: AccountSignal, nowMs: number, proxy?: string): AccountHealth {
  const row = ACCOUNT_SIGNALS[signal.id];
  const until =
    row.lasts === undefined ? null : row.lasts === 'credits reset' ? nextUtcMidnight(nowMs) : nowMs + (signal.waitMs ?? row.lasts);
  const evidence = proxy ? { ...signal.evidence, proxy: maskProxy(proxy) } : signal.evidence;
  return { state: row.state, reason: signal.id, message: `${row.recognised}: ${row.action}`, evidence, since: nowMs, until };
}

const RESUME_ACTION = 'nothing: the account takes jobs again';

export class AccountHealthKeeper {
  constructor(
    private readonly coordinator: AccountStore,
    private readonly alerts: AlertSink,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Applies what the driver saw; an operator's pause stands, and a timed state never hides one needing a person. */
  async report(account: Pick<AccountRecord, 'channel' | 'proxy'>, signal: AccountSignal): Promise<AccountHealth | null> {
    const health = healthOf(signal, this.now(), account.proxy);
    const keep = health.state === 'NEEDS_PERSON' ? (['PAUSED'] as const) : (['PAUSED', 'NEEDS_PERSON'] as const);
    const swap = await this.coordinator.setAccountHealth(account.channel, health, keep);
    if (!swap) return null;
    if (swap.applied) this.noteChange(swap.record, swap.previous);
    return swap.record.health;
  }

  async pause(channel: string, note: string | null): Promise<AccountRecord | null> {
    const health: AccountHealth = {
      ...activeHealth(this.now()),
      state: 'PAUSED',
      reason: 'OPERATOR',
      message: note ?? 'paused by an operator (pauseAccount)',
    };
    const swap = await this.coordinator.setAccountHealth(channel, health);
    if (swap) this.noteChange(swap.record, swap.previous);
    return swap?.record ?? null;
  }

  async resume(channel: string): Promise<AccountRecord | null> {
    const swap = await this.coordinator.setAccountHealth(channel, activeHealth(this.now()));
    if (swap) this.noteChange(swap.record, swap.previous);
    return swap?.record ?? null;
  }

  private noteChange(record: AccountRecord, previous: AccountHealth): void {
    const { health } = record;
    const fields = { channel: record.channel, label: record.label, state: health.state, reason: health.reason, from: previous.state };
    if (health.state === previous.state && health.reason === previous.reason) return;
    if (health.state === 'NEEDS_PERSON')
      this.logger.error({ ...fields, evidence: health.evidence }, `account needs a person: ${health.message}`);
    else
      this.logger.warn(fields, `account ${health.state === 'ACTIVE' ? 'back in rotation' : health.state.toLowerCase().replace('_', ' ')}`);
    const entered = health.state === 'NEEDS_PERSON' && previous.state !== 'NEEDS_PERSON';
    const left = previous.state === 'NEEDS_PERSON' && health.state !== 'NEEDS_PERSON';
    if (!entered && !left) return;
    const signal = entered && health.reason ? ACCOUNT_SIGNALS[health.reason as keyof typeof ACCOUNT_SIGNALS] : undefined;
    this.alerts.send({
      type: entered ? 'account.needs_person' : 'account.recovered',
      channel: record.channel,
      label: record.label ?? null,
      state: health.state,
      reason: health.reason ?? (left ? previous.reason : null),
      message: health.message,
      evidence: health.evidence,
      action: signal?.action ?? RESUME_ACTION,
      at: new Date(health.since).toISOString(),
    });
  }
}
