import fc from 'fast-check';
import {
  CalendarError,
  addDays,
  dayNumber,
  fromDayNumber,
  lunarToSolar,
  solarToLunar,
  tetDate,
  type LunarDate,
} from '../../../domain/calendar';
import { calendarErrorCode } from './error-code';

/**
 * Mùng 1 Tết in Vietnam, 1980–2030, plus 1968 and 1969. It is the widely published Chinese New Year date
 * every year except the five marked, which are the known differences between the two calendars (Hồ Ngọc
 * Đức, "Âm lịch Việt Nam"): there the UTC+7 / UTC+8 difference moves a new moon (or, in 1985, the month of
 * the winter solstice and with it the leap month) to another day. 2023–2026 also match the press.
 */
const TET: Record<number, string> = {
  1968: '1968-01-29', // CN 1968-01-30: new moon at about 16:30 UTC (the South, still on UTC+8, kept 30/01)
  1969: '1969-02-16', // CN 1969-02-17: new moon at about 16:28 UTC
  1980: '1980-02-16',
  1981: '1981-02-05',
  1982: '1982-01-25',
  1983: '1983-02-13',
  1984: '1984-02-02',
  1985: '1985-01-21', // CN 1985-02-20: Vietnam has no leap month 10 in 1984 but a leap month 2 in 1985
  1986: '1986-02-09',
  1987: '1987-01-29',
  1988: '1988-02-17',
  1989: '1989-02-06',
  1990: '1990-01-27',
  1991: '1991-02-15',
  1992: '1992-02-04',
  1993: '1993-01-23',
  1994: '1994-02-10',
  1995: '1995-01-31',
  1996: '1996-02-19',
  1997: '1997-02-07',
  1998: '1998-01-28',
  1999: '1999-02-16',
  2000: '2000-02-05',
  2001: '2001-01-24',
  2002: '2002-02-12',
  2003: '2003-02-01',
  2004: '2004-01-22',
  2005: '2005-02-09',
  2006: '2006-01-29',
  2007: '2007-02-17', // CN 2007-02-18: new moon at about 16:14 UTC, 23:14 in Hà Nội but 00:14 in Beijing
  2008: '2008-02-07',
  2009: '2009-01-26',
  2010: '2010-02-14',
  2011: '2011-02-03',
  2012: '2012-01-23',
  2013: '2013-02-10',
  2014: '2014-01-31',
  2015: '2015-02-19',
  2016: '2016-02-08',
  2017: '2017-01-28',
  2018: '2018-02-16',
  2019: '2019-02-05',
  2020: '2020-01-25',
  2021: '2021-02-12',
  2022: '2022-02-01',
  2023: '2023-01-22',
  2024: '2024-02-10',
  2025: '2025-01-29',
  2026: '2026-02-17',
  2027: '2027-02-06',
  2028: '2028-01-26',
  2029: '2029-02-13',
  2030: '2030-02-02', // CN 2030-02-03: new moon at about 16:08 UTC
};

describe('Tết (mùng 1 tháng Giêng) of the Vietnamese calendar', () => {
  it.each(Object.entries(TET))('Tết %s is %s', (year, date) => {
    expect(tetDate(Number(year))).toBe(date);
    expect(solarToLunar(date)).toEqual({ year: Number(year), month: 1, day: 1, leap: false });
    // The day before is the last day of the old year, in month 12 (29 or 30 days).
    const eve = solarToLunar(addDays(date, -1));
    expect(eve).toMatchObject({ year: Number(year) - 1, month: 12, leap: false });
    expect([29, 30]).toContain(eve.day);
  });

  it('gives the dates the research and the press use: 2023, 2024, 2025, 2026', () => {
    expect(tetDate(2023)).toBe('2023-01-22');
    expect(tetDate(2024)).toBe('2024-02-10');
    expect(tetDate(2025)).toBe('2025-01-29');
    expect(tetDate(2026)).toBe('2026-02-17');
  });

  it('ends the year Ất Tỵ on 29 tháng Chạp (16/02/2026), as the press reports "14/2 = 27 tháng Chạp"', () => {
    expect(solarToLunar('2026-02-14')).toEqual({ year: 2025, month: 12, day: 27, leap: false });
    expect(solarToLunar('2026-02-16')).toEqual({ year: 2025, month: 12, day: 29, leap: false });
  });
});

