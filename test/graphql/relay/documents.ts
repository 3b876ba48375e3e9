/**
 * The Relay documents of test/graphql/relay.test.ts. relay-compiler (`npm run schema:print`) reads
 * them here and writes their artifacts to schema/generated/relay/; the test imports the artifacts.
 * This file is never run: without Relay's Babel transform the `graphql` tag throws when called.
 */
import { graphql } from 'relay-runtime';

export const documents = [
  graphql`
    fragment RelayJob_job on Job @refetchable(queryName: "RelayJobRefetchQuery") {
      id
      command
      status
    }
  `,
  graphql`
    fragment RelayJobs_query on Query
    @refetchable(queryName: "RelayJobsPaginationQuery")
    @argumentDefinitions(first: { type: "Int", defaultValue: 2 }, after: { type: "String" }) {
      jobs(first: $first, after: $after) @connection(key: "RelayJobs_jobs") {
        edges {
          node {
            id
            ...RelayJob_job
          }
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  `,
  graphql`
    query RelayJobsQuery {
      ...RelayJobs_query
    }
  `,
];
