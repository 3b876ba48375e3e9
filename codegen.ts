import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run schema:print`: prints the schema (sorted) to schema/schema.graphql and types the
 * operation documents in schema/operations/*.graphql for the tests and benchmarks.
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
    'src/generated/operations.ts': {
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
