import { describe, expect, it } from 'vitest';
import { daysOf, periodOf, relativeTime } from '../../src/quota/period.js';

describe('allowance periods in UTC', () => {
  it('starts a day at 00:00 UTC and resets at the next midnight UTC', () => {
    const p = periodOf('day', Date.UTC(2026, 11, 1, 23, 59, 59, 999));
    expect(p).toEqual({ kind: 'day', start: Date.UTC(2026, 11, 1), end: Date.UTC(2026, 11, 2), key: 'day:2026-12-01' });
    expect(periodOf('day', Date.UTC(2026, 11, 2)).key).toBe('day:2026-12-02');
  });

  it('starts a week on Monday 00:00 UTC, whatever day it is', () => {
    // 2026-11-30 is a Monday; 2026-12-06 a Sunday.
    for (const day of [30, 31, 32, 33, 34, 35, 36]) {
      const p = periodOf('week', Date.UTC(2026, 10, day, 12));
      expect(p.start).toBe(Date.UTC(2026, 10, 30));
      expect(p.end).toBe(Date.UTC(2026, 11, 7));
      expect(p.key).toBe('week:2026-11-30');
    }
    expect(periodOf('week', Date.UTC(2026, 11, 7)).key).toBe('week:2026-12-07');
    expect(periodOf('week', Date.UTC(2026, 11, 6, 23, 59, 59, 999)).key).toBe('week:2026-11-30');
  });

  it('spans a week across a month and a year boundary', () => {
    // 2026-12-28 is a Monday: the week runs into January 2027.
    const p = periodOf('week', Date.UTC(2027, 0, 2));
    expect(p.key).toBe('week:2026-12-28');
    expect(daysOf(p)).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']);
  });

  it('starts a month on the 1st, February of a leap year included', () => {
    const p = periodOf('month', Date.UTC(2028, 1, 29, 8));
    expect(p).toMatchObject({ start: Date.UTC(2028, 1, 1), end: Date.UTC(2028, 2, 1), key: 'month:2028-02' });
    expect(daysOf(p)).toHaveLength(29);
    expect(periodOf('month', Date.UTC(2026, 11, 31)).end).toBe(Date.UTC(2027, 0, 1));
  });

  it('writes a reset time as a Discord relative timestamp', () => {
    expect(relativeTime(Date.UTC(2026, 11, 2))).toBe(`<t:${Date.UTC(2026, 11, 2) / 1000}:R>`);
  });
});
