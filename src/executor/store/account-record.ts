/**
 * An account record as both stores keep it: the identity fields of DiscordAccount, its manager,
 * its health (one JSON field, replaced whole), its pacing clock and a foreign command. Redis keeps
 * each field of the hash on its own (./redis/lua/upsert-account-2.lua); the embedded store keeps records as
 * they are. Records written before the health states existed (`enabled`, `disabledReason`,
 * `cooldownUntil`, `exhaustedDay`) read as the matching state.
 */
import { ACCOUNT_STATES, activeHealth, type AccountHealth, type DiscordAccount } from '../../jobs/account.js';
import { BOT_PLANS, type BotPlan } from '../../jobs/command-costs.js';
import type { AccountRecord, ForeignCommand } from './port.js';

/** The identity fields of an account, each stored on its own ('' or absent: unset). */
export const IDENTITY_FIELDS = [
  'server',
  'discord',
  'label',
  'plan',
  'proxy',
  'minGapMs',
  'jitterMs',
  'dailyCommands',
  'activeHours',
  'timezone',
] as const satisfies readonly (keyof DiscordAccount)[];

const isBotPlan = (value: unknown): value is BotPlan => (BOT_PLANS as readonly unknown[]).includes(value);
const NUMBER_FIELDS = new Set(['minGapMs', 'jitterMs', 'dailyCommands']);

/** The identity of an account as strings for Redis: null for a field to remove. */
export function identityFieldsOf(account: DiscordAccount): Record<(typeof IDENTITY_FIELDS)[number], string | null> {
  const out = {} as Record<(typeof IDENTITY_FIELDS)[number], string | null>;
  for (const field of IDENTITY_FIELDS) {
    const value = account[field];
    out[field] = value === undefined || value === null || value === '' ? null : String(value);
  }
  return out;
}

/** Only the DiscordAccount fields of a record (what the driver and the registry's writes take). */
export function identityOf(record: DiscordAccount): DiscordAccount {
  const out: Record<string, unknown> = { channel: record.channel };
  for (const field of IDENTITY_FIELDS) if (record[field] !== undefined && record[field] !== null) out[field] = record[field];
  return out as unknown as DiscordAccount;
}

export function accountOfFields(fields: Record<string, string>): AccountRecord | null {
  const { channel, server, discord } = fields;
  if (channel === undefined || server === undefined || discord === undefined) return null;
  const identity: Record<string, unknown> = { channel };
  for (const field of IDENTITY_FIELDS) {
    const raw = fields[field];
    if (raw === undefined || raw === '') continue;
    identity[field] = NUMBER_FIELDS.has(field) ? Number(raw) : raw;
  }
  if (!isBotPlan(identity['plan'])) delete identity['plan'];
  return normalizeAccount({
    ...identity,
    managed: fields['managed'],
    health: parseJson(fields['health']),
    readyAt: Number(fields['readyAt'] ?? 0),
    foreign: parseJson(fields['foreign']),
    ...legacyOf(fields),
  });
}

/** A stored record in the current shape, whatever version wrote it. */
export function normalizeAccount(raw: Record<string, unknown>): AccountRecord {
  const { enabled, disabledReason, cooldownUntil, exhaustedDay, ...rest } = raw;
  const record = rest as unknown as AccountRecord;
  return {
    ...record,
    managed: record.managed === 'CONFIG' ? 'CONFIG' : 'API',
    health: isHealth(record.health) ? record.health : legacyHealth({ enabled, disabledReason, cooldownUntil, exhaustedDay }),
    readyAt: Number.isFinite(record.readyAt) ? record.readyAt : 0,
    foreign: isForeign(record.foreign) ? record.foreign : null,
  };
}

function legacyOf(fields: Record<string, string>): Record<string, unknown> {
  return {
    enabled: fields['enabled'] === undefined ? undefined : fields['enabled'] !== '0',
    disabledReason: fields['disabledReason'],
    cooldownUntil: fields['cooldownUntil'] === undefined ? undefined : Number(fields['cooldownUntil']),
    exhaustedDay: fields['exhaustedDay'],
  };
}

function legacyHealth(legacy: Record<string, unknown>): AccountHealth {
  if (legacy['enabled'] === false) {
    const reason = typeof legacy['disabledReason'] === 'string' ? legacy['disabledReason'] : 'disabled';
    return { state: 'NEEDS_PERSON', reason: 'TOKEN_REJECTED', message: reason, evidence: null, since: 0, until: null };
  }
  if (typeof legacy['exhaustedDay'] === 'string') {
    const until = Date.parse(`${legacy['exhaustedDay']}T00:00:00.000Z`) + 86_400_000;
    return { state: 'OUT_OF_CREDITS', reason: 'CREDITS_EXHAUSTED', message: null, evidence: null, since: 0, until };
  }
  const cooldown = Number(legacy['cooldownUntil'] ?? 0);
  if (cooldown > 0) return { state: 'COOLING_DOWN', reason: 'RATE_LIMITED', message: null, evidence: null, since: 0, until: cooldown };
  return activeHealth(0);
}

function isHealth(value: unknown): value is AccountHealth {
  return typeof value === 'object' && value !== null && (ACCOUNT_STATES as readonly unknown[]).includes((value as AccountHealth).state);
}

function isForeign(value: unknown): value is ForeignCommand {
  return typeof value === 'object' && value !== null && typeof (value as ForeignCommand).until === 'number';
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
