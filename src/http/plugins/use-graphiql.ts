/**
 * GraphiQL at GET /graphql (a browser asking for HTML), offline: its assets come from
 * @graphql-yoga/render-graphiql, not a CDN. Yoga's built-in one runs before every user plugin,
 * so the edge's checks could not come first: this one is served after them.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { shouldRenderGraphiQL } from 'graphql-yoga';
import { GRAPHQL_PATH } from '../edge/index.js';
import { requestPath } from '../edge/canonical-path.js';
import type { EdgePlugin } from './context.js';

const GRAPHIQL_DEFAULT_QUERY = `# picsi-graphql. With API_TOKENS set, open the Headers tab below and enter
#   { "Authorization": "Bearer <your API token>" }
# Queries and subscriptions (sent over SSE) both use it.
query RecentJobs {
  jobs(first: 10) { edges { node { id status created attachments { url } } } }
}
`;

export function useGraphiQL(): EdgePlugin {
  // The page is 9 MB (GraphiQL with its workers inlined): rendered once, when first asked for.
  let page: string | undefined;
  return {
    onRequest(payload) {
      const { request, serverContext, fetchAPI } = payload;
      if (requestPath(serverContext.req.url) !== GRAPHQL_PATH || !shouldRenderGraphiQL(request)) return;
      page ??= renderGraphiQL({
        title: 'picsi-graphql',
        // Subscriptions over SSE (a POST with Accept: text/event-stream) carry the Headers tab's
        // Authorization like queries do; GraphiQL's graphql-ws transport sent no token in connection_init.
        subscriptionsProtocol: 'SSE',
        defaultQuery: GRAPHIQL_DEFAULT_QUERY,
      });
      payload.endResponse(new fetchAPI.Response(page, { status: 200, headers: { 'content-type': 'text/html' } }));
    },
  };
}
