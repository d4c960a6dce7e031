/** Checking the Periods of domain/types.ts and reading their ISO 8601 durations. */
import type { Period } from '../types';
import { CalendarError } from './errors';

/** The parts of an ISO 8601 duration the calendar adds exactly (no years or months: their length varies). */
export interface DurationParts {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * Reads 'PT30S', 'P2D', 'PT1H30M', 'P1W'… Years and months are refused: they have no fixed length, and a
 * period in months is { unit: 'calendarMonths' }, counted by the Civil Code rules.
 */
export function parseIsoDuration(iso: string): DurationParts {
  const match = typeof iso === 'string' ? DURATION.exec(iso) : null;
  // 'P' alone and 'P1DT' match the pattern but name no amount of time.
  if (!match || iso === 'P' || iso.endsWith('T')) {
    throw new CalendarError(
      'INVALID_DURATION',
      `Khoảng thời gian không hợp lệ: "${String(iso)}" (dùng dạng ISO 8601 với tuần, ngày, giờ, phút, giây, ` +
        `ví dụ PT30S, P2D, PT1H30M; thời hạn tính theo tháng dùng đơn vị calendarMonths).`
    );
  }
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { weeks, days, hours, minutes, seconds };
}

/** The exact length of a duration in milliseconds (Vietnam has no daylight saving: a day is always 24 h). */
export function durationMs(parts: DurationParts): number {
  return ((((parts.weeks * 7 + parts.days) * 24 + parts.hours) * 60 + parts.minutes) * 60 + parts.seconds) * 1000;
}

/** Rejects a Period that did not come from typed code (JSON input): unknown unit, negative or fractional count. */
export function checkPeriod(period: Period): void {
  switch (period.unit) {
    case 'workingDays':
    case 'calendarDays':
    case 'calendarMonths':
      if (Number.isSafeInteger(period.n) && period.n >= 0) return;
      throw new CalendarError(
        'INVALID_PERIOD',
        `Thời hạn không hợp lệ: số ${String(period.n)} phải là số nguyên không âm.`
      );
    case 'duration':
      parseIsoDuration(period.iso);
      return;
    default:
      throw new CalendarError(
        'INVALID_PERIOD',
        `Thời hạn không hợp lệ: đơn vị "${String((period as { unit: unknown }).unit)}" không được hỗ trợ.`
      );
  }
}
