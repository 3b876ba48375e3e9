/**
 * Whether an account may take a job now: one ordered list of rules, applied by both stores at the
 * claim (the embedded store calls `ineligibility`; the Redis claim runs the same rules in the same
 * order, ./redis/lua/includes/eligibility.lua; test/executor/coordinator-contract.test.ts checks each rule on
 * both). Each rule reads only the account's record, its command count for the day and the gate the
 * caller computed from the account's pacing and its clock (./pacing.ts), so a claim stays O(1).
 *
 * A rule answers undefined (passes), a wait in ms after which it passes by itself, or null (no known
 * end: a person or an event must act).
 */
import { HELD_STATES, TIMED_STATES, type AccountHealth } from '../../jobs/account.js';

/** What the caller decided from the account's pacing settings and the clock. */
export interface ClaimGate {
  /** The day (YYYY-MM-DD) in the account's time zone: its daily command count's key. */
  commandDay: string;
  /** ACCOUNT_DAILY_COMMANDS for the account; null: no cap. */
  dailyCommands: number | null;
  /** How long until `commandDay` ends (when a spent cap passes). */
  dayEndsInMs: number;
  /** How long until the account's active hours open; 0 while they are open. */
  closedForMs: number;
}

export interface EligibilityInput {
  health: Pick<AccountHealth, 'state' | 'until'>;
  /** Pacing: the next command may not start before this (epoch ms). */
  readyAt: number;
  /** A command this server did not send is in the channel until the bot answers it, at most until this. */
  foreignUntil: number;
  /** Commands the account started on `gate.commandDay`. */
  commandsToday: number;
}

export interface EligibilityRule {
  name: 'state' | 'active hours' | 'daily cap' | 'foreign command' | 'pacing';
  blocks(input: EligibilityInput, gate: ClaimGate, nowMs: number): number | null | undefined;
}

const left = (until: number, nowMs: number) => (until > nowMs ? until - nowMs : undefined);

export const ELIGIBILITY_RULES: readonly EligibilityRule[] = [
  {
    name: 'state',
    blocks: ({ health }, _gate, nowMs) => {
      if (HELD_STATES.has(health.state)) return null;
      if (TIMED_STATES.has(health.state)) return health.until === null ? null : left(health.until, nowMs);
      return undefined;
    },
  },
  { name: 'active hours', blocks: (_input, gate) => (gate.closedForMs > 0 ? gate.closedForMs : undefined) },
  {
    name: 'daily cap',
    blocks: ({ commandsToday }, gate) =>
      gate.dailyCommands !== null && commandsToday >= gate.dailyCommands ? Math.max(1, gate.dayEndsInMs) : undefined,
  },
  { name: 'foreign command', blocks: ({ foreignUntil }, _gate, nowMs) => left(foreignUntil, nowMs) },
  { name: 'pacing', blocks: ({ readyAt }, _gate, nowMs) => left(readyAt, nowMs) },
];

/** The first rule that holds the account back, and how long it does (null: no known end); null when eligible. */
export function ineligibility(
  input: EligibilityInput,
  gate: ClaimGate,
  nowMs: number,
): { rule: EligibilityRule['name']; retryInMs: number | null } | null {
  for (const rule of ELIGIBILITY_RULES) {
    const wait = rule.blocks(input, gate, nowMs);
    if (wait !== undefined) return { rule: rule.name, retryInMs: wait };
  }
  return null;
}
