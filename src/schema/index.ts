import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './job.js';
import './job-queries.js';
import './picsi.js';
import './identities.js';
import './subscriptions.js';
import './accounts.js';

let schema: GraphQLSchema | undefined;

/** The executable schema (built once), sorted so its printed form diffs cleanly. */
export function buildSchema(): GraphQLSchema {
  schema ??= lexicographicSortSchema(builder.toSchema());
  return schema;
}
