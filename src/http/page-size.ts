/**
 * The cost limit multiplies a field's cost by a literal `first`, so `jobs(first: 500)` was refused
 * with "Query Cost limit of 5000 exceeded" while `first: 101` got the resolver's clear range error.
 * When the cost limit refuses a document, a page size out of range in it is the reason given.
 */
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import { ERROR_CODES } from '../errors.js';
import { MAX_PAGE_SIZE } from '../schema/job-queries.js';

export function pageSizeErrorIn(document: DocumentNode): GraphQLError | null {
  let found: GraphQLError | null = null;
  visit(document, {
    Argument(node) {
      if (found || node.value.kind !== Kind.INT) return;
      const value = Number(node.value.value);
      if (node.name.value === 'first' && (value < 1 || value > MAX_PAGE_SIZE)) {
        found = new GraphQLError(`first must be between 1 and ${MAX_PAGE_SIZE}`, {
          nodes: [node],
          extensions: { code: 'BAD_USER_INPUT', field: 'first', http: { status: ERROR_CODES.BAD_USER_INPUT.httpStatus } },
        });
      } else if (node.name.value === 'last') {
        found = new GraphQLError('jobs pages forward only: use first and after', {
          nodes: [node],
          extensions: { code: 'BAD_USER_INPUT', field: 'last', http: { status: ERROR_CODES.BAD_USER_INPUT.httpStatus } },
        });
      }
    },
  });
  return found;
}
