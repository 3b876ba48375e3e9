/** Entry point for GraphQL Code Generator (codegen.ts): the schema it prints to schema/schema.graphql. */
import { buildSchema } from './index.js';

export const schema = buildSchema();
export default schema;
