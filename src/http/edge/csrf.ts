/**
 * CSRF defence of POST /graphql: a browser sends a cross-site POST without a CORS preflight only
 * with a "simple" content type (a form's urlencoded or multipart body, text/plain, or none), and
 * never with a custom header. So such a POST must carry a preflight header; JSON bodies (which
 * need a preflight cross-site) pass as they are. The same rule graphql-yoga's and Apollo's CSRF
 * plugins apply; here it covers multipart too, which graphql-upload-ts reads before Yoga.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'] as const;

/** Media types a cross-site form or fetch may send without a preflight (Fetch standard, CORS-safelisted). */
const SIMPLE_TYPES: ReadonlySet<string> = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', '']);

export const hasPreflightHeader = (headers: IncomingHttpHeaders) => PREFLIGHT_HEADERS.some((h) => (headers[h] ?? '') !== '');

const mediaTypeOf = (headers: IncomingHttpHeaders) => (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** True when a POST could have come from a cross-site page without a preflight and carries no preflight header. */
export function needsPreflightHeader(headers: IncomingHttpHeaders): boolean {
  return SIMPLE_TYPES.has(mediaTypeOf(headers)) && !hasPreflightHeader(headers);
}

export const CSRF_MESSAGE = `POST requests with a form or text body (multipart, urlencoded, text/plain) must carry a non-empty ${PREFLIGHT_HEADERS.join(' or ')} header (CSRF protection); JSON requests need none`;
