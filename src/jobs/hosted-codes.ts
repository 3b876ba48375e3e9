/**
 * Every code of src/errors.ts in the hosted API's terms (README "Coming from the hosted API"): the
 * HTTP status it answers with, and the hosted API's own wording where it words that case its own
 * way. One table for both uses: a refused REST request (src/http/rest/errors.ts) answers `{ error,
 * code }` with this status, and a job that failed or was cancelled carries it as its numeric `code`
 * (src/jobs/hosted-job.ts), as the hosted API's jobs do (its sample job: `"code": 200`).
 */
import type { ErrorCode } from '../errors.js';

/** Rewrites one of our messages into the hosted API's wording; `match` is the message matched. */
export interface HostedWording {
  matches: RegExp;
  text: (match: RegExpExecArray, extensions: Readonly<Record<string, unknown>>) => string;
}

export interface HostedCode {
  status: number;
  /** The hosted API's text for every refusal with this code (ours then goes to `detail`). */
  text?: string;
  /** The hosted API's texts for some of our messages; the others are answered as they are. */
  wordings?: readonly HostedWording[];
}

/** The hosted API's text for a channel without an account (our message, and where to create one). */
const UNKNOWN_CHANNEL: HostedWording = {
  matches: /^Configuration not found for channel (.+)$/,
  text: (m) => `${m[0]}, to create POST v1/faceswap/account/${m[1]}`,
};

/**
 * The hosted API documents 400, 401, 402, 404 (an unknown job) and 429 with their texts (README,
 * "Coming from the hosted API"). The statuses of the codes it has no counterpart for, and of failed jobs
 * (whose numbers its documentation does not give), are this project's choice.
 */
export const HOSTED_CODES = {
  BAD_USER_INPUT: {
    status: 400,
    wordings: [
      UNKNOWN_CHANNEL,
      {
        matches: /^channel must be a Discord snowflake id$/,
        text: (_m, ext) =>
          `Required param channel (${typeof ext['value'] === 'string' ? ext['value'] : ''}) is not valid Discord channel id`,
      },
    ],
  },
  CHANNEL_REQUIRED: { status: 400 },
  GRAPHQL_PARSE_FAILED: { status: 400 },
  GRAPHQL_VALIDATION_FAILED: { status: 400 },
  BAD_REQUEST: { status: 400 },
  CSRF_PREFLIGHT_REQUIRED: { status: 400 },
  REQUEST_ENTITY_TOO_LARGE: { status: 413 },
  UNAUTHENTICATED: { status: 401, text: 'Unauthorized' },
  FORBIDDEN: { status: 403 },
  ORIGIN_FORBIDDEN: { status: 403 },
  NOT_FOUND: {
    status: 404,
    wordings: [
      { matches: /^Configuration not found for channel (.+)$/, text: (m) => `${m[0]}, to create POST v1/faceswap/account/${m[1]}` },
    ],
  },
  PAYMENT_REQUIRED: { status: 402, text: 'Account has no subscription or subscription expired' },
  TOKEN_CREDITS_SPENT: { status: 402 },
  CHANNEL_BUSY: { status: 429 },
  RATE_LIMITED: { status: 429 },
  SERVICE_UNAVAILABLE: { status: 503 },
  INTERNAL_SERVER_ERROR: { status: 500 },
  // Job outcomes. The bot's refusals of the input are 422; Discord's or the bot's failures 502/504.
  DISCORD_RATE_LIMITED: { status: 429 },
  BOT_ERROR: { status: 422 },
  IDENTITY_NOT_FOUND: { status: 422 },
  TOO_MANY_IDENTITIES: { status: 422 },
  IDENTITY_LIMIT_REACHED: { status: 422 },
  // An account on hold (a captcha, a moderation hold…): the hosted API answers its calls with 596
  // and the pending message (docs/discord-protocol.md, section 1).
  ACCOUNT_UNAVAILABLE: { status: 596 },
  INTERACTION_FAILED: { status: 502 },
  DISCORD_UNAUTHORIZED: { status: 502 },
  DISCORD_ERROR: { status: 502 },
  TIMEOUT: { status: 504 },
  EXECUTOR_LOST: { status: 500 },
  CANCELLED: { status: 409 },
} as const satisfies Record<ErrorCode, HostedCode>;

/** The status of a completed job, as the hosted API's sample job has it. */
export const COMPLETED_CODE = 200;

/** The hosted API's text for one of our refusals: its fixed text, a rewording, or ours unchanged. */
export function hostedText(code: ErrorCode, message: string, extensions: Readonly<Record<string, unknown>> = {}): string {
  const entry: HostedCode = HOSTED_CODES[code];
  if (entry.text !== undefined) return entry.text;
  for (const wording of entry.wordings ?? []) {
    const match = wording.matches.exec(message);
    if (match) return wording.text(match, extensions);
  }
  return message;
}
