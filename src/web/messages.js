// Words for people: error codes (src/errors.ts), websocket close codes, job states and commands.

const REQUEST_ERRORS = {
  UNAUTHENTICATED: 'This server needs a valid API token. Enter yours above (the operator gives them out).',
  FORBIDDEN: 'Your token may not do this.',
  NOT_FOUND: 'That job does not exist, or it belongs to another token.',
  CHANNEL_REQUIRED: 'Pick the Discord account your faces are saved on first (under Saved faces).',
  REQUEST_ENTITY_TOO_LARGE: 'The upload is too large for this server. Pick smaller images.',
  CSRF_PREFLIGHT_REQUIRED: 'The upload was refused: it lacked the CSRF header (a bug in this page, please report it).',
  PAYMENT_REQUIRED: 'No account has credits left today. Try again after midnight UTC.',
  CHANNEL_BUSY: 'Every channel is busy or the queue is full.',
  SERVICE_UNAVAILABLE: 'The server cannot reach its job store right now. Try again in a moment.',
  GRAPHQL_VALIDATION_FAILED: 'The server did not understand the request (this page may be out of date: reload it).',
  GRAPHQL_PARSE_FAILED: 'The server did not understand the request (this page may be out of date: reload it).',
  BAD_REQUEST: 'The server did not understand the request (this page may be out of date: reload it).',
  NETWORK: 'The server could not be reached. Is it running, and is this the right address?',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the server. Try again; if it keeps happening, tell the operator.',
};

const JOB_ERRORS = {
  BOT_ERROR: 'The bot could not do it',
  IDENTITY_NOT_FOUND: 'The bot does not know one of these names. Refresh the list of saved faces and pick from it.',
  TOO_MANY_IDENTITIES: 'More names than faces the bot swaps at once. Use fewer names.',
  IDENTITY_LIMIT_REACHED: 'This account keeps at most 20 saved faces. Delete one first.',
  INTERACTION_FAILED: 'The bot did not answer in time. Try again.',
  DISCORD_RATE_LIMITED: 'Discord is rate-limiting this account. Try again in a few minutes.',
  DISCORD_UNAUTHORIZED: 'Discord refused the account this server uses. Tell the operator.',
  DISCORD_ERROR: 'Discord answered with an unexpected error. Try again.',
  TIMEOUT: 'The bot took too long to answer. Try again.',
  EXECUTOR_LOST: 'The server running the job stopped before it finished. Try again.',
  CANCELLED: 'The job was cancelled.',
  PAYMENT_REQUIRED: REQUEST_ERRORS.PAYMENT_REQUIRED,
  INTERNAL_SERVER_ERROR: REQUEST_ERRORS.INTERNAL_SERVER_ERROR,
};

/** Why a token was refused (the 401's extensions.reason, the close reason) in words. */
const TOKEN_REASONS = {
  'missing token': 'no token was sent',
  'malformed token': 'it is not written like a token (check for missing characters or spaces)',
  'unknown token': 'this server does not know it (check it, or ask the operator for a valid one)',
};

/** A GraphQL request error as a sentence (field errors are worded by the form that shows them). */
export function explainError(error) {
  const code = error?.extensions?.code;
  const sentence = REQUEST_ERRORS[code];
  if (!sentence) return error?.message || 'Something went wrong.';
  if (code === 'CHANNEL_BUSY' && error.extensions.retryAfter) return `${sentence} Try again in ${error.extensions.retryAfter} s.`;
  return sentence;
}

/** Why a token was refused, from a 401 error or a websocket close event; null when unknown. */
export function tokenRefusal(reason) {
  return reason ? (TOKEN_REASONS[reason] ?? reason) : null;
}

/** A failed or cancelled job's code as a sentence (the bot's own text for a BOT_ERROR). */
export function explainJob(job) {
  const sentence = JOB_ERRORS[job.code] ?? 'The job failed.';
  return job.code === 'BOT_ERROR' && job.error ? `${sentence}: ${job.error}` : sentence;
}

/** A closed websocket (graphql-ws close codes) as a sentence; null for ordinary closes. */
export function explainClose(event) {
  if (event?.code === 4401 || event?.code === 4403)
    return `Live updates were refused: ${tokenRefusal(event.reason) ?? 'no valid token'}. Enter a valid API token above.`;
  if (event?.code >= 4000) return `Live updates stopped: ${event.reason || `close code ${event.code}`}.`;
  return null;
}

const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A job's state in a few words: position in line and estimated start while queued. */
export function jobState(job) {
  switch (job.status) {
    case 'QUEUED': {
      const place = job.queuePosition ? `Queued — position ${job.queuePosition} in line` : 'Queued';
      return job.estimatedStartAt ? `${place}, starting about ${clock(job.estimatedStartAt)}` : place;
    }
    case 'STARTED':
      return 'Started — the bot is working on it…';
    case 'COMPLETED':
      return 'Completed';
    case 'CANCELLED':
      return 'Cancelled';
    default:
      return `Failed: ${explainJob(job)}`;
  }
}

/** What a job did, for the history: the command and its names. */
export function jobTitle(job) {
  const names = job.idname ? ` ${job.idname}` : '';
  const titles = {
    'faceswap-picsi': 'Face swap',
    'faceswap-swapid': `Swap saved faces${names}`,
    'faceswap-saveid': `Save face${names}`,
    'faceswap-setid': `Set default${names}`,
    'faceswap-listid': 'List saved faces',
    'faceswap-delid': `Delete saved face${names}`,
    'faceswap-delall': 'Delete all saved faces',
  };
  return titles[job.verb] ?? job.verb;
}
