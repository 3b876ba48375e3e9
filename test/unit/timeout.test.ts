import { describe, expect, it } from 'vitest';
import { withTimeout } from '../../src/timing/timeout.js';

const never = () => new Promise<never>(() => undefined);

describe('withTimeout', () => {
  it('settles as the work does when it finishes first, its signal never aborted', async () => {
    let seen: AbortSignal | undefined;
    const value = await withTimeout(
      60_000,
      async (signal) => ((seen = signal), 'done'),
      () => 'late',
    );
    expect(value).toBe('done');
    expect(seen?.aborted).toBe(false);
    await expect(
      withTimeout(
        60_000,
        () => Promise.reject(new Error('boom')),
        () => 'late',
      ),
    ).rejects.toThrow('boom');
  });

  it('settles as onTimeout does once the time is up, and aborts the signal with a TimeoutError', async () => {
    let seen: AbortSignal | undefined;
    const value = await withTimeout(
      1,
      (signal) => ((seen = signal), never()),
      () => 'late',
    );
    expect(value).toBe('late');
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as DOMException).name).toBe('TimeoutError');
  });

  it('rejects when onTimeout throws, even if the work ignores its signal', async () => {
    await expect(
      withTimeout(1, never, () => {
        throw new Error('no answer');
      }),
    ).rejects.toThrow('no answer');
  });
});
