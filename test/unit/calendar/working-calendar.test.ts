import {
  CalendarError,
  OFFICIAL_SCHEDULES,
  createWorkingCalendar,
  endOfVnDay,
  formatDeadline,
  startOfVnDay,
  vnDateOf,
} from '../../../domain/calendar';
import type { Period } from '../../../domain/types';
import { calendarErrorCode } from './error-code';

const calendar = createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES });
/** The calendar with no official schedule: every year computed from the Labour Code. */
const computedOnly = createWorkingCalendar({ schedules: [] });

const HOUR = 3_600_000;
/** An instant in Vietnam: the date at hh:mm local time. */
const at = (date: string, hours = 0, minutes = 0): number => startOfVnDay(date) + hours * HOUR + minutes * 60_000;
const dueDate = (from: number, period: Period): string => vnDateOf(calendar.addPeriod(from, period));

describe('isWorkingDay', () => {
  it('follows the official 2026 schedule (domain-research.md §6.2)', () => {
    expect(calendar.isWorkingDay('2026-01-01')).toBe(false); // Tết Dương lịch
    expect(calendar.isWorkingDay('2026-01-02')).toBe(false); // Friday swapped away (S88)
    expect(calendar.isWorkingDay('2026-01-10')).toBe(true); // Saturday worked instead (S88)
    expect(calendar.isWorkingDay('2026-01-11')).toBe(false); // an ordinary Sunday
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true); // Friday before Tết
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) {
      expect(calendar.isWorkingDay(d)).toBe(false); // Tết Bính Ngọ (S87)
    }
    expect(calendar.isWorkingDay('2026-02-23')).toBe(true);
    expect(calendar.isWorkingDay('2026-04-27')).toBe(false); // nghỉ bù Giỗ Tổ (S89)
    expect(calendar.isWorkingDay('2026-04-30')).toBe(false);
    expect(calendar.isWorkingDay('2026-05-01')).toBe(false);
    expect(calendar.isWorkingDay('2026-09-01')).toBe(false); // assumed (S90, unconfirmed)
    expect(calendar.isWorkingDay('2026-09-03')).toBe(true);
  });

  it('lets the official 2025 schedule override the computed default for the whole year', () => {
    // Official: Tết off Mon 27/01 – Fri 31/01 with no make-up day; computed: Tue 28/01 – Sat 01/02 and
    // nghỉ bù Mon 03/02.
    expect(calendar.isWorkingDay('2025-01-27')).toBe(false);
    expect(computedOnly.isWorkingDay('2025-01-27')).toBe(true);
    expect(calendar.isWorkingDay('2025-02-03')).toBe(true);
    expect(computedOnly.isWorkingDay('2025-02-03')).toBe(false);
    // Official: Fri 02/05 swapped with Sat 26/04.
    expect(calendar.isWorkingDay('2025-05-02')).toBe(false);
    expect(calendar.isWorkingDay('2025-04-26')).toBe(true);
    expect(computedOnly.isWorkingDay('2025-04-26')).toBe(false);
  });

  it('computes years without a schedule', () => {
    expect(calendar.isWorkingDay('2027-02-10')).toBe(false); // nghỉ bù of Tết 2027 (see holidays.test.ts)
    expect(calendar.isWorkingDay('2024-02-29')).toBe(true);
    expect(calendar.scheduleFor(2026)).toEqual(OFFICIAL_SCHEDULES[1]);
    expect(calendar.scheduleFor(2027).basis.confirmed).toBe(false);
  });

  it('rejects malformed dates and years it cannot compute', () => {
    expect(calendarErrorCode(() => calendar.isWorkingDay('2026-02-30'))).toBe('INVALID_DATE');
    expect(calendarErrorCode(() => calendar.isWorkingDay('2101-06-01'))).toBe('OUT_OF_RANGE');
  });
});

describe('createWorkingCalendar', () => {
  it('checks the schedules it is given', () => {
    expect(() => createWorkingCalendar({ schedules: [OFFICIAL_SCHEDULES[0]!, OFFICIAL_SCHEDULES[0]!] })).toThrow(
      new CalendarError('SCHEDULE_DUPLICATE_YEAR', 'Có hai lịch nghỉ cho cùng năm 2025.')
    );
    const bad = { ...OFFICIAL_SCHEDULES[1]!, workingDays: ['2026-01-02'] };
    expect(calendarErrorCode(() => createWorkingCalendar({ schedules: [bad] }))).toBe('SCHEDULE_DATE_CONFLICT');
  });

  it('lets an administrator add a later year as data', () => {
    // A made-up 2027 schedule: Fri 05/02 swapped with Sat 20/02.
    const cal = createWorkingCalendar({
      schedules: [
        ...OFFICIAL_SCHEDULES,
        {
          year: 2027,
          daysOff: ['2027-02-05', '2027-02-08', '2027-02-09'],
          workingDays: ['2027-02-20'],
          basis: { citation: 'Lịch nghỉ thử nghiệm', effectiveFrom: '2027-01-01', confirmed: false },
        },
      ],
    });
    expect(cal.isWorkingDay('2027-02-20')).toBe(true);
    expect(cal.isWorkingDay('2027-02-10')).toBe(true); // the computed nghỉ bù no longer applies
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // not listed: the schedule replaces the whole year
  });
});

