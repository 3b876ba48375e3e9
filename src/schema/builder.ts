import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { FileUpload } from 'graphql-upload-ts';
import { AppError } from '../errors.js';
import type { GraphQLContext } from './context.js';
import { decodeGlobalID, encodeGlobalID } from './global-ids.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paging.js';

const FORWARD_ONLY = 'Connections here page forward only (first, after): refused with BAD_USER_INPUT.';

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
    encodeGlobalID,
    decodeGlobalID,
    nodeTypeOptions: {
      description:
        'An object with a global id that node(id:) refetches (the GraphQL Global Object Identification spec): Job, and Account for admin tokens.',
    },
    idFieldOptions: { description: 'Its global id: unique across types, refetchable with node(id:); opaque, never parse it.' },
    // Each node type's loader applies its own visibility (./job.ts, ./accounts.ts): what job(id:) and
    // accounts show, node and nodes show; anything else reads as null, like an id that never existed.
    nodeQueryOptions: {
      description: `The object with this global id; null when there is none you may see (another token's job, an account without an admin token).`,
      args: { id: { description: 'A global id: the `id` of a Job or an Account.' } },
    },
    nodesQueryOptions: {
      description: `The objects with these global ids, in order (at most ${MAX_PAGE_SIZE}); null for each one node(id:) would not show.`,
      args: { ids: { description: 'Global ids (`id` of a Job or an Account).' } },
      resolve: (_root, { ids }, _ctx, _info, resolveNodes) => {
        if (ids.length > MAX_PAGE_SIZE) throw new AppError('BAD_USER_INPUT', `nodes takes at most ${MAX_PAGE_SIZE} ids`);
        return resolveNodes(ids);
      },
    },
    pageInfoTypeOptions: { description: 'Where a page of a connection stands (Relay cursor connections).' },
    hasNextPageFieldOptions: { description: 'More items follow this page: ask again with after: endCursor.' },
    hasPreviousPageFieldOptions: { description: 'Items precede this page (it was asked for with after).' },
    startCursorFieldOptions: { description: 'The cursor of the first edge of this page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'The cursor of the last edge of this page (pass it as after); null when the page is empty.' },
    pageInfoFieldOptions: { description: 'Where this page stands.' },
    edgesFieldOptions: { description: 'The items of this page, in order, each with its cursor.' },
    cursorFieldOptions: { description: 'An opaque cursor: pass it as after to continue after this edge.' },
    nodeFieldOptions: { description: 'The item.' },
    firstArgOptions: { description: `How many items, 1–${MAX_PAGE_SIZE}; unset: ${DEFAULT_PAGE_SIZE}.` },
    afterArgOptions: { description: 'Continue after this cursor (an edge’s cursor or pageInfo.endCursor).' },
    lastArgOptions: { description: FORWARD_ONLY, deprecationReason: FORWARD_ONLY },
    beforeArgOptions: { description: FORWARD_ONLY, deprecationReason: FORWARD_ONLY },
  },
});

builder.queryType({ description: 'Read jobs and accounts.' });
builder.mutationType({ description: 'Start, cancel and configure.' });
builder.subscriptionType({ description: 'Live job updates over graphql-ws.' });
