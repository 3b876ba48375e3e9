/**
 * What each InsightFaceSwap command costs in credits and what a GIF target may be, as one table
 * (docs/discord-protocol.md, "The InsightFaceSwap bot"). Every number is marked: the bot publishes
 * the GIF size and frame limits in its README, the rest is inferred (a third-party page for /picsi,
 * the bot's changelog for the GIF price, by analogy for the others). Only /picsi's price has a
 * configuration knob today (`PICSI_CREDIT_COST`, config.jobs.creditCost); callers pass it in so
 * the table stays the default and the knob wins.
 */
import { AppError } from '../errors.js';
import type { BotCommand } from './commands.js';

export type { BotCommand };
export const BOT_PLANS = ['basic', 'pro'] as const;
export type BotPlan = (typeof BOT_PLANS)[number];

export interface TableValue {
  value: number;
  /** False only where a public source of the bot states the number. */
  inferred: boolean;
  source: string;
  /** The configuration variable that overrides it, when there is one. */
  configKey?: 'PICSI_CREDIT_COST';
}

/** Credits per command on a still target (or none). GIF targets cost GIF_RULES instead. */
export const COMMAND_COSTS: Readonly<Record<BotCommand, TableValue>> = {
  picsi: { value: 3, inferred: true, source: 'third-party page: 3 of a free account’s 50 daily credits', configKey: 'PICSI_CREDIT_COST' },
  swapid: { value: 3, inferred: true, source: 'assumed the same swap as /picsi with a saved face' },
  saveid: { value: 0, inferred: true, source: 'assumed free: no image is produced' },
  setid: { value: 0, inferred: true, source: 'assumed free: settings only' },
  listid: { value: 0, inferred: true, source: 'assumed free: settings only' },
  delid: { value: 0, inferred: true, source: 'assumed free: settings only' },
  delall: { value: 0, inferred: true, source: 'assumed free: settings only' },
};

/** Commands that take a target image, so a GIF target applies. */
export const TARGET_COMMANDS: ReadonlySet<BotCommand> = new Set(['picsi', 'swapid']);

export interface GifRule {
  maxFrames: TableValue;
  /** Credits for the whole GIF, whatever its frame count within the limit. */
  credits: TableValue;
  maxBytes: TableValue;
}

const README = 'bot README';
const CHANGELOG = 'bot changelog: 20 frames for 20 credits (Basic), 75 frames for 30 credits (Pro)';
const GIF_MAX_BYTES = { value: 10 * 1024 * 1024, inferred: false, source: `${README}: GIF targets up to 10 MB` } as const;

export const GIF_RULES: Readonly<Record<BotPlan, GifRule>> = {
  basic: {
    maxFrames: { value: 20, inferred: false, source: README },
    credits: { value: 20, inferred: true, source: CHANGELOG },
    maxBytes: GIF_MAX_BYTES,
  },
  pro: {
    maxFrames: { value: 75, inferred: false, source: README },
    credits: { value: 30, inferred: true, source: CHANGELOG },
    maxBytes: GIF_MAX_BYTES,
  },
};

/** The plan an account is assumed to have until told otherwise (inferred). */
export const DEFAULT_PLAN: BotPlan = 'basic';

/** An animated target as measured before sending (a one-frame GIF is a still image). */
export interface TargetShape {
  format: string;
  frames: number;
  bytes: number;
}

export const isAnimatedGif = (target: TargetShape | undefined): boolean => target?.format === 'gif' && target.frames > 1;

/**
 * Credits `command` will cost with this target on this plan. `picsiCreditCost` is the configured
 * PICSI_CREDIT_COST (it applies to /picsi; the table's value otherwise).
 */
export function creditCost(
  command: BotCommand,
  target: TargetShape | undefined,
  plan: BotPlan = DEFAULT_PLAN,
  picsiCreditCost?: number,
): number {
  if (TARGET_COMMANDS.has(command) && isAnimatedGif(target)) return GIF_RULES[plan].credits.value;
  if (command === 'picsi' && picsiCreditCost !== undefined) return picsiCreditCost;
  return COMMAND_COSTS[command].value;
}

/** Refuses a GIF target the bot would refuse on this plan (BAD_USER_INPUT on `field`); still images pass. */
export function checkGifTarget(target: TargetShape, plan: BotPlan = DEFAULT_PLAN, field = 'target'): void {
  if (target.format !== 'gif') return;
  const rule = GIF_RULES[plan];
  if (target.bytes > rule.maxBytes.value) {
    throw new AppError('BAD_USER_INPUT', `GIF target is ${target.bytes} bytes; the bot accepts at most ${rule.maxBytes.value} (10 MB)`, {
      field,
      max: rule.maxBytes.value,
    });
  }
  if (target.frames > rule.maxFrames.value) {
    throw new AppError(
      'BAD_USER_INPUT',
      `GIF target has ${target.frames} frames; the ${plan} plan allows at most ${rule.maxFrames.value}`,
      { field, max: rule.maxFrames.value },
    );
  }
}
