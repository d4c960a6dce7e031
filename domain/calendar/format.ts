/** Deadlines and dates as people in Vietnam read them. */
import type { EpochMs, IsoDate, Period } from '../types';
import { parseIsoDate, vnDateOf, vnTimeOfDay } from './days';
import { checkPeriod, parseIsoDuration } from './period';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** '2026-03-03' → '03/03/2026'. */
export function formatDateVi(iso: IsoDate): string {
  const { year, month, day } = parseIsoDate(iso);
  return `${pad2(day)}/${pad2(month)}/${year}`;
}

/** 'PT1H30M' → '1 giờ 30 phút'; a zero duration → '0 giây'. */
export function formatDurationVi(iso: string): string {
  const { weeks, days, hours, minutes, seconds } = parseIsoDuration(iso);
  const parts: [number, string][] = [
    [weeks, 'tuần'],
    [days, 'ngày'],
    [hours, 'giờ'],
    [minutes, 'phút'],
    [seconds, 'giây'],
  ];
  const text = parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
  return text === '' ? '0 giây' : text;
}

/** The length of a period in words: '60 ngày làm việc', '12 tháng', '30 giây'. */
export function formatPeriodVi(period: Period): string {
  checkPeriod(period);
  switch (period.unit) {
    case 'workingDays':
      return `${period.n} ngày làm việc`;
    case 'calendarDays':
      return `${period.n} ngày`;
    case 'calendarMonths':
      return `${period.n} tháng`;
    case 'duration':
      return formatDurationVi(period.iso);
  }
}

/**
 * A deadline both ways, e.g. '60 ngày làm việc — hạn 03/03/2026'. Day-based periods end at the end of a
 * day, so the date says it all; a duration ends at an exact instant, so its time (Vietnam) is shown too:
 * '30 giây — hạn 10:00:30 ngày 03/03/2026'.
 */
export function formatDeadline(period: Period, due: EpochMs): string {
  const date = formatDateVi(vnDateOf(due));
  if (period.unit !== 'duration') return `${formatPeriodVi(period)} — hạn ${date}`;
  const seconds = Math.floor(vnTimeOfDay(due) / 1000);
  const time = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`;
  return `${formatPeriodVi(period)} — hạn ${time} ngày ${date}`;
}
