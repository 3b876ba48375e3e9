/** The clock arithmetic of pacing (src/jobs/account-pacing.ts): windows that wrap midnight, time zones, jitter bounds, masking. */
import { describe, expect, it } from 'vitest';
import { closedForMs, gateOf, localTime, maskProxy, nextCommandAt, pacingOf, parseActiveHours } from '../../src/jobs/account-pacing.js';

const H = 3_600_000;
const M = 60_000;

describe('pacing clock', () => {
  it('reads windows, including one that wraps midnight, and refuses an empty one', () => {
    expect(parseActiveHours('08:00-23:30')).toEqual({ start: 480, end: 1410 });
    expect(parseActiveHours('22:00-06:00')).toEqual({ start: 1320, end: 360 });
    expect(parseActiveHours('08:00-08:00')).toBeNull();
    expect(parseActiveHours('8:00-9:00')).toBeNull();
    expect(parseActiveHours('24:00-01:00')).toBeNull();
  });

  it('says how long a window stays closed, across midnight', () => {
    const day = parseActiveHours('08:00-23:30');
    expect(closedForMs(day, 7 * H + 59 * M)).toBe(M);
    expect(closedForMs(day, 8 * H)).toBe(0);
    expect(closedForMs(day, 23 * H + 30 * M)).toBe(8 * H + 30 * M);
    const night = parseActiveHours('22:00-06:00');
    expect(closedForMs(night, 23 * H)).toBe(0);
    expect(closedForMs(night, 5 * H)).toBe(0);
    expect(closedForMs(night, 6 * H)).toBe(16 * H);
    expect(closedForMs(null, 12 * H)).toBe(0);
  });

  it('reads the local day and time in the account’s time zone (DST included)', () => {
    expect(localTime(Date.parse('2026-12-01T23:30:00.000Z'), 'Europe/Paris')).toEqual({ day: '2026-12-02', msOfDay: 30 * M });
    expect(localTime(Date.parse('2026-07-01T22:30:00.000Z'), 'Europe/Paris')).toEqual({ day: '2026-07-02', msOfDay: 30 * M });
    expect(localTime(Date.parse('2026-12-01T03:00:00.500Z'), 'America/New_York')).toEqual({ day: '2026-11-30', msOfDay: 22 * H + 500 });
    const gate = gateOf(
      pacingOf({ dailyCommands: 5, activeHours: '09:00-17:00', timezone: 'Asia/Tokyo' }, DEFAULTS),
      Date.parse('2026-12-01T23:00:00.000Z'),
    );
    expect(gate).toEqual({ commandDay: '2026-12-02', dailyCommands: 5, dayEndsInMs: 16 * H, closedForMs: H });
  });

  it('draws the gap between the minimum and the minimum plus the jitter, both ends included', () => {
    const pacing = { minGapMs: 1500, jitterMs: 1000 };
    expect(nextCommandAt(pacing, 10_000, () => 0)).toBe(11_500);
    expect(nextCommandAt(pacing, 10_000, () => 0.999999)).toBe(12_500);
    expect(nextCommandAt({ minGapMs: 0, jitterMs: 0 }, 10_000, Math.random)).toBe(10_000);
  });

  it('masks a proxy password, and shows a proxy without one as it is', () => {
    expect(maskProxy('http://user:p%40ss@proxy.example:3128')).toBe('http://user:***@proxy.example:3128');
    expect(maskProxy('socks5://10.0.0.5:1080')).toBe('socks5://10.0.0.5:1080');
    expect(maskProxy('nonsense')).toBe('(invalid proxy URL)');
  });
});

const DEFAULTS = { minGapMs: 15_000, jitterMs: 15_000, dailyCommands: null, activeHours: null, timezone: 'UTC' };