describe('addPeriod in working days (Civil Code Art. 147–148)', () => {
  it('60 working days from a chi bộ resolution of 01/12/2025 end on 03/03/2026', () => {
    // Counted by hand on the official 2026 schedule; the day of the resolution (Mon 01/12) is excluded.
    // Dec 2025: Tue 2 – Fri 5 → 4; 8–12 → 9; 15–19 → 14; 22–26 → 19; Mon 29 – Wed 31 → 22.
    // Jan 2026: Thu 1 and Fri 2 off; 5–9 → 27; Sat 10 worked → 28; 12–16 → 33; 19–23 → 38; 26–30 → 43.
    // Feb 2026: 2–6 → 48; 9–13 → 53; 16–20 off (Tết); 23–27 → 58.
    // Mar 2026: Mon 2 → 59; Tue 3 → 60. So the decision (C11) is due by 23:59:59.999 on 03/03/2026, as
    // DOMAIN.md §7 and domain-research.md §6.2 say.
    const due = calendar.addPeriod(at('2025-12-01', 15, 30), { unit: 'workingDays', n: 60 });
    expect(due).toBe(endOfVnDay('2026-03-03'));
    expect(formatDeadline({ unit: 'workingDays', n: 60 }, due)).toBe('60 ngày làm việc — hạn 03/03/2026');
    // The swap moves a day off without changing the count: the computed calendar gives the same date.
    expect(vnDateOf(computedOnly.addPeriod(at('2025-12-01'), { unit: 'workingDays', n: 60 }))).toBe('2026-03-03');
  });

  it('30 working days from a receipt on 15/01/2026 end on 05/03/2026 (Tết removes 5 weekdays)', () => {
    // Fri 16/01 → 1; 19–23 → 6; 26–30 → 11; 2–6/02 → 16; 9–13/02 → 21; 16–20/02 off; 23–27/02 → 26;
    // Mon 2 → 27, Tue 3 → 28, Wed 4 → 29, Thu 5/03 → 30 (domain-research.md §6.2).
    expect(dueDate(at('2026-01-15', 9), { unit: 'workingDays', n: 30 })).toBe('2026-03-05');
  });

  it('counts from the date in Vietnam, not in UTC', () => {
    // 23:30 on 01/12/2025 in Hà Nội (16:30 UTC) still counts from 01/12; 00:30 on 02/12 (17:30 UTC on
    // 01/12) counts from 02/12, one working day later: Wed 04/03/2026.
    expect(dueDate(at('2025-12-01', 23, 30), { unit: 'workingDays', n: 60 })).toBe('2026-03-03');
    expect(dueDate(at('2025-12-02', 0, 30), { unit: 'workingDays', n: 60 })).toBe('2026-03-04');
  });

  it('starts counting after a day off just the same', () => {
    // From Sat 14/02/2026 (first day of the Tết break): the first working day after it is Mon 23/02.
    expect(dueDate(at('2026-02-14'), { unit: 'workingDays', n: 1 })).toBe('2026-02-23');
    // n = 0: the end of the start day, rolled to the next working day.
    expect(dueDate(at('2026-02-14'), { unit: 'workingDays', n: 0 })).toBe('2026-02-23');
    expect(dueDate(at('2026-02-13', 8), { unit: 'workingDays', n: 0 })).toBe('2026-02-13');
  });
});

describe('addPeriod in calendar days and months', () => {
  it('rolls a last day that is off to the next working day', () => {
    // 10/02/2026 + 7 days = Tue 17/02, mùng 1 Tết → Mon 23/02.
    expect(dueDate(at('2026-02-10'), { unit: 'calendarDays', n: 7 })).toBe('2026-02-23');
    // 02/03/2026 + 1 day = Tue 03/03, a working day: no roll.
    expect(dueDate(at('2026-03-02'), { unit: 'calendarDays', n: 1 })).toBe('2026-03-03');
    expect(calendar.addPeriod(at('2026-03-02', 10), { unit: 'calendarDays', n: 1 })).toBe(endOfVnDay('2026-03-03'));
  });

  it('clamps to the end of a shorter month', () => {
    // 31/01/2025 + 1 month: February has no 31st → Fri 28/02/2025; in 2024 → Thu 29/02/2024.
    expect(dueDate(at('2025-01-31'), { unit: 'calendarMonths', n: 1 })).toBe('2025-02-28');
    expect(dueDate(at('2024-01-31'), { unit: 'calendarMonths', n: 1 })).toBe('2024-02-29');
  });

  it('ends a 12-month probation on the corresponding day, rolled past a weekend or Tết', () => {
    // Ceremony on Sat 15/03/2025: 12 months later is Sun 15/03/2026 → Mon 16/03/2026.
    expect(dueDate(at('2025-03-15'), { unit: 'calendarMonths', n: 12 })).toBe('2026-03-16');
    // 17/01/2026 + 1 month = Tue 17/02/2026, mùng 1 Tết → Mon 23/02/2026.
    expect(dueDate(at('2026-01-17'), { unit: 'calendarMonths', n: 1 })).toBe('2026-02-23');
  });
});

