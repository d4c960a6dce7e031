/**
 * Integer day arithmetic on the proleptic Gregorian calendar, and the mapping between instants and
 * Vietnamese calendar days. domain/ may not use the global Date (it would invite reading the clock), so
 * every date is turned into a day number (days since 1970-01-01) and back with exact integer formulas
 * (H. Hinnant, "chrono-compatible low-level date algorithms").
 */
import type { EpochMs, IsoDate } from '../types';
import { CalendarError } from './errors';

/** Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact for every modern date. */
// Bound once, as in lunar.ts: global lookups are slow inside a vm context (Jest, the workflow sandbox).
const { floor } = Math;

export const VIETNAM_UTC_OFFSET_MS = 7 * 3_600_000;
export const MS_PER_DAY = 86_400_000;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to the given civil date (negative before). Fields must already be valid. */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Count from 1 March so that the leap day is the last day of the counted year.
  const y = month <= 2 ? year - 1 : year;
  const era = floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + floor(yearOfEra / 4) - floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The inverse of daysFromCivil. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = floor(
    (dayOfEra - floor(dayOfEra / 1460) + floor(dayOfEra / 36_524) - floor(dayOfEra / 146_096)) / 365
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + floor(yearOfEra / 4) - floor(yearOfEra / 100));
  const mp = floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Parses a strict 'YYYY-MM-DD' (a real date: no 30 February, no 2025-13-01). */
export function parseIsoDate(iso: IsoDate): CivilDate {
  const match = typeof iso === 'string' ? ISO_DATE.exec(iso) : null;
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return { year, month, day };
  }
  throw new CalendarError(
    'INVALID_DATE',
    `Ngày không hợp lệ: "${String(iso)}" (cần một ngày có thật, dạng YYYY-MM-DD).`
  );
}

export function toIsoDate({ year, month, day }: CivilDate): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 of a Vietnamese calendar date. */
export function dayNumber(iso: IsoDate): number {
  const { year, month, day } = parseIsoDate(iso);
  return daysFromCivil(year, month, day);
}

export function fromDayNumber(days: number): IsoDate {
  return toIsoDate(civilFromDays(days));
}

export function addDays(iso: IsoDate, n: number): IsoDate {
  return fromDayNumber(dayNumber(iso) + n);
}

/** 0 = Sunday … 6 = Saturday, for a day number. 1970-01-01 was a Thursday. */
export function weekdayOfDayNumber(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(iso: IsoDate): number {
  return weekdayOfDayNumber(dayNumber(iso));
}

export function isWeekend(iso: IsoDate): boolean {
  const wd = weekday(iso);
  return wd === 0 || wd === 6;
}

/**
 * The same day of the month `n` months later; when that month is shorter, its last day (Civil Code 2015
 * Art. 148: "nếu tháng kết thúc thời hạn không có ngày tương ứng thì ... ngày cuối cùng của tháng đó").
 * So 31/01 + 1 month = 28/02 (29/02 in a leap year).
 */
export function addCalendarMonths(iso: IsoDate, n: number): IsoDate {
  const { year, month, day } = parseIsoDate(iso);
  const monthIndex = year * 12 + (month - 1) + n;
  const y = floor(monthIndex / 12);
  const m = monthIndex - y * 12 + 1;
  return toIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

function checkInstant(at: EpochMs): void {
  if (!Number.isFinite(at)) throw new CalendarError('INVALID_INSTANT', `Thời điểm không hợp lệ: ${String(at)}.`);
}

/** The Vietnamese calendar day (UTC+7) that holds the instant, as a day number. */
export function vnDayNumberOf(at: EpochMs): number {
  checkInstant(at);
  return floor((at + VIETNAM_UTC_OFFSET_MS) / MS_PER_DAY);
}

/** The date in Vietnam (UTC+7) at the instant. */
export function vnDateOf(at: EpochMs): IsoDate {
  return fromDayNumber(vnDayNumberOf(at));
}

/** Milliseconds since Vietnamese midnight at the instant (0 … 86 399 999). */
export function vnTimeOfDay(at: EpochMs): number {
  return at - startOfVnDayNumber(vnDayNumberOf(at));
}

export function startOfVnDayNumber(days: number): EpochMs {
  return days * MS_PER_DAY - VIETNAM_UTC_OFFSET_MS;
}

/** 00:00:00.000 in Vietnam on that date. */
export function startOfVnDay(iso: IsoDate): EpochMs {
  return startOfVnDayNumber(dayNumber(iso));
}

/** 23:59:59.999 in Vietnam on that date: when a period whose last day it is ends (Civil Code Art. 148). */
export function endOfVnDay(iso: IsoDate): EpochMs {
  return endOfVnDayNumber(dayNumber(iso));
}

export function endOfVnDayNumber(days: number): EpochMs {
  return startOfVnDayNumber(days + 1) - 1;
}
