/** The documented answers the routes share (OpenAPI `responses` entries), one definition each. */
import { SCHEMA } from './schemas.js';
import type { ResponseSpec } from './route.js';

const error = (description: string, headers?: Record<string, string>): ResponseSpec => ({
  description,
  schema: SCHEMA.error,
  ...(headers ? { headers } : {}),
});

const RETRY_AFTER = { 'Retry-After': 'Seconds to wait before retrying.' };

export const RESPONSES = {
  badInput: error(
    'Invalid input: a missing or non-file upload, not an image, too many pixels, invalid options or names, replyUrl/replyRef too long, unknown channel.',
  ),
  unauthorized: error('Missing or unknown bearer token: `{"error": "Unauthorized", "code": 401}`.'),
  paymentRequired: error('No channel it may run on has credits left: "Account has no subscription or subscription expired".'),
  forbidden: error('Account management needs an admin token (ADMIN_TOKENS).'),
  notFound: error('No such job (or not yours), or no such channel.'),
  tooLarge: error('More files or bigger fields than the upload limits allow.'),
  busy: error(
    'Every channel busy (mode FAIL_FAST: "Unable to lock Discord after N attempts"), the queue full, or Discord answered 429 ("Discord /interactions failed with HTTP status 429", with errorDetails).',
    RETRY_AFTER,
  ),
  unavailable: error('The job store or the blob store is unreachable for the moment.', RETRY_AFTER),
} as const satisfies Record<string, ResponseSpec>;