describe('addPeriod with an exact duration', () => {
  it('adds the time exactly, with no day counting and no rolling', () => {
    const start = at('2026-02-13', 16, 59);
    expect(calendar.addPeriod(start, { unit: 'duration', iso: 'PT30S' })).toBe(start + 30_000);
    expect(calendar.addPeriod(start, { unit: 'duration', iso: 'PT1H30M' })).toBe(start + 90 * 60_000);
    // Two days from Friday before Tết lands on Sunday 15/02, a day off: it stays there.
    expect(calendar.addPeriod(start, { unit: 'duration', iso: 'P2D' })).toBe(start + 48 * HOUR);
    expect(calendar.addPeriod(start, { unit: 'duration', iso: 'P1W' })).toBe(start + 7 * 24 * HOUR);
  });

  it('rejects durations it cannot add exactly and instants that are not numbers', () => {
    expect(calendarErrorCode(() => calendar.addPeriod(at('2026-01-05'), { unit: 'duration', iso: 'P1M' }))).toBe(
      'INVALID_DURATION'
    );
    expect(calendarErrorCode(() => calendar.addPeriod(Number.NaN, { unit: 'duration', iso: 'PT1S' }))).toBe(
      'INVALID_INSTANT'
    );
    expect(calendarErrorCode(() => calendar.addPeriod(at('2026-01-05'), { unit: 'workingDays', n: 2.5 }))).toBe(
      'INVALID_PERIOD'
    );
  });
});

describe('workingDaysBefore (reminders)', () => {
  it('steps back over working days only, keeping the time of day', () => {
    // Due at the end of Tue 03/03/2026; 5 working days before: Mon 2/3 (1), Fri 27/2 (2), Thu 26/2 (3),
    // Wed 25/2 (4), Tue 24/2 (5).
    expect(calendar.workingDaysBefore(endOfVnDay('2026-03-03'), 5)).toBe(endOfVnDay('2026-02-24'));
    // From 10:00 on Mon 23/02/2026 one working day back skips the Tết break: 10:00 on Fri 13/02.
    expect(calendar.workingDaysBefore(at('2026-02-23', 10), 1)).toBe(at('2026-02-13', 10));
    // From a day off (Sun 22/02), the first working day before it is still Fri 13/02.
    expect(calendar.workingDaysBefore(at('2026-02-22', 10), 1)).toBe(at('2026-02-13', 10));
    // Back across the swap: one working day before Mon 12/01/2026 is the worked Saturday 10/01.
    expect(calendar.workingDaysBefore(at('2026-01-12', 8), 1)).toBe(at('2026-01-10', 8));
    expect(calendar.workingDaysBefore(at('2026-03-03', 9), 0)).toBe(at('2026-03-03', 9));
  });

  it('rejects a negative count', () => {
    expect(calendarErrorCode(() => calendar.workingDaysBefore(at('2026-03-03'), -1))).toBe('INVALID_PERIOD');
  });
});

describe('workingDaysBetween and overdueWorkingDays', () => {
  it('counts the working days after `from` up to and including `to`', () => {
    expect(calendar.workingDaysBetween('2025-12-01', '2026-03-03')).toBe(60);
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-23')).toBe(1);
    expect(calendar.workingDaysBetween('2026-03-03', '2026-03-03')).toBe(0);
    expect(calendar.workingDaysBetween('2026-03-03', '2026-03-01')).toBe(0);
  });

  it('counts how many working days a step is late', () => {
    const due = endOfVnDay('2026-03-03');
    expect(calendar.overdueWorkingDays(due, at('2026-03-03', 23))).toBe(0); // not yet due
    expect(calendar.overdueWorkingDays(due, due + 1)).toBe(1); // 00:00 on Wed 04/03: the first late day begins
    expect(calendar.overdueWorkingDays(due, at('2026-03-07', 12))).toBe(3); // Wed, Thu, Fri; Saturday adds none
    expect(calendar.overdueWorkingDays(due, at('2026-03-09', 10))).toBe(4);
    expect(calendar.overdueWorkingDays(due, at('2026-01-01'))).toBe(0); // `now` before `due`
    // An exact-duration deadline at 10:00 is late at 15:00 the same day, but not by a whole working day.
    expect(calendar.overdueWorkingDays(at('2026-03-03', 10), at('2026-03-03', 15))).toBe(0);
  });
});

describe('nextWorkingDay and addWorkingDays', () => {
  it('work on dates', () => {
    expect(calendar.nextWorkingDay('2026-02-14')).toBe('2026-02-23');
    expect(calendar.nextWorkingDay('2026-01-10')).toBe('2026-01-10');
    expect(calendar.addWorkingDays('2026-01-09', 1)).toBe('2026-01-10');
    expect(calendar.addWorkingDays('2025-12-01', 60)).toBe('2026-03-03');
    expect(() => calendar.addWorkingDays('2025-12-01', -60)).toThrow(CalendarError);
  });
});
