import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { FileUpload } from 'graphql-upload-ts';
import { AppError } from '../errors.js';
import type { GraphQLContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    Upload: { Input: Promise<FileUpload>; Output: never };
    DateTime: { Input: string; Output: string };
  };
  AuthScopes: { admin: boolean };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({ admin: ctx.viewer.role === 'admin' }),
    unauthorizedError: () => new AppError('FORBIDDEN', 'Forbidden: this operation needs an admin token'),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.queryType({ description: 'Read jobs and accounts.' });
builder.mutationType({ description: 'Start, cancel and configure.' });
builder.subscriptionType({ description: 'Live job updates over graphql-ws.' });
