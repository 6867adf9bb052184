/**
 * Allowance periods, in UTC: a day starts at 00:00 UTC, a week on Monday 00:00 UTC, a month on the 1st. A job is
 * counted in the period it was accepted in.
 */
export type PeriodKind = 'day' | 'week' | 'month';

export interface Period {
  kind: PeriodKind;
  /** First millisecond of the period (epoch ms). */
  start: number;
  /** First millisecond of the next period: when the allowance resets. */
  end: number;
  /** Stable name of the period, e.g. `day:2026-12-01`, `week:2026-11-30`, `month:2026-12`. */
  key: string;
}

const dayMs = 86_400_000;

export function periodOf(kind: PeriodKind, at: number): Period {
  const date = new Date(at);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  if (kind === 'month') {
    const start = Date.UTC(y, m, 1);
    return { kind, start, end: Date.UTC(y, m + 1, 1), key: `month:${isoDay(start).slice(0, 7)}` };
  }
  const today = Date.UTC(y, m, d);
  // getUTCDay: Sunday 0 … Saturday 6; weeks start on Monday.
  const start = kind === 'day' ? today : today - ((date.getUTCDay() + 6) % 7) * dayMs;
  const end = start + (kind === 'day' ? dayMs : 7 * dayMs);
  return { kind, start, end, key: `${kind}:${isoDay(start)}` };
}

/** `YYYY-MM-DD` of the UTC day `at` falls in. */
export function isoDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The UTC days of a period, as `YYYY-MM-DD`, in order (what a per-day index is keyed by). */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let t = period.start; t < period.end; t += dayMs) days.push(isoDay(t));
  return days;
}

/** Discord's relative timestamp markup (`<t:UNIX:R>` shows "in 5 hours" in the member's own locale). */
export function relativeTime(at: number): string {
  return `<t:${Math.floor(at / 1000)}:R>`;
}
