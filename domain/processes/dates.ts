/**
 * The little date arithmetic the process rules need, on 'YYYY-MM-DD' strings (no Date: domain/ never reads
 * the clock, and a calendar date in Vietnam has no time zone to get wrong). Working days live in domain/calendar.
 */
import { addCalendarMonths, addDays, daysInMonth } from '../calendar/days';
import type { IsoDate, Period } from '../types';

export { addCalendarMonths, daysInMonth };
export { formatDateVi } from '../calendar/format';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** ISO 8601 durations with whole numbers: 'P1D', 'PT30S', 'P1Y2M3W4DT5H6M7S'. Signs and fractions are refused. */
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function parse(date: string): Ymd | undefined {
  const match = ISO_DATE.exec(date);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { y, m, d };
}

/** Parses a date the caller has already validated. */
function parseValid(date: IsoDate): Ymd {
  return parse(date) as Ymd;
}

export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && parse(value) !== undefined;
}

export function isIsoDuration(value: unknown): boolean {
  return typeof value === 'string' && ISO_DURATION.test(value);
}

/** The day before `date`. */
export function previousDay(date: IsoDate): IsoDate {
  return addDays(date, -1);
}

/**
 * Full calendar months from `from` to `to` (negative when `to` is earlier): the largest n with
 * addCalendarMonths(from, n) <= to. Someone born on 2000-01-31 has 216 full months (18 years) on 2018-01-31
 * and 217 on 2018-02-28, because February has no 31st and its last day stands for it.
 */
export function fullMonthsBetween(from: IsoDate, to: IsoDate): number {
  const a = parseValid(from);
  const b = parseValid(to);
  const months = (b.y - a.y) * 12 + (b.m - a.m);
  // Hazard: compare with the clamped anniversary, not the raw day, or the 31st never completes a short month.
  const anniversaryDay = Math.min(a.d, daysInMonth(b.y, b.m));
  return b.d >= anniversaryDay ? months : months - 1;
}

/** The period as people read it: '60 ngày làm việc', '12 tháng', 'PT5S'. */
export function describePeriodVi(period: Period): string {
  switch (period.unit) {
    case 'workingDays':
      return `${period.n} ngày làm việc`;
    case 'calendarDays':
      return `${period.n} ngày`;
    case 'calendarMonths':
      return `${period.n} tháng`;
    case 'duration':
      return `thời lượng ${period.iso}`;
  }
}
