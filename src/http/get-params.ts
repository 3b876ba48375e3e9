/**
 * A GraphQL GET request's `variables` and `extensions` parameters must be JSON objects. graphql-yoga
 * JSON.parses them without a guard, so a malformed one surfaced as an unexpected error
 * (INTERNAL_SERVER_ERROR, logged with a stack) for what is a client's mistake: 400 BAD_REQUEST.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga';

const JSON_OBJECT_PARAMS = ['variables', 'extensions'] as const;

function problemOf(raw: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'is not valid JSON';
  }
  return value === null || (typeof value === 'object' && !Array.isArray(value)) ? null : 'must be a JSON object';
}

export const useGetParamsCheck = (): Plugin => ({
  onRequestParse({ request }) {
    if (request.method !== 'GET') return;
    const params = new URL(request.url).searchParams;
    for (const name of JSON_OBJECT_PARAMS) {
      const raw = params.get(name);
      const problem = raw === null ? null : problemOf(raw);
      if (problem) {
        throw createGraphQLError(`The GET parameter "${name}" ${problem}.`, {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      }
    }
  },
});
