/** An account as stored in its Redis hash (each field written on its own: see lua/upsert-account-2.lua). */
import { BOT_PLANS, type BotPlan } from '../jobs/command-costs.js';
import type { AccountRecord } from './coordinator.js';

const isBotPlan = (value: string | undefined): value is BotPlan => (BOT_PLANS as readonly (string | undefined)[]).includes(value);

export function accountOfFields(fields: Record<string, string>): AccountRecord | null {
  const { channel, server, discord } = fields;
  if (channel === undefined || server === undefined || discord === undefined) return null;
  return {
    channel,
    server,
    discord,
    ...(fields['label'] ? { label: fields['label'] } : {}),
    ...(isBotPlan(fields['plan']) ? { plan: fields['plan'] } : {}),
    enabled: fields['enabled'] !== '0',
    disabledReason: fields['disabledReason'] ?? null,
    cooldownUntil: Number(fields['cooldownUntil'] ?? 0),
    exhaustedDay: fields['exhaustedDay'] ?? null,
  };
}
