/**
 * What the driver recognises in InsightFaceSwap's replies, as data. The bot's wordings are not
 * public: every pattern here is inferred (docs/discord-protocol.md), written wide enough to catch
 * rephrasings and checked against the message corpus in test/discord/fixtures/bot-messages.ts.
 * Correcting or adding a wording is an edit of one row; reply-classifier.ts holds no wording.
 */

import type { AccountSignalId } from './account-signals.js';
import type { DriverFailureCode } from './types.js';

export type BotErrorCode =
  | 'NO_FACE'
  | 'INVALID_OPTION'
  | 'CREDITS_EXHAUSTED'
  | 'DAILY_LIMIT'
  | 'MODERATED'
  | 'ACCOUNT_WARNING'
  | 'IDENTITY_LIMIT'
  | 'TOO_MANY_IDENTITIES'
  | 'IDENTITY_NOT_FOUND'
  | 'INVALID_ID_NAME';

export interface BotErrorPattern {
  /** Reported as the job's BOT_ERROR reason. */
  readonly code: BotErrorCode;
  /** The job's code when it is not BOT_ERROR (a refusal with its own code in src/errors.ts). */
  readonly jobCode?: Extract<DriverFailureCode, 'IDENTITY_NOT_FOUND' | 'TOO_MANY_IDENTITIES' | 'IDENTITY_LIMIT_REACHED'>;
  /** Matched against the reply's content and embed text (case-insensitive). */
  readonly pattern: RegExp;
  /** The refusal means the account cannot run more commands until the credits reset (00:00 UTC). */
  readonly spendsAccountForToday: boolean;
  /** What the refusal says about the account, not the job (src/discord/account-signals.ts). */
  readonly accountSignal?: Extract<AccountSignalId, 'CREDITS_EXHAUSTED' | 'MODERATION'>;
}

