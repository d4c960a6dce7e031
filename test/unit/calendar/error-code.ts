import { CalendarError, type CalendarErrorCode } from '../../../domain/calendar';

/** The code of the CalendarError that `fn` throws; undefined when it throws nothing (any other error fails). */
export function calendarErrorCode(fn: () => unknown): CalendarErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CalendarError);
    return (error as CalendarError).code;
  }
  return undefined;
}
