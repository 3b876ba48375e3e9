import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * Job ids that sort by creation time (then by a per-process counter), so newest-first paging
 * is stable and matches creation order: 9 base-36 chars of ms, 4 of counter, 8 hex of randomness.
 */
export function newJobId(now: number = Date.now()): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}
