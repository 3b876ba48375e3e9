/**
 * A fenced write of a run's outcome, retried while the store is unreachable, until it lands or the
 * fence refuses it, for at most WRITE_RETRY_WINDOW_MS (the reaper of a live instance covers the rest).
 */
import type { Logger } from 'pino';
import type { Job } from '../jobs/model.js';
import { jitteredDelayMs } from '../timing/backoff.js';
import { sleep, type Clock } from '../timing/clock.js';

const WRITE_RETRY_WINDOW_MS = 5 * 60_000;
/** Doubling from 500 ms to 4 s, with equal jitter: instances retrying after the same outage spread out. */
const WRITE_BACKOFF = { baseMs: 500, capMs: 4000, jitter: 'equal' } as const;

/** Resolves with the write's answer (null: refused by the fence); rejects once the window is over. */
export async function writeRetrying(write: () => Promise<Job | null>, clock: Clock, log: Logger): Promise<Job | null> {
  const giveUpAt = clock.now() + WRITE_RETRY_WINDOW_MS;
  const never = new AbortController().signal;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (clock.now() >= giveUpAt) throw error;
      log.warn({ err: error }, 'could not write the job outcome; retrying');
      await sleep(clock, jitteredDelayMs(attempt, WRITE_BACKOFF, Math.random), never);
    }
  }
}
