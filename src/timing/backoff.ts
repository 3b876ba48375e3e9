/**
 * When to try a failed call again: exponential backoff with jitter, never earlier than the server's
 * Retry-After (clamped, so a server cannot park a retry for days).
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay; doubles each attempt. */
  baseMs: number;
  /** Largest ceiling the exponential delay can reach. */
  capMs: number;
  /** Largest Retry-After honoured; a longer one is clamped to this. */
  maxRetryAfterMs: number;
  /**
   * full (the default): anywhere below the ceiling, which spreads many clients retrying at once best;
   * equal: at least half the ceiling, so a single caller never retries at once.
   */
  jitter?: 'full' | 'equal';
}

/**
 * A random delay below min(cap, base · 2^(attempt-1)), where `attempt` is the number of the attempt
 * that just failed (1 for the first): in [0, ceiling) with full jitter, [ceiling/2, ceiling) with equal.
 */
export function jitteredDelayMs(attempt: number, policy: Omit<BackoffPolicy, 'maxRetryAfterMs'>, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const share = policy.jitter === 'equal' ? 0.5 + random() / 2 : random();
  return Math.floor(share * ceiling);
}

/** The delay before the next attempt: the jittered backoff, or the server's Retry-After if later. */
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
