/**
 * The working-day calendar of a Vietnamese public body: Saturday and Sunday off (Quyết định 188/1999/QĐ-TTg,
 * the 40-hour week of civil servants), the public holidays of the Labour Code with their compensatory days,
 * and, for the years that have one, the official schedule of the year instead of the computed holidays.
 *
 * Counting follows the Civil Code 2015 Art. 147–148: the day of the event that starts a period is not
 * counted; the period ends at the end of its last day (23:59:59.999 in Vietnam); a last day that is not a
 * working day gives way to the end of the next working day. That "ngày làm việc" in Party texts means
 * the civil-servant calendar is an assumption (domain-research.md §6.1, unconfirmed).
 */
import type { EpochMs, IsoDate, Period, WorkingCalendar } from '../types';
import {
  addCalendarMonths,
  civilFromDays,
  dayNumber,
  endOfVnDayNumber,
  fromDayNumber,
  startOfVnDayNumber,
  vnDateOf,
  vnDayNumberOf,
  vnTimeOfDay,
  weekdayOfDayNumber,
} from './days';
import { CalendarError } from './errors';
import { computedYearSchedule } from './holidays';
import { checkPeriod, durationMs, parseIsoDuration } from './period';
import { validateYearSchedule, type YearSchedule } from './schedules';

export interface WorkingCalendarConfig {
  /** The official schedules, at most one a year (e.g. OFFICIAL_SCHEDULES plus those an administrator added). */
  schedules: readonly YearSchedule[];
}

/** The WorkingCalendar of domain/types.ts, with the date-level operations it is built from. */
export interface VietnamWorkingCalendar extends WorkingCalendar {
  /** The schedule in force for `year`: the official one when given, otherwise the computed one. */
  scheduleFor(year: number): YearSchedule;
  /** `date` when it is a working day, otherwise the first working day after it. */
  nextWorkingDay(date: IsoDate): IsoDate;
  /** The n-th working day after `date` (`date` itself not counted); n = 0 gives nextWorkingDay(date). */
  addWorkingDays(date: IsoDate, n: number): IsoDate;
  /**
   * How many working days late a step due at `due` is at `now`: the working days after the due date up to
   * and including today's date, the day in progress counting as one; 0 when `now` <= `due`.
   */
  overdueWorkingDays(due: EpochMs, now: EpochMs): number;
}

/** A year's schedule reduced to what the day test needs. */
interface YearDays {
  off: Set<number>;
  working: Set<number>;
}

function checkCount(n: number): void {
  checkPeriod({ unit: 'workingDays', n });
}

export function createWorkingCalendar(config: WorkingCalendarConfig): VietnamWorkingCalendar {
  const official = new Map<number, YearSchedule>();
  for (const input of config.schedules) {
    const schedule = validateYearSchedule(input);
    if (official.has(schedule.year)) {
      throw new CalendarError('SCHEDULE_DUPLICATE_YEAR', `Có hai lịch nghỉ cho cùng năm ${schedule.year}.`);
    }
    official.set(schedule.year, schedule);
  }

  // Computing a year needs the lunar calendar: do it once per year. A plain cache is deterministic, so it
  // is safe inside a Temporal workflow too.
  const years = new Map<number, YearDays>();
  const scheduleFor = (year: number): YearSchedule => official.get(year) ?? computedYearSchedule(year);
  const yearDays = (year: number): YearDays => {
    let days = years.get(year);
    if (!days) {
      const schedule = scheduleFor(year);
      days = { off: new Set(schedule.daysOff.map(dayNumber)), working: new Set(schedule.workingDays.map(dayNumber)) };
      years.set(year, days);
    }
    return days;
  };

  const isWorking = (day: number): boolean => {
    const { off, working } = yearDays(civilFromDays(day).year);
    if (working.has(day)) return true;
    const wd = weekdayOfDayNumber(day);
    return wd !== 0 && wd !== 6 && !off.has(day);
  };
  /** `day` or the first working day after it. */
  const rollForward = (day: number): number => {
    while (!isWorking(day)) day += 1;
    return day;
  };
  /** The n-th working day after `day` (n >= 1), or rollForward(day) when n = 0. */
  const nthWorkingDayAfter = (day: number, n: number): number => {
    if (n === 0) return rollForward(day);
    for (let counted = 0; counted < n;) {
      day += 1;
      if (isWorking(day)) counted += 1;
    }
    return day;
  };
  const countBetween = (from: number, to: number): number => {
    let count = 0;
    for (let day = from + 1; day <= to; day += 1) if (isWorking(day)) count += 1;
    return count;
  };

  return {
    scheduleFor,
    isWorkingDay: (date) => isWorking(dayNumber(date)),
    nextWorkingDay: (date) => fromDayNumber(rollForward(dayNumber(date))),
    addWorkingDays(date, n) {
      checkCount(n);
      return fromDayNumber(nthWorkingDayAfter(dayNumber(date), n));
    },

    addPeriod(from: EpochMs, period: Period): EpochMs {
      checkPeriod(period);
      const start = vnDayNumberOf(from);
      switch (period.unit) {
        case 'workingDays':
          return endOfVnDayNumber(nthWorkingDayAfter(start, period.n));
        case 'calendarDays':
          return endOfVnDayNumber(rollForward(start + period.n));
        case 'calendarMonths':
          return endOfVnDayNumber(rollForward(dayNumber(addCalendarMonths(vnDateOf(from), period.n))));
        case 'duration':
          // An exact lapse of time (tests, a province's own short timers): no day counting, no rolling.
          return from + durationMs(parseIsoDuration(period.iso));
      }
    },

    workingDaysBefore(at, n) {
      checkCount(n);
      let day = vnDayNumberOf(at);
      for (let counted = 0; counted < n;) {
        day -= 1;
        if (isWorking(day)) counted += 1;
      }
      return startOfVnDayNumber(day) + vnTimeOfDay(at);
    },

    workingDaysBetween: (from, to) => countBetween(dayNumber(from), dayNumber(to)),

    // Never negative: countBetween gives 0 when now's date is not after due's.
    overdueWorkingDays: (due, now) => countBetween(vnDayNumberOf(due), vnDayNumberOf(now)),
  };
}
