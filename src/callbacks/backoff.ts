/**
 * When to try a failed delivery again: exponential backoff with full jitter, never earlier than the
 * receiver's Retry-After (clamped, so a receiver cannot park a delivery for days).
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay; doubles each attempt. */
  baseMs: number;
  /** Largest ceiling the exponential delay can reach. */
  capMs: number;
  /** Largest Retry-After honoured; a longer one is clamped to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000, maxRetryAfterMs: 60 * 60_000 };

/**
 * Full jitter: a uniformly random delay in [0, min(cap, base · 2^(attempt-1))), where `attempt` is
 * the number of the attempt that just failed (1 for the first).
 */
export function jitteredDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** The delay before the next attempt: the jittered backoff, or the receiver's Retry-After if later. */
export function retryDelayMs(attempt: number, retryAfterMs: number | null, policy: BackoffPolicy, random: () => number): number {
  const backoff = jitteredDelayMs(attempt, policy, random);
  if (retryAfterMs === null) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the delay in
 * milliseconds from `nowMs` (0 for a date in the past), or null when absent or malformed.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null; // a bare "-5" or "1.5" is not a date either
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
