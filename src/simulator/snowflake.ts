const DISCORD_EPOCH = 1420070400000n;

/** Makes Discord-style snowflakes from an injected clock: timestamp << 22 | worker | increment. */
export function snowflakeFactory(now: () => number, worker = 1): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0xfffn;
    const ms = BigInt(Math.floor(now())) - DISCORD_EPOCH;
    return ((ms << 22n) | (BigInt(worker & 0x3ff) << 12n) | increment).toString();
  };
}

/** Milliseconds since the Unix epoch encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
