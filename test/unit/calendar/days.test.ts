import fc from 'fast-check';
import {
  CalendarError,
  VIETNAM_UTC_OFFSET_MS,
  addCalendarMonths,
  addDays,
  dayNumber,
  endOfVnDay,
  fromDayNumber,
  isWeekend,
  startOfVnDay,
  vnDateOf,
  weekday,
} from '../../../domain/calendar';
import { civilFromDays, daysFromCivil, daysInMonth, parseIsoDate, vnTimeOfDay } from '../../../domain/calendar/days';
import { calendarErrorCode } from './error-code';

// Tests may use Date (domain/ may not): it is the independent reference for the integer arithmetic.
const utc = (iso: string, hours = 0, minutes = 0, seconds = 0, ms = 0): number =>
  Date.parse(`${iso}T00:00:00.000Z`) + ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;

describe('day numbers', () => {
  it('counts days from 1970-01-01', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1969-12-31')).toBe(-1);
    expect(dayNumber('2026-03-03')).toBe(utc('2026-03-03') / 86_400_000);
    expect(fromDayNumber(-25_567)).toBe('1900-01-01');
    expect(daysFromCivil(2000, 3, 1) - daysFromCivil(2000, 2, 28)).toBe(2); // 2000 is a leap year
    expect(daysFromCivil(2100, 3, 1) - daysFromCivil(2100, 2, 28)).toBe(1); // 2100 is not
    expect(civilFromDays(0)).toEqual({ year: 1970, month: 1, day: 1 });
  });

  it('agrees with Date over 0001–9999 (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('0001-01-01'), max: dayNumber('9999-12-31') }), (day) => {
        const iso = fromDayNumber(day);
        expect(new Date(day * 86_400_000).toISOString().slice(0, 10)).toBe(iso);
        expect(dayNumber(iso)).toBe(day);
      })
    );
  });

  it('knows the lengths of months', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 2)).toBe(28);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });

  it('adds days across months and years', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('names weekdays (0 = Sunday)', () => {
    expect(weekday('2026-02-17')).toBe(2); // Tết Bính Ngọ, a Tuesday
    expect(weekday('2026-01-10')).toBe(6); // the swapped Saturday
    expect(weekday('1969-12-28')).toBe(0); // before the epoch
    expect(isWeekend('2026-04-26')).toBe(true); // Giỗ Tổ 2026, a Sunday
    expect(isWeekend('2026-04-27')).toBe(false);
  });
});

describe('parseIsoDate', () => {
  it('reads real dates only', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ['2025-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '2025-1-01', '01/03/2026', '']) {
      expect(() => parseIsoDate(bad)).toThrow(CalendarError);
    }
    expect(calendarErrorCode(() => parseIsoDate(20260303 as unknown as string))).toBe('INVALID_DATE');
    expect(() => parseIsoDate('2025-02-29')).toThrow('Ngày không hợp lệ: "2025-02-29"');
  });
});

describe('addCalendarMonths (Civil Code Art. 148: the corresponding day, else the last day of the month)', () => {
  it.each([
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-03-31', 1, '2025-04-30'],
    ['2025-03-31', -1, '2025-02-28'],
    ['2025-11-15', 3, '2026-02-15'],
    ['2025-03-15', 12, '2026-03-15'],
    ['2024-02-29', 12, '2025-02-28'],
  ])('%s + %i months = %s', (from, n, expected) => {
    expect(addCalendarMonths(from, n)).toBe(expected);
  });
});

describe('instants and Vietnamese days (UTC+7, no daylight saving)', () => {
  it('maps instants to the date in Vietnam', () => {
    expect(VIETNAM_UTC_OFFSET_MS).toBe(25_200_000);
    // 17:00 UTC is midnight in Hà Nội.
    expect(vnDateOf(utc('2026-03-02', 16, 59, 59, 999))).toBe('2026-03-02');
    expect(vnDateOf(utc('2026-03-02', 17))).toBe('2026-03-03');
    expect(vnDateOf(utc('1960-06-15', 12))).toBe('1960-06-15');
  });

  it('gives the start and the end of a Vietnamese day', () => {
    expect(startOfVnDay('2026-03-03')).toBe(utc('2026-03-02', 17));
    expect(endOfVnDay('2026-03-03')).toBe(utc('2026-03-03', 16, 59, 59, 999));
    expect(vnDateOf(endOfVnDay('2026-03-03'))).toBe('2026-03-03');
    expect(vnTimeOfDay(utc('2026-03-03', 3))).toBe(10 * 3_600_000); // 03:00 UTC = 10:00 in Vietnam
  });

  it('rejects instants that are not finite numbers', () => {
    expect(calendarErrorCode(() => vnDateOf(Number.NaN))).toBe('INVALID_INSTANT');
    expect(() => vnDateOf(Number.POSITIVE_INFINITY)).toThrow('Thời điểm không hợp lệ');
  });
});
