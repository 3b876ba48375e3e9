/**
 * Who is making a request, as resolvers see it (src/schema/context.ts) and the HTTP and websocket
 * layers build it (src/http/auth.ts): here so that neither imports the other for it.
 */
export type Role = 'user' | 'admin';

export interface Viewer {
  /** An opaque digest of the token (src/http/auth.ts ownerIdOf): jobs store it, never the token. */
  owner: string;
  role: Role;
  /** True in open dev mode (no tokens configured): every caller is the same anonymous admin. */
  open: boolean;
}