/** Known refusals, first match wins. */
export const BOT_REPLIES: readonly BotErrorPattern[] = [
  {
    code: 'NO_FACE',
    pattern:
      /\bno faces?\b|\bfaces? (?:was |were )?not (?:detected|found)|(?:could ?n[o']t|can ?not|unable to|failed to) (?:detect|find|locate) (?:a |any )?faces?/i,
    spendsAccountForToday: false,
  },
  {
    code: 'INVALID_OPTION',
    pattern:
      /invalid (?:options?|parameters?|arguments?|flags?)\b|(?:unknown|unrecogni[sz]ed|unsupported) (?:options?|flags?|parameters?)\b|(?:option|value) (?:is )?out of range/i,
    spendsAccountForToday: false,
  },
  {
    code: 'CREDITS_EXHAUSTED',
    pattern:
      /(?:not|n't) (?:have )?enough credits|insufficient (?:credits|balance)|\b(?:out|run out|ran out) of credits|no (?:more |remaining )?credits|credits? (?:are |is |have been )?(?:exhausted|used up|depleted)|used (?:up )?all (?:of )?your (?:\w+ )?credits/i,
    spendsAccountForToday: true,
    accountSignal: 'CREDITS_EXHAUSTED',
  },
  {
    code: 'DAILY_LIMIT',
    pattern: /daily (?:limit|quota)|limit for today|try again tomorrow/i,
    spendsAccountForToday: true,
    accountSignal: 'CREDITS_EXHAUSTED',
  },
  {
    // Before TOO_MANY_IDENTITIES: "you can save at most 20 ids" is about the saved list, not a swap.
    code: 'IDENTITY_LIMIT',
    jobCode: 'IDENTITY_LIMIT_REACHED',
    pattern:
      /\bsave (?:at most|up to|only|no more than) \d+\b|(?:reached|hit) (?:the |your )?(?:max(?:imum)?|limit)(?: number)?(?: of)?(?: saved)? (?:ids|identities|faces)|(?:ids?|identit(?:y|ies)) limit (?:reached|exceeded)|too many (?:ids|identities|faces) saved|already (?:have|has) \d+ (?:saved )?(?:ids|identities)/i,
    spendsAccountForToday: false,
  },
  {
    code: 'TOO_MANY_IDENTITIES',
    jobCode: 'TOO_MANY_IDENTITIES',
    pattern:
      /too many (?:ids|identities|idnames|names)\b|at most \d+ (?:ids|identities|idnames|names) (?:per|in one|at once)|(?:more|greater) than \d+ (?:ids|identities|idnames|names)\b/i,
    spendsAccountForToday: false,
  },
  {
    code: 'IDENTITY_NOT_FOUND',
    jobCode: 'IDENTITY_NOT_FOUND',
    pattern:
      /\b(?:identity|id|idname)\b[^\n.]{0,40}?\b(?:not found|does(?:n't| not) exist|is not saved|not (?:a )?saved)|\b(?:unknown|no such|unrecogni[sz]ed) (?:identity|id|idname)\b|(?:could ?n[o']t|can ?not|unable to) find (?:the |your |an? )?(?:saved )?(?:identity|id|idname)\b/i,
    spendsAccountForToday: false,
  },
  {
    code: 'INVALID_ID_NAME',
    pattern:
      /invalid (?:id ?name|identity name|name)\b|(?:id ?name|identity name)s? (?:must|may|can) (?:only )?(?:contain|be|use)|(?:id ?name|name) (?:is )?too long/i,
    spendsAccountForToday: false,
  },
  {
    // Before MODERATED: a warning about the account names a violation too, but it holds the account, not one image.
    code: 'ACCOUNT_WARNING',
    pattern:
      /\b(?:you|your account|this account|the account)(?: (?:have|has))? (?:been |is |are )?(?:temporarily |permanently )?(?:banned|suspended|restricted|blocked|blacklisted|flagged)\b|\b(?:final |last )?warning\b[^\n]{0,60}\b(?:account|ban|violat\w*)|\baccount (?:is )?(?:on hold|under review)\b/i,
    spendsAccountForToday: false,
    accountSignal: 'MODERATION',
  },
  {
    code: 'MODERATED',
    pattern:
      /\bnsfw\b|not safe for work|inappropriate (?:content|image)|violat(?:es|ion of) (?:our|the) (?:rules|terms|policy|guidelines)|content policy|flagged by (?:our )?(?:moderation|filter)/i,
    spendsAccountForToday: false,
  },
];

/** Reason of an error reply that matches no row: the job fails, it never passes for a result. */
export const UNKNOWN_BOT_ERROR = 'UNKNOWN';

/** Wording that makes a reply an error even when no row knows it (inferred). */
export const ERROR_WORDING =
  /\b(?:error|failed|failure|unable to|cannot|can ?not|could ?n[o']t|went wrong|sorry|not (?:allowed|supported|permitted)|invalid|denied|forbidden|banned|timed out)\b/i;

/**
 * Embed colours that mark an error reply (inferred): pure red by convention, and the reds of
 * discord.js (`Colors.Red`, `Colors.DarkRed`) and discord.py (`Colour.red()`).
 */
export const ERROR_EMBED_COLOURS: readonly number[] = [0xff0000, 0xed4245, 0x992d22, 0xe74c3c];

/** The row of a code; every code has exactly one row (checked by a test). */
export function botReply(code: BotErrorCode): BotErrorPattern {
  const row = BOT_REPLIES.find((r) => r.code === code);
  if (!row) throw new Error(`bot-replies: no row for ${code}`);
  return row;
}

/** Whether a BOT_ERROR reason means the account is spent until the credits reset. */
export const spendsAccountForToday = (reason: string | undefined): boolean =>
  BOT_REPLIES.some((reply) => reply.code === reason && reply.spendsAccountForToday);

/** The job code of a refusal: its row's own code, or BOT_ERROR (with the reason in the details). */
export function jobCodeOf(reason: string): DriverFailureCode {
  return BOT_REPLIES.find((reply) => reply.code === reason)?.jobCode ?? 'BOT_ERROR';
}
