/**
 * Every machine-readable code this API emits, as data: GraphQL `extensions.code` values for request
 * errors and the `code` of a failed or cancelled job, with the HTTP status each gets. The README's
 * Errors section follows this table (test/unit/errors-table.test.ts compares them).
 */

export interface ErrorCodeInfo {
  /**
   * The HTTP status of a response this code refuses as a whole (errors, no data): a malformed
   * request, a refused upload, a failed parse or validation. null: the code never refuses a request
   * (job codes, and codes only a resolver raises, which are field errors in a 200).
   */
  httpStatus: number | null;
  /**
   * Raised by a resolver too, the code sets the response's status (and Retry-After): a client sees
   * 401/402/429/503 without reading the body. Any other resolver error is a field error in a 200.
   */
  refusesRequest?: true;
  /** Where the code appears: a rejected GraphQL request, a job's `code`, or both. */
  appearsOn: 'request' | 'job' | 'both';
  description: string;
}

export const ERROR_CODES = {
  BAD_USER_INPUT: {
    httpStatus: 400,
    appearsOn: 'request',
    description:
      'Invalid argument: missing or non-file upload, not an image (the detected content is named), oversize file, more pixels than UPLOAD_MAX_PIXELS, page size out of range, too-long replyUrl/replyRef, invalid options, malformed multipart.',
  },
  CHANNEL_REQUIRED: {
    httpStatus: 400,
    appearsOn: 'request',
    description:
      'An identity command (saveId, swapId, setId, listIds, deleteId, deleteAllIds) without `channel` while more than one account is configured: saved identities live in one Discord account.',
  },
  GRAPHQL_PARSE_FAILED: {
    httpStatus: 400,
    appearsOn: 'request',
    description: 'The document is not valid GraphQL syntax, or has more tokens than allowed (1000).',
  },
  GRAPHQL_VALIDATION_FAILED: {
    httpStatus: 400,
    appearsOn: 'request',
    description:
      'The document does not validate against the schema, or exceeds the depth (8), alias (15), directive or cost (5000) limits.',
  },
  BAD_REQUEST: {
    httpStatus: 400,
    appearsOn: 'request',
    description: 'The HTTP request is not a GraphQL request (no query, body not JSON, GET mutation) — from graphql-yoga.',
  },
  REQUEST_ENTITY_TOO_LARGE: {
    httpStatus: 413,
    appearsOn: 'request',
    description:
      'The request is over the upload limits: more files than UPLOAD_MAX_FILES, an operations/map field over UPLOAD_MAX_FIELD_BYTES, or a body larger than the limits allow.',
  },
  CSRF_PREFLIGHT_REQUIRED: {
    httpStatus: 400,
    appearsOn: 'request',
    description: 'A multipart request without the x-graphql-yoga-csrf or apollo-require-preflight header.',
  },
  ORIGIN_FORBIDDEN: {
    httpStatus: 403,
    appearsOn: 'request',
    description:
      'Open dev mode (no API_TOKENS): a browser request from a page that is not on this machine (its Origin, Sec-Fetch-Site or Host is not loopback).',
  },
  RATE_LIMITED: {
    httpStatus: 429,
    refusesRequest: true,
    appearsOn: 'request',
    description:
      'The API token made more than TOKEN_RATE_LIMIT requests in TOKEN_RATE_WINDOW_SECONDS, or has too many websockets or subscriptions open; retry after extensions.retryAfter seconds (Retry-After).',
  },
  UNAUTHENTICATED: { httpStatus: 401, refusesRequest: true, appearsOn: 'request', description: 'Missing or unknown bearer token.' },
  FORBIDDEN: {
    httpStatus: null,
    appearsOn: 'request',
    description: 'The token may not do this (account management needs an admin token).',
  },
  NOT_FOUND: { httpStatus: null, appearsOn: 'request', description: 'No such job (or not yours), or no such channel.' },
  PAYMENT_REQUIRED: {
    httpStatus: 402,
    refusesRequest: true,
    appearsOn: 'both',
    description:
      'No configured channel has credits left for the request (refused at submit), or every channel a queued job may run on spent its credits for the UTC day (the job fails).',
  },
  TOKEN_CREDITS_SPENT: {
    httpStatus: 402,
    refusesRequest: true,
    appearsOn: 'request',
    description:
      "The API token's jobs spent, or hold for their queued jobs, its TOKEN_DAILY_CREDITS share of the UTC day's credits; extensions say how much (share, spent, reserved, cost) and retryAfter (seconds to 00:00 UTC).",
  },
  CHANNEL_BUSY: {
    httpStatus: 429,
    refusesRequest: true,
    appearsOn: 'request',
    description: 'Every eligible channel is busy (fail-fast mode) or the queue is full; retry after extensions.retryAfter seconds.',
  },
  DISCORD_RATE_LIMITED: {
    httpStatus: null,
    appearsOn: 'job',
    description: 'Discord answered /interactions with 429; errorDetails holds its body (retry_after).',
  },
  BOT_ERROR: {
    httpStatus: null,
    appearsOn: 'job',
    description:
      "The bot replied with an error (no face, invalid option, credits exhausted…); errorDetails holds the bot's text and reason.",
  },
  IDENTITY_NOT_FOUND: {
    httpStatus: null,
    appearsOn: 'job',
    description: "The bot does not know a name the job gave (swapId, setId, deleteId); errorDetails holds the bot's text.",
  },
  TOO_MANY_IDENTITIES: {
    httpStatus: null,
    appearsOn: 'job',
    description: "swapId named more identities than the bot swaps at once; errorDetails holds the bot's text.",
  },
  IDENTITY_LIMIT_REACHED: {
    httpStatus: null,
    appearsOn: 'job',
    description: 'saveId of a new name on an account that has the most saved identities the bot keeps (20): delete one first.',
  },
  INTERACTION_FAILED: {
    httpStatus: null,
    appearsOn: 'job',
    description: 'Discord reported INTERACTION_FAILURE (the bot did not acknowledge in time).',
  },
  DISCORD_UNAUTHORIZED: {
    httpStatus: null,
    appearsOn: 'job',
    description: 'Discord refused the account token (401/403/close 4004); the account is taken out of rotation.',
  },
  DISCORD_ERROR: { httpStatus: null, appearsOn: 'job', description: 'Discord answered with an unexpected error.' },
  ACCOUNT_UNAVAILABLE: {
    httpStatus: null,
    appearsOn: 'both',
    description:
      "The account the request or job must run on needs a person (captcha, token, verification, access, moderation, proxy) or is paused, and no other account may run it; the account's state, reason and evidence in errorDetails (a job) or extensions (a request). resumeAccount refused by a failing check says so too.",
  },
  TIMEOUT: { httpStatus: null, appearsOn: 'job', description: 'The bot did not reply within JOB_TIMEOUT_MS.' },
  EXECUTOR_LOST: {
    httpStatus: null,
    appearsOn: 'job',
    description:
      "The server instance running the job vanished (crash, partition) after sending its command, and the channel's next holder found no answer of the bot within JOB_TIMEOUT_MS of the send (a job whose command was not sent is requeued instead); or a Redis data loss stopped it.",
  },
  CANCELLED: { httpStatus: null, appearsOn: 'job', description: 'Cancelled by its owner (cancelJob) or by shutdown.' },
  SERVICE_UNAVAILABLE: {
    httpStatus: 503,
    refusesRequest: true,
    appearsOn: 'request',
    description:
      'The job store (Redis) or the blob store is unreachable (or the blob store is full) for the moment; retry after extensions.retryAfter seconds. Jobs already accepted are kept and finish once it is back; a refused upload leaves nothing stored.',
  },
  INTERNAL_SERVER_ERROR: {
    httpStatus: 500,
    appearsOn: 'both',
    description: 'An unexpected error; details are logged, never sent to the client.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

type CodeOn<Where extends ErrorCodeInfo['appearsOn']> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]['appearsOn'] extends Where | 'both' ? C : never;
}[ErrorCode];

/** The codes a failed or cancelled job may carry (the GraphQL enum JobErrorCode). */
export type JobErrorCode = CodeOn<'job'>;

export const JOB_ERROR_CODES = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (code): code is JobErrorCode => ERROR_CODES[code].appearsOn !== 'request',
);

/**
 * A failure the client may see: a code from ERROR_CODES, a message safe to show, and extra
 * extensions (e.g. retryAfter in seconds). The GraphQL layer turns it into a GraphQLError; any other
 * thrown error is masked as INTERNAL_SERVER_ERROR.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A client-supplied value as echoed in an error message: long values are cut, so errors stay small. */
export function echoInput(value: string, max = 64): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
