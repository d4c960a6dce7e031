import {
  CalendarError,
  endOfVnDay,
  formatDateVi,
  formatDeadline,
  formatDurationVi,
  formatPeriodVi,
  parseIsoDuration,
  startOfVnDay,
} from '../../../domain/calendar';
import type { Period } from '../../../domain/types';
import { calendarErrorCode } from './error-code';

describe('formatDateVi', () => {
  it('writes dd/mm/yyyy', () => {
    expect(formatDateVi('2026-03-03')).toBe('03/03/2026');
    expect(formatDateVi('2025-12-31')).toBe('31/12/2025');
    expect(() => formatDateVi('2026-3-3')).toThrow(CalendarError);
  });
});

describe('formatDeadline: the period and the due date, both ways', () => {
  const due = endOfVnDay('2026-03-03');

  it('speaks of working days, days and months', () => {
    expect(formatDeadline({ unit: 'workingDays', n: 60 }, due)).toBe('60 ngày làm việc — hạn 03/03/2026');
    expect(formatDeadline({ unit: 'calendarDays', n: 7 }, due)).toBe('7 ngày — hạn 03/03/2026');
    expect(formatDeadline({ unit: 'calendarMonths', n: 12 }, due)).toBe('12 tháng — hạn 03/03/2026');
  });

  it('shows the time of day (Vietnam) for an exact duration', () => {
    const tenOClock = startOfVnDay('2026-03-03') + 10 * 3_600_000;
    expect(formatDeadline({ unit: 'duration', iso: 'PT30S' }, tenOClock + 30_000)).toBe(
      '30 giây — hạn 10:00:30 ngày 03/03/2026'
    );
    expect(formatDeadline({ unit: 'duration', iso: 'PT1H30M' }, tenOClock + 5_400_000 + 999)).toBe(
      '1 giờ 30 phút — hạn 11:30:00 ngày 03/03/2026'
    );
    expect(formatDeadline({ unit: 'duration', iso: 'P2D' }, due)).toBe('2 ngày — hạn 23:59:59 ngày 03/03/2026');
  });

  it('refuses a period it cannot read', () => {
    expect(calendarErrorCode(() => formatDeadline({ unit: 'workingDays', n: -1 }, due))).toBe('INVALID_PERIOD');
    expect(calendarErrorCode(() => formatDeadline({ unit: 'duration', iso: 'P1M' }, due))).toBe('INVALID_DURATION');
  });
});

describe('durations', () => {
  it('reads weeks, days, hours, minutes and seconds', () => {
    expect(parseIsoDuration('P1W2DT3H4M5S')).toEqual({ weeks: 1, days: 2, hours: 3, minutes: 4, seconds: 5 });
    expect(parseIsoDuration('PT30S')).toEqual({ weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 30 });
    expect(formatDurationVi('P1W2DT3H4M5S')).toBe('1 tuần 2 ngày 3 giờ 4 phút 5 giây');
    expect(formatDurationVi('PT0S')).toBe('0 giây');
    expect(formatDurationVi('P0D')).toBe('0 giây');
  });

  it.each(['P', 'PT', 'P1DT', 'P1M', 'P1Y', 'PT1.5S', '1D', 'p1d', 'P-1D'])('rejects %p', (iso) => {
    expect(calendarErrorCode(() => parseIsoDuration(iso))).toBe('INVALID_DURATION');
  });

  it('says what to use instead, in Vietnamese', () => {
    expect(() => parseIsoDuration(42 as unknown as string)).toThrow(
      'Khoảng thời gian không hợp lệ: "42" (dùng dạng ISO 8601 với tuần, ngày, giờ, phút, giây'
    );
  });
});

describe('formatPeriodVi', () => {
  it('names each unit', () => {
    expect(formatPeriodVi({ unit: 'workingDays', n: 30 })).toBe('30 ngày làm việc');
    expect(formatPeriodVi({ unit: 'calendarDays', n: 1 })).toBe('1 ngày');
    expect(formatPeriodVi({ unit: 'calendarMonths', n: 12 })).toBe('12 tháng');
    expect(formatPeriodVi({ unit: 'duration', iso: 'PT15M' })).toBe('15 phút');
  });

  it('rejects counts that are not non-negative integers and unknown units', () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(calendarErrorCode(() => formatPeriodVi({ unit: 'calendarDays', n }))).toBe('INVALID_PERIOD');
    }
    expect(() => formatPeriodVi({ unit: 'weeks', n: 2 } as unknown as Period)).toThrow(
      'Thời hạn không hợp lệ: đơn vị "weeks" không được hỗ trợ.'
    );
    expect(() => formatPeriodVi({ unit: 'calendarMonths', n: -3 })).toThrow(
      'Thời hạn không hợp lệ: số -3 phải là số nguyên không âm.'
    );
  });
});