describe('solarToLunar and lunarToSolar', () => {
  it('finds Giỗ Tổ Hùng Vương (10/3 lunar) on the published dates', () => {
    // 2023 has a leap month 2, which pushes 10/3 late; 2026's falls on a Sunday (nghỉ bù on Monday 27/4).
    expect(lunarToSolar({ year: 2023, month: 3, day: 10, leap: false })).toBe('2023-04-29');
    expect(lunarToSolar({ year: 2024, month: 3, day: 10, leap: false })).toBe('2024-04-18');
    expect(lunarToSolar({ year: 2025, month: 3, day: 10, leap: false })).toBe('2025-04-07');
    expect(lunarToSolar({ year: 2026, month: 3, day: 10, leap: false })).toBe('2026-04-26');
  });

  it('places the leap months where the Vietnamese calendar has them', () => {
    // Quý Mão 2023: leap month 2 from 22/03/2023; Ất Tỵ 2025: leap month 6 from 25/07/2025;
    // Canh Tý 2020: leap month 4 from 23/05/2020; Quý Sửu 2033: the rare leap month 11 from 22/12/2033.
    expect(solarToLunar('2023-03-22')).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(solarToLunar('2023-03-21')).toEqual({ year: 2023, month: 2, day: 30, leap: false });
    expect(lunarToSolar({ year: 2025, month: 6, day: 1, leap: true })).toBe('2025-07-25');
    expect(lunarToSolar({ year: 2025, month: 6, day: 1, leap: false })).toBe('2025-06-25');
    expect(lunarToSolar({ year: 2025, month: 7, day: 1, leap: false })).toBe('2025-08-23');
    expect(lunarToSolar({ year: 2020, month: 4, day: 1, leap: true })).toBe('2020-05-23');
    expect(solarToLunar('2033-12-22')).toEqual({ year: 2033, month: 11, day: 1, leap: true });
    expect(lunarToSolar({ year: 2033, month: 11, day: 1, leap: true })).toBe('2033-12-22');
    // 1985 (Vietnam) has a leap month 2; China instead had a leap month 10 from 23/11/1984, which is month 11
    // in Vietnam.
    expect(solarToLunar('1985-03-21')).toEqual({ year: 1985, month: 2, day: 1, leap: true });
    expect(solarToLunar('1984-11-23')).toEqual({ year: 1984, month: 11, day: 1, leap: false });
  });

  it('finds the Mid-Autumn festival (15/8 lunar)', () => {
    expect(lunarToSolar({ year: 2024, month: 8, day: 15, leap: false })).toBe('2024-09-17');
    expect(lunarToSolar({ year: 2025, month: 8, day: 15, leap: false })).toBe('2025-10-06');
  });

  it('handles both ends of the range', () => {
    expect(solarToLunar('1900-01-01')).toEqual({ year: 1899, month: 12, day: 1, leap: false });
    expect(lunarToSolar({ year: 1899, month: 12, day: 1, leap: false })).toBe('1900-01-01');
    expect(tetDate(1900)).toBe('1900-01-31');
    expect(solarToLunar('2100-12-31')).toEqual({ year: 2100, month: 12, day: 1, leap: false });
  });

  it('gives day 30 where the published algorithm says "day 0" of the next month', () => {
    // The published code tries new moons k + 1 and k only; on these two days the mean-phase estimate is a
    // month ahead, both candidates start after the day, and it returned "day 0". These are the last days of
    // 30-day months (regression for the step back).
    expect(solarToLunar('2054-05-07')).toEqual({ year: 2054, month: 3, day: 30, leap: false });
    expect(solarToLunar('2054-05-08')).toEqual({ year: 2054, month: 4, day: 1, leap: false });
    expect(solarToLunar('2062-04-09')).toEqual({ year: 2062, month: 2, day: 30, leap: false });
    expect(solarToLunar('2062-04-10')).toEqual({ year: 2062, month: 3, day: 1, leap: false });
  });

  it('rejects solar dates outside 1900–2100 and malformed dates', () => {
    expect(() => solarToLunar('1899-12-31')).toThrow(CalendarError);
    expect(calendarErrorCode(() => solarToLunar('2101-01-01'))).toBe('OUT_OF_RANGE');
    expect(() => solarToLunar('2101-01-01')).toThrow('Lịch âm chỉ được tính cho các ngày từ năm 1900 đến năm 2100');
    expect(calendarErrorCode(() => solarToLunar('2025-02-29'))).toBe('INVALID_DATE');
  });

  it('rejects lunar dates that do not exist', () => {
    const code = (date: LunarDate): string | undefined => calendarErrorCode(() => lunarToSolar(date));
    expect(code({ year: 2025, month: 13, day: 1, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2025, month: 0, day: 1, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2025, month: 1, day: 0, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2025, month: 1, day: 31, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2025.5, month: 1, day: 1, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2025, month: 1.5, day: 1, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2025, month: 1, day: 1.5, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2025, month: 1, day: 1, leap: 'no' as unknown as boolean })).toBe('INVALID_LUNAR_DATE');
    // Ất Tỵ 2025 has a leap month 6, not 5; Bính Ngọ 2026 has no leap month at all.
    expect(code({ year: 2025, month: 5, day: 1, leap: true })).toBe('INVALID_LUNAR_DATE');
    expect(code({ year: 2026, month: 5, day: 1, leap: true })).toBe('INVALID_LUNAR_DATE');
    // Month 12 of Ất Tỵ has 29 days: 30 tháng Chạp does not exist.
    expect(code({ year: 2025, month: 12, day: 30, leap: false })).toBe('INVALID_LUNAR_DATE');
    expect(() => lunarToSolar({ year: 2025, month: 12, day: 30, leap: false })).toThrow('tháng này chỉ có 29 ngày');
    expect(() => lunarToSolar({ year: 2025, month: 5, day: 1, leap: true })).toThrow(
      'năm âm lịch 2025 không có tháng 5 nhuận'
    );
    // Outside the range: before lunar 1899, after lunar 2100, or landing in 1899 / 2101.
    expect(code({ year: 1898, month: 1, day: 1, leap: false })).toBe('OUT_OF_RANGE');
    expect(code({ year: 2101, month: 1, day: 1, leap: false })).toBe('OUT_OF_RANGE');
    expect(code({ year: 1899, month: 11, day: 1, leap: false })).toBe('OUT_OF_RANGE');
    // Month 12 of lunar 2100 starts on 31/12/2100: its day 1 is in range, its day 2 is not.
    expect(lunarToSolar({ year: 2100, month: 12, day: 1, leap: false })).toBe('2100-12-31');
    expect(code({ year: 2100, month: 12, day: 2, leap: false })).toBe('OUT_OF_RANGE');
  });
});

