/** An account as stored in its Redis hash (each field written on its own: see lua/upsert-account-2.lua). */
import type { AccountRecord } from './coordinator.js';

export function accountOfFields(fields: Record<string, string>): AccountRecord | null {
  const { channel, server, discord } = fields;
  if (channel === undefined || server === undefined || discord === undefined) return null;
  return {
    channel,
    server,
    discord,
    ...(fields['label'] ? { label: fields['label'] } : {}),
    enabled: fields['enabled'] !== '0',
    disabledReason: fields['disabledReason'] ?? null,
    cooldownUntil: Number(fields['cooldownUntil'] ?? 0),
    exhaustedDay: fields['exhaustedDay'] ?? null,
  };
}
