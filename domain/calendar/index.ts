/** The Vietnamese lunar calendar and the working-day calendar of cadreflow. */
export { CalendarError, type CalendarErrorCode } from './errors';
export {
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
} from './days';
export { LUNAR_MAX_YEAR, LUNAR_MIN_YEAR, lunarToSolar, solarToLunar, tetDate, type LunarDate } from './lunar';
export { COMPUTED_SCHEDULE_BASIS, computedYearSchedule, publicHolidays, type Holiday } from './holidays';
export { OFFICIAL_SCHEDULES, validateYearSchedule, type YearSchedule } from './schedules';
export { parseIsoDuration, type DurationParts } from './period';
export { formatDateVi, formatDeadline, formatDurationVi, formatPeriodVi } from './format';
export { createWorkingCalendar, type VietnamWorkingCalendar, type WorkingCalendarConfig } from './working-calendar';
