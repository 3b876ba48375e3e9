import { describe, expect, it } from 'vitest';
import { jitteredDelayMs, parseRetryAfter, retryDelayMs, type BackoffPolicy } from '../../src/timing/backoff.js';

const policy: BackoffPolicy = { baseMs: 1_000, capMs: 300_000, maxRetryAfterMs: 3_600_000 };
const almostOne = () => 0.999_999;

describe('backoff: exponential with jitter', () => {
  it('doubles the ceiling per attempt, from the base, up to the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 9, 10, 30].map((attempt) => jitteredDelayMs(attempt, policy, almostOne) + 1);
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 256_000, 300_000, 300_000]);
  });

  it('draws uniformly below the ceiling (full jitter: 0 is possible)', () => {
    expect(jitteredDelayMs(3, policy, () => 0)).toBe(0);
    expect(jitteredDelayMs(3, policy, () => 0.5)).toBe(2_000);
  });

  it('with equal jitter, waits at least half the ceiling', () => {
    const equal: BackoffPolicy = { ...policy, jitter: 'equal' };
    expect(jitteredDelayMs(3, equal, () => 0)).toBe(2_000);
    expect(jitteredDelayMs(3, equal, almostOne)).toBe(3_999);
  });

  it('never retries before Retry-After, but a shorter Retry-After does not cut the backoff', () => {
    expect(retryDelayMs(1, 30_000, policy, () => 0)).toBe(30_000);
    expect(retryDelayMs(4, 1_000, policy, () => 0.5)).toBe(4_000);
    expect(retryDelayMs(1, null, policy, () => 0.5)).toBe(500);
  });

  it('clamps an absurd Retry-After to maxRetryAfterMs', () => {
    expect(retryDelayMs(1, 30 * 24 * 3_600_000, policy, () => 0)).toBe(3_600_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-02T03:04:05.000Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to the injected clock', () => {
    expect(parseRetryAfter('Thu, 02 Jan 2025 03:05:35 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Thu, 02 Jan 2025 03:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or malformed value', () => {
    for (const value of [null, '', '-5', '1.5', 'soon', '12abc']) expect(parseRetryAfter(value, now), String(value)).toBeNull();
  });
});
