/**
 * One spelling per route. Aliases of a path (`/graphql/`, `//graphql`, `/./graphql`,
 * `/graphql/.`, percent-encoded dots or slashes) reached graphql-yoga, which normalises them, but
 * not this server's own checks that look at the path as sent. A path with an empty segment, a dot
 * segment, an encoded dot, slash or backslash, or a backslash is never served: it answers 404
 * before any route is chosen (each route then matches its one spelling).
 */
const ALIAS_MARKS: readonly RegExp[] = [
  /\/\//, // an empty segment: //graphql, /v1//x
  /(^|\/)\.{1,2}(\/|$)/, // a dot segment: /./graphql, /graphql/., /v1/../x
  /%(2e|2f|5c)/i, // an encoded dot, slash or backslash
  /\\/,
];

export function isCanonicalPath(path: string): boolean {
  return path.startsWith('/') && !ALIAS_MARKS.some((mark) => mark.test(path));
}

/** The path of a request as sent (no query), never normalised. */
export const requestPath = (url: string | undefined): string => (url ?? '/').split('?', 1)[0]!;
