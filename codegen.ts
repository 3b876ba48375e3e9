import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run schema:print`: prints the schema (sorted) to schema/schema.graphql and types the
 * operation documents in schema/operations/*.graphql (schema/generated/operations.ts) for the tests;
 * then relay-compiler (its config is package.json's "relay") compiles the Relay test's documents
 * against that schema into schema/generated/relay/.
 */
const config: CodegenConfig = {
  schema: './src/schema/printable.ts',
  documents: ['schema/operations/*.graphql'],
  overwrite: true,
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: false, sort: true, commentDescriptions: false },
    },
    'schema/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: { Upload: { input: 'File | Blob', output: 'never' }, DateTime: 'string' },
      },
    },
  },
};

export default config;
