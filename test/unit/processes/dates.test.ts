import fc from 'fast-check';
import {
  addCalendarMonths,
  daysInMonth,
  describePeriodVi,
  formatDateVi,
  fullMonthsBetween,
  isIsoDate,
  isIsoDuration,
  previousDay,
} from '../../../domain/processes/dates';

/** Real dates 1900–2100 as 'YYYY-MM-DD'. */
const isoDate = fc
  .record({
    y: fc.integer({ min: 1900, max: 2100 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ y, m, d }) => {
    const day = Math.min(d, daysInMonth(y, m));
    return `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  });

describe('isIsoDate', () => {
  it.each(['2026-02-28', '2024-02-29', '2000-02-29', '2026-12-31'])('accepts %s', (date) => {
    expect(isIsoDate(date)).toBe(true);
  });
  // 1900 is not a leap year (divisible by 100, not by 400); 2026 is not either.
  it.each([
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-1-5',
    'x',
    20260101,
  ])('refuses %s', (date) => {
    expect(isIsoDate(date)).toBe(false);
  });
});

describe('isIsoDuration', () => {
  it.each(['PT5S', 'P1D', 'P3W', 'P1Y2M3DT4H5M6S', 'PT0S', 'P1M'])('accepts %s', (iso) => {
    expect(isIsoDuration(iso)).toBe(true);
  });
  it.each(['P', 'PT', '-PT5S', 'PT1.5S', 'P1DT', '5S', 'pt5s', 'P1S', 5])('refuses %s', (iso) => {
    expect(isIsoDuration(iso)).toBe(false);
  });
});

describe('addCalendarMonths', () => {
  it('keeps the day when the target month has it', () => {
    expect(addCalendarMonths('2025-03-10', 12)).toBe('2026-03-10');
    expect(addCalendarMonths('2025-11-15', 3)).toBe('2026-02-15');
  });
  it('ends on the last day of a shorter month (Civil Code Art. 148)', () => {
    expect(addCalendarMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addCalendarMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addCalendarMonths('2025-08-31', -6)).toBe('2025-02-28');
  });
  it('goes back across a year', () => {
    expect(addCalendarMonths('2025-10-15', -6)).toBe('2025-04-15');
    expect(addCalendarMonths('2026-01-15', -1)).toBe('2025-12-15');
  });
});

describe('previousDay', () => {
  it.each([
    ['2025-10-15', '2025-10-14'],
    ['2025-03-01', '2025-02-28'],
    ['2024-03-01', '2024-02-29'],
    ['2026-01-01', '2025-12-31'],
  ])('%s → %s', (date, expected) => {
    expect(previousDay(date)).toBe(expected);
  });
});

describe('fullMonthsBetween', () => {
  it('counts full months as ages are counted', () => {
    // Born 2008-03-15: 17 years 11 months the day before the 18th birthday, 18 years on it.
    expect(fullMonthsBetween('2008-03-15', '2026-03-14')).toBe(215);
    expect(fullMonthsBetween('2008-03-15', '2026-03-15')).toBe(216);
    // February has no 31st: its last day completes the month of someone born on the 31st.
    expect(fullMonthsBetween('2000-01-31', '2018-02-27')).toBe(216);
    expect(fullMonthsBetween('2000-01-31', '2018-02-28')).toBe(217);
    // Negative when `to` is earlier.
    expect(fullMonthsBetween('2000-03-15', '2000-01-20')).toBe(-2);
  });

  it('is the largest n with addCalendarMonths(from, n) <= to', () => {
    fc.assert(
      fc.property(isoDate, isoDate, (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const n = fullMonthsBetween(from, to);
        expect(addCalendarMonths(from, n) <= to).toBe(true);
        expect(addCalendarMonths(from, n + 1) > to).toBe(true);
      })
    );
  });
});

describe('formatting', () => {
  it('writes dates as in Vietnamese documents', () => {
    expect(formatDateVi('2026-03-03')).toBe('03/03/2026');
  });
  it.each([
    [{ unit: 'workingDays', n: 60 }, '60 ngày làm việc'],
    [{ unit: 'calendarDays', n: 7 }, '7 ngày'],
    [{ unit: 'calendarMonths', n: 12 }, '12 tháng'],
    [{ unit: 'duration', iso: 'PT5S' }, 'thời lượng PT5S'],
  ] as const)('describes %j', (period, text) => {
    expect(describePeriodVi(period)).toBe(text);
  });
});
