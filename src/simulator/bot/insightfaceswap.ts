/**
 * The simulated InsightFaceSwap bot's own truth: its identity, its commands, what it charges and
 * the words it answers with. Written from the bot's public README and public automation code where
 * they say something (see docs/discord-protocol.md), invented where they do not; the driver never
 * reads this table, so a wording the driver does not understand fails the end-to-end tests.
 */
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { APIApplicationCommandOption, APIEmbed } from 'discord-api-types/v10';

/** The real bot's application id, which is also its user id (public invite links). */
export const BOT_APPLICATION_ID = '1090660574196674713';
export const BOT_USERNAME = 'InsightFaceSwap';

export const PICSI = {
  name: 'picsi',
  description: 'Swap the face of a source image onto a target image or gif',
  /** Option names as the bot declares them in the command index. */
  optionNames: { source: 'source_image', target: 'target_image_gif_or_video', options: 'options' },
} as const;

export type PicsiOptionNames = Record<keyof typeof PICSI.optionNames, string>;

/** The /picsi options as declared in the command index, under the given names. */
export function picsiOptions(names: PicsiOptionNames): APIApplicationCommandOption[] {
  return [
    { type: ApplicationCommandOptionType.Attachment, name: names.source, description: 'Source face image', required: true },
    { type: ApplicationCommandOptionType.Attachment, name: names.target, description: 'Target image or gif', required: true },
    { type: ApplicationCommandOptionType.String, name: names.options, description: 'Extra options, e.g. -m', required: false },
  ];
}

/** Credits a successful /picsi (or /swapid) on a still target costs, and an account's credits per UTC day. */
export const PICSI_CREDIT_COST = 3;
export const DAILY_FREE_CREDITS = 50;

/**
 * The bot's subscription plans and what a GIF target may be on each. Sizes and frame counts are
 * from the bot's README; that a whole GIF costs a flat 20 (Basic) or 30 (Pro) credits is read from
 * its changelog and not confirmed. A GIF over a limit is refused with an error, not truncated (the
 * simulator's own choice).
 */
export type Plan = 'basic' | 'pro';
export const DEFAULT_PLAN: Plan = 'basic';
export const GIF_RULES: Readonly<Record<Plan, { maxFrames: number; credits: number }>> = {
  basic: { maxFrames: 20, credits: 20 },
  pro: { maxFrames: 75, credits: 30 },
};
export const GIF_MAX_BYTES = 10 * 1024 * 1024;

/** Refusals of a GIF target (red embeds like BOT_ERRORS; they name the offending value). */
export const GIF_ERRORS = {
  GIF_TOO_LARGE: (bytes: number) => `GIF too large (${(bytes / 1024 / 1024).toFixed(1)} MB): at most 10 MB.`,
  GIF_TOO_MANY_FRAMES: (frames: number, max: number) => `GIF has too many frames (${frames}): your plan allows at most ${max}.`,
} as const;

/** Colour of the bot's error embeds. */
export const ERROR_COLOUR = 0xff0000;

/** The errors the simulated bot answers with, each a red embed. */
export const BOT_ERRORS = {
  NO_FACE: { title: 'Error', description: 'No face detected in the source image. Please upload a photo with a clearly visible face.' },
  INVALID_OPTION: {
    title: 'Error',
    description: 'Invalid option. Supported options: -m, --shut, --ch, --hl, -f, -s, -e N, -o N, -y N, -a, -x.',
  },
  CREDITS_EXHAUSTED: { title: 'Error', description: 'You do not have enough credits for this swap. Credits are renewed at 00:00 UTC.' },
  DAILY_LIMIT: { title: 'Error', description: 'You have reached your daily limit of swaps. Please try again tomorrow.' },
} as const satisfies Record<string, Pick<APIEmbed, 'title' | 'description'>>;

export type BotErrorKind = keyof typeof BOT_ERRORS;

/** The bot's warning that restricts an account (inferred wording: the real one is not public). */
export const ACCOUNT_WARNING =
  'Warning: your account has been temporarily restricted for violating the usage rules. Acknowledge this warning in the support server to continue.';
export const BOT_ERROR_KINDS = Object.keys(BOT_ERRORS) as BotErrorKind[];

export function errorEmbed(kind: BotErrorKind): APIEmbed {
  return { ...BOT_ERRORS[kind], color: ERROR_COLOUR };
}

/** An error embed like BOT_ERRORS' with a description that names the offending value. */
export function describedErrorEmbed(description: string): APIEmbed {
  return { title: 'Error', description, color: ERROR_COLOUR };
}

/** The text of a result message: a mention of the invoking user. */
export const resultContent = (userId: string): string => `<@${userId}>`;
