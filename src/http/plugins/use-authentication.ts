/**
 * The one place a request is authenticated: useAuthentication reads the Authorization header of
 * every HTTP request before any other plugin runs and puts the outcome in the server context;
 * the edge's rate limit, /metrics, REST, uploads and the GraphQL context read it from there.
 * graphql-ws (../websocket.ts) calls the same `authenticate` with its connectionParams.
 */
import { AppError } from '../../errors.js';
import type { Viewer } from '../../auth/viewer.js';
import type { Authenticator } from '../auth.js';
import type { Authentication, EdgePlugin } from './context.js';

export type { Authentication } from './context.js';

export function authenticate(authenticator: Authenticator, authorization: unknown): Authentication {
  try {
    return { ok: true, viewer: authenticator.authenticate(authorization) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error };
    throw error;
  }
}

/** The viewer, or the UNAUTHENTICATED error that says why there is none. */
export function viewerOf(authentication: Authentication): Viewer {
  if (!authentication.ok) throw authentication.error;
  return authentication.viewer;
}

export function useAuthentication(authenticator: Authenticator): EdgePlugin {
  return {
    onRequest({ serverContext }) {
      serverContext.authentication = authenticate(authenticator, serverContext.req.headers.authorization);
    },
  };
}
