/** Discord's epoch (2015-01-01T00:00:00Z) in ms since the Unix epoch. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/**
 * A factory of snowflake-like nonces, as Discord clients send them: the time since Discord's epoch
 * shifted left by 22 bits plus a per-process counter, so nonces are unique and time-ordered.
 */
export function createNonceFactory(now: () => number): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0x3fffffn;
    const ms = BigInt(Math.max(0, Math.floor(now()))) - DISCORD_EPOCH_MS;
    return (((ms < 0n ? 0n : ms) << 22n) | increment).toString();
  };
}

/** Milliseconds since the Unix epoch encoded in a snowflake, or undefined for a non-snowflake. */
export function snowflakeTime(id: string): number | undefined {
  if (!/^\d{1,20}$/.test(id)) return undefined;
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}
