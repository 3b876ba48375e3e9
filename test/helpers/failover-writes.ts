/**
 * A steady write loop through a failover: bursts of SETs (optionally each burst confirmed with
 * WAIT 1 100), the failover triggered after a number of writes, the loop ending once enough writes
 * succeeded after it. Then every acknowledged write is read back from the new primary.
 */
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../src/redis/connect.js';

export interface Write {
  key: string;
  ok: boolean;
  at: number;
  /** Replicas that confirmed the write per WAIT (null: no WAIT, or WAIT itself failed). */
  replicas: number | null;
}

export interface FailoverWritesOptions {
  client: RedisClient;
  /** SETs sent together (pipelined by the client) per round. */
  burst: number;
  /** Send WAIT 1 100 after each burst. */
  wait: boolean;
  /** Bytes of each value. */
  valueBytes?: number;
  /**
   * Called once, after this many writes were attempted; resolves when the failover is over.
   * `progress(n)` resolves once n more writes were attempted.
   */
  failoverAfter: number;
  failover: (progress: (writes: number) => Promise<void>) => Promise<void>;
  /** Successful writes needed after the failover before the loop ends. */
  writesAfterFailover: number;
  stopped: () => boolean;
}

/** Resolves on the next `ready`, or after `ms` (never rejects: a failover brings connection errors). */
export const readyOrAfter = (c: RedisClient, ms: number) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      c.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    c.once('ready', done);
  });

export async function writeThroughFailover(options: FailoverWritesOptions): Promise<{ writes: Write[]; failoverAt: number }> {
  const { client } = options;
  const writes: Write[] = [];
  let failoverAt = 0;
  let failover: Promise<void> | null = null;
  const value = 'v'.repeat(options.valueBytes ?? 1);
  const waiters: { at: number; resolve: () => void }[] = [];
  const progress = (n: number) => new Promise<void>((resolve) => waiters.push({ at: writes.length + n, resolve }));
  const okAfterFailover = () => (failoverAt ? writes.filter((w) => w.ok && w.at > failoverAt).length : 0);
  while (!options.stopped() && okAfterFailover() < options.writesAfterFailover) {
    const keys = Array.from({ length: options.burst }, (_, i) => `{picsi}:w:${writes.length + i}`);
    const results = await Promise.allSettled(keys.map((key) => client.set(key, value)));
    const replicas = options.wait && results.some((r) => r.status === 'fulfilled') ? await client.wait(1, 100).catch(() => null) : null;
    const at = Date.now();
    results.forEach((r, i) =>
      writes.push({ key: keys[i]!, ok: r.status === 'fulfilled', at, replicas: r.status === 'fulfilled' ? replicas : null }),
    );
    // No offline queue on the commands role: wait for the reconnect (or a moment) instead of spinning.
    if (results.some((r) => r.status === 'rejected')) await readyOrAfter(client, 200);
    for (const waiter of waiters.filter((w) => writes.length >= w.at)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (!failover && writes.length >= options.failoverAfter) {
      failover = options.failover(progress).then(() => {
        failoverAt = Date.now();
      });
    }
  }
  await failover;
  return { writes, failoverAt };
}

export interface FailoverReport {
  writesAcknowledged: number;
  writesFailed: number;
  /** From the first failed write to the first acknowledged one after it. */
  outageMs: number | null;
  /** From the sentinels' +switch-master (as seen here) to the first acknowledged write after it. */
  resumedAfterSwitchMs: number | null;
  acknowledgedLost: number;
  /** Of the lost ones, how many WAIT had confirmed on a replica (must be 0). */
  confirmedLost: number;
  confirmedByWait: number;
}

export async function reportFailover(run: { writes: Write[]; failoverAt: number }, newPrimary: Redis): Promise<FailoverReport> {
  const acknowledged = run.writes.filter((w) => w.ok);
  const stored = acknowledged.length ? await newPrimary.mget(acknowledged.map((w) => w.key)) : [];
  const lost = acknowledged.filter((_, i) => stored[i] === null);
  const firstFailure = run.writes.find((w) => !w.ok)?.at ?? null;
  const resumed = firstFailure === null ? undefined : run.writes.find((w) => w.ok && w.at > firstFailure);
  const resumedAfterSwitch = run.writes.find((w) => w.ok && w.at > run.failoverAt);
  return {
    writesAcknowledged: acknowledged.length,
    writesFailed: run.writes.length - acknowledged.length,
    outageMs: resumed && firstFailure !== null ? resumed.at - firstFailure : null,
    resumedAfterSwitchMs: resumedAfterSwitch ? resumedAfterSwitch.at - run.failoverAt : null,
    acknowledgedLost: lost.length,
    confirmedLost: lost.filter((w) => (w.replicas ?? 0) >= 1).length,
    confirmedByWait: acknowledged.filter((w) => (w.replicas ?? 0) >= 1).length,
  };
}