describe('lunar round trips (fast-check)', () => {
  const first = dayNumber('1900-01-01');
  const last = dayNumber('2100-12-31');

  it('solar → lunar → solar is the identity over 1900–2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (day) => {
        const iso = fromDayNumber(day);
        expect(lunarToSolar(solarToLunar(iso))).toBe(iso);
      }),
      { numRuns: 2000 }
    );
  });

  it('consecutive solar days are consecutive lunar days', () => {
    fc.assert(
      fc.property(fc.integer({ min: first, max: last - 1 }), (day) => {
        const today = solarToLunar(fromDayNumber(day));
        const tomorrow = solarToLunar(fromDayNumber(day + 1));
        if (tomorrow.day === 1) {
          expect([29, 30]).toContain(today.day);
        } else {
          expect(tomorrow).toEqual({ ...today, day: today.day + 1 });
        }
      }),
      { numRuns: 2000 }
    );
  });

  it('covers every day of 1900–2100 exhaustively', () => {
    // 73 414 days: cheap enough to check all of them once, so no edge case is left to chance.
    for (let day = first; day <= last; day += 1) {
      const iso = fromDayNumber(day);
      const lunar = solarToLunar(iso);
      if (lunarToSolar(lunar) !== iso) throw new Error(`round trip fails on ${iso}`);
    }
  });
});
