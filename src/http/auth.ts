/**
 * Bearer-token authentication for HTTP and graphql-ws. A viewer's `owner` is an opaque digest of
 * the token: jobs store it, never the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError } from '../errors.js';

const OPEN_MODE_OWNER = 'anonymous';

export const ownerIdOf = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 24);

/** Why a token was refused, as `extensions.reason` of the UNAUTHENTICATED error. */
export type AuthFailure = 'missing token' | 'malformed token' | 'unknown token';

export interface Authenticator {
  /** Resolves an `Authorization` header value (or graphql-ws connectionParams value). */
  authenticate(authorization: unknown): Viewer;
}

export function createAuthenticator(auth: Config['auth']): Authenticator {
  const userTokens = auth.apiTokens.map((t) => Buffer.from(t));
  const adminTokens = auth.adminTokens.map((t) => Buffer.from(t));
  const matches = (list: Buffer[], candidate: Buffer) => list.some((t) => t.length === candidate.length && timingSafeEqual(t, candidate));

  return {
    authenticate(authorization) {
      if (auth.open) return { owner: OPEN_MODE_OWNER, role: 'admin', open: true };
      if (authorization === undefined || authorization === null || authorization === '') {
        throw new AppError('UNAUTHENTICATED', 'Unauthorized: send Authorization: Bearer <API token>', {
          reason: 'missing token' satisfies AuthFailure,
        });
      }
      const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
      if (!match)
        throw new AppError('UNAUTHENTICATED', 'Unauthorized: the Authorization header must be "Bearer <API token>"', {
          reason: 'malformed token' satisfies AuthFailure,
        });
      const token = Buffer.from(match[1]!);
      if (matches(adminTokens, token)) return { owner: ownerIdOf(match[1]!), role: 'admin', open: false };
      if (matches(userTokens, token)) return { owner: ownerIdOf(match[1]!), role: 'user', open: false };
      throw new AppError('UNAUTHENTICATED', 'Unauthorized: unknown API token', { reason: 'unknown token' satisfies AuthFailure });
    },
  };
}
