/**
 * The hash tag every key of one deployment shares, derived from REDIS_PREFIX (`picsi:` → `{picsi}:`):
 * Redis Cluster then puts them all on one slot, so a script may touch any of them in one step (the
 * executor's keyspace is src/executor/store/keys.ts, the callback tasks' src/callbacks/keys.ts).
 */
export const hashTagOf = (prefix: string) => `{${prefix.replace(/:+$/, '')}}:`;
