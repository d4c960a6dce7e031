/** Stable codes of the calendar's errors: callers (API, activities) branch on these, never on the message. */
export type CalendarErrorCode =
  /** a string that is not a real 'YYYY-MM-DD' date */
  | 'INVALID_DATE'
  /** an epoch-ms instant that is not a finite number */
  | 'INVALID_INSTANT'
  /** a lunar date that does not exist (bad fields, day 30 of a short month, a leap month that year lacks) */
  | 'INVALID_LUNAR_DATE'
  /** a date outside 1900–2100, the range the lunar calendar (hence the holidays) is computed for */
  | 'OUT_OF_RANGE'
  /** a Period with an unknown unit, or a count that is not a non-negative integer */
  | 'INVALID_PERIOD'
  /** an ISO 8601 duration the calendar cannot add exactly */
  | 'INVALID_DURATION'
  /** a yearly schedule that is not an object with a valid year, date lists and legal basis */
  | 'INVALID_SCHEDULE'
  /** a yearly schedule listing a date that does not belong to its year */
  | 'SCHEDULE_DATE_OUTSIDE_YEAR'
  /** a yearly schedule listing the same date as a day off and as a working day */
  | 'SCHEDULE_DATE_CONFLICT'
  /** a yearly schedule listing a weekday as a swapped working day (only Saturdays and Sundays can be) */
  | 'SCHEDULE_WORKING_DAY_NOT_WEEKEND'
  /** two schedules for the same year */
  | 'SCHEDULE_DUPLICATE_YEAR';

/** An error of the calendar rules. `message` is Vietnamese, for people; `code` is for programs. */
export class CalendarError extends Error {
  override readonly name = 'CalendarError';

  constructor(
    readonly code: CalendarErrorCode,
    message: string
  ) {
    super(message);
  }
}
