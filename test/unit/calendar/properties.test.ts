import fc from 'fast-check';
import {
  OFFICIAL_SCHEDULES,
  createWorkingCalendar,
  dayNumber,
  endOfVnDay,
  fromDayNumber,
  startOfVnDay,
  vnDateOf,
} from '../../../domain/calendar';

// Starts over 2024–2028: official schedules (2025, 2026) and computed years (2024, 2027, 2028) alike.
const calendar = createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES });
const date = fc.integer({ min: dayNumber('2024-01-01'), max: dayNumber('2028-12-31') }).map(fromDayNumber);
const count = fc.integer({ min: 0, max: 300 });
const timeOfDay = fc.integer({ min: 0, max: 86_400_000 - 1 });

describe('working-day arithmetic (fast-check)', () => {
  it('never lands on a day off', () => {
    fc.assert(
      fc.property(date, count, (from, n) => {
        expect(calendar.isWorkingDay(calendar.addWorkingDays(from, n))).toBe(true);
      })
    );
  });

  it('is strictly increasing in N (from N = 1; N = 0 only rolls the start day forward)', () => {
    fc.assert(
      fc.property(date, count, count, (from, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const loDay = dayNumber(calendar.addWorkingDays(from, lo));
        const hiDay = dayNumber(calendar.addWorkingDays(from, hi));
        if (lo === hi) expect(hiDay).toBe(loDay);
        else if (lo === 0) expect(hiDay).toBeGreaterThanOrEqual(loDay);
        else expect(hiDay).toBeGreaterThan(loDay);
      })
    );
  });

  it('adding N working days and counting them back gives N', () => {
    fc.assert(
      fc.property(
        date,
        count.filter((n) => n > 0),
        (from, n) => {
          expect(calendar.workingDaysBetween(from, calendar.addWorkingDays(from, n))).toBe(n);
        }
      )
    );
  });

  it('addPeriod ends at 23:59:59.999 of a working day, whatever the time of the start', () => {
    fc.assert(
      fc.property(
        date,
        timeOfDay,
        count,
        fc.constantFrom('workingDays' as const, 'calendarDays' as const, 'calendarMonths' as const),
        (from, time, n, unit) => {
          const due = calendar.addPeriod(startOfVnDay(from) + time, {
            unit,
            n: unit === 'calendarMonths' ? n % 24 : n,
          });
          const dueDay = vnDateOf(due);
          expect(due).toBe(endOfVnDay(dueDay));
          expect(calendar.isWorkingDay(dueDay)).toBe(true);
          expect(dueDay >= from).toBe(true);
          if (unit === 'workingDays') expect(dueDay).toBe(calendar.addWorkingDays(from, n));
        }
      )
    );
  });

  it('workingDaysBefore undoes addPeriod on a working day and keeps the time of day', () => {
    fc.assert(
      fc.property(date, timeOfDay, count, (from, time, n) => {
        const start = calendar.nextWorkingDay(from);
        const due = calendar.addWorkingDays(start, n);
        const instant = startOfVnDay(due) + time;
        expect(calendar.workingDaysBefore(instant, n)).toBe(startOfVnDay(start) + time);
      })
    );
  });

  it('a step is exactly N working days late at the end of the N-th working day after its due date', () => {
    fc.assert(
      fc.property(date, count, (from, n) => {
        const due = endOfVnDay(calendar.nextWorkingDay(from));
        const later = calendar.addPeriod(due, { unit: 'workingDays', n });
        expect(calendar.overdueWorkingDays(due, later)).toBe(n);
      })
    );
  });
});
