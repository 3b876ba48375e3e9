// Error codes (src/errors.ts) and close codes in words for people.

const REQUEST_ERRORS = {
  UNAUTHENTICATED: 'This server needs a valid API token. Enter yours above (the operator gives them out).',
  FORBIDDEN: 'Your token may not do this.',
  NOT_FOUND: 'That job does not exist, or it belongs to another token.',
  BAD_USER_INPUT: 'The request was refused',
  REQUEST_ENTITY_TOO_LARGE: 'The upload is too large for this server',
  CSRF_PREFLIGHT_REQUIRED: 'The upload was refused: it lacked the CSRF header (a bug in this page, please report it).',
  PAYMENT_REQUIRED: 'No account has credits left today. Try again after midnight UTC.',
  CHANNEL_BUSY: 'Every channel is busy or the queue is full.',
  SERVICE_UNAVAILABLE: 'The server cannot reach its job store right now. Try again in a moment.',
  GRAPHQL_VALIDATION_FAILED: 'The server did not understand the request',
  GRAPHQL_PARSE_FAILED: 'The server did not understand the request',
  BAD_REQUEST: 'The server did not understand the request',
  NETWORK: 'The server could not be reached. Is it running, and is this the right address?',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the server. Try again; if it keeps happening, tell the operator.',
};

const JOB_ERRORS = {
  BOT_ERROR: 'The bot could not swap these images',
  INTERACTION_FAILED: 'The bot did not answer in time. Try again.',
  DISCORD_RATE_LIMITED: 'Discord is rate-limiting this account. Try again in a few minutes.',
  DISCORD_UNAUTHORIZED: 'Discord refused the account this server uses. Tell the operator.',
  DISCORD_ERROR: 'Discord answered with an unexpected error. Try again.',
  TIMEOUT: 'The bot took too long to answer. Try again.',
  EXECUTOR_LOST: 'The server running the job stopped before it finished. Try again.',
  CANCELLED: 'The job was cancelled.',
  PAYMENT_REQUIRED: REQUEST_ERRORS.PAYMENT_REQUIRED,
};

/** Codes whose server message is the useful part: the sentence is followed by it. */
const WITH_DETAIL = new Set([
  'BAD_USER_INPUT',
  'REQUEST_ENTITY_TOO_LARGE',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'BOT_ERROR',
]);

/** A GraphQL error ({ message, extensions: { code } }) as a sentence. */
export function explainError(error) {
  const code = error?.extensions?.code;
  const sentence = REQUEST_ERRORS[code];
  if (!sentence) return error?.message || 'Something went wrong.';
  if (code === 'CHANNEL_BUSY' && error.extensions.retryAfter) return `${sentence} Try again in ${error.extensions.retryAfter} s.`;
  return WITH_DETAIL.has(code) ? `${sentence}: ${error.message}` : sentence;
}

/** A failed or cancelled job's code and text as a sentence. */
export function explainJob(job) {
  const sentence = JOB_ERRORS[job.code] ?? 'The job failed.';
  const detail = job.error && WITH_DETAIL.has(job.code) ? `: ${job.error}` : '';
  return `${sentence}${detail}`;
}

/** A closed websocket (graphql-ws close codes) as a sentence; null for ordinary closes. */
export function explainClose(event) {
  if (event?.code === 4401 || event?.code === 4403)
    return `Live updates were refused (${event.reason || 'no valid token'}). Enter a valid API token above.`;
  if (event?.code >= 4000) return `Live updates stopped: ${event.reason || `close code ${event.code}`}.`;
  return null;
}
