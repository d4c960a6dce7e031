/**
 * The public holidays of the Labour Code 2019 as computed for any year of 1900–2100, and the yearly
 * schedule they give when the Government has published none (or none has been entered yet).
 */
import type { IsoDate, LegalBasis } from '../types';
import { addDays, dayNumber, fromDayNumber, weekdayOfDayNumber } from './days';
import { lunarToSolar, tetDate } from './lunar';
import type { YearSchedule } from './schedules';

/** A day off by law; `name` is for people. */
export interface Holiday {
  date: IsoDate;
  name: string;
}

/** The legal basis of a computed schedule: the Code itself, with the choices it leaves open made by us. */
export const COMPUTED_SCHEDULE_BASIS: LegalBasis = {
  citation: 'Bộ luật Lao động 2019, Điều 112 khoản 1 (ngày nghỉ lễ, tết) và Điều 111 khoản 3 (nghỉ bù)',
  source: 'Bộ luật Lao động số 45/2019/QH14',
  effectiveFrom: '2021-01-01',
  confirmed: false,
  note:
    'Lịch tính tự động khi chưa có lịch nghỉ chính thức của năm. Chưa đối chiếu văn bản: số khoản về nghỉ bù ' +
    '(được cho là Điều 111 khoản 3); ngày liền kề Quốc khánh mặc định là 01/9 (Chính phủ chọn hằng năm, có năm ' +
    'là 03/9); Tết mặc định là ngày cuối năm âm lịch và mùng 1–4 (Chính phủ có thể bố trí khác). Các năm trước ' +
    '2021 cũng được tính theo Bộ luật 2019.',
};

const byDate = (a: Holiday, b: Holiday): number => dayNumber(a.date) - dayNumber(b.date);

const isWeekendDay = (days: number): boolean => {
  const wd = weekdayOfDayNumber(days);
  return wd === 0 || wd === 6;
};

/**
 * The holidays of Labour Code 2019 Art. 112(1) in `year`, with the compensatory days (nghỉ bù) of
 * Art. 111(3) for those on a Saturday or Sunday, in date order:
 * - Tết Dương lịch 1/1;
 * - Tết Âm lịch, 5 days: by default the last day of the old lunar year (30, or 29 in a short month
 *   12) and mùng 1–4 of the new one;
 * - Giỗ Tổ Hùng Vương, 10/3 lunar (the ordinary month 3 when a leap month 3 follows);
 * - 30/4 and 1/5;
 * - Quốc khánh 2/9 and an adjacent day, 1/9 by default (the Government picks 1/9 or 3/9 each year).
 * Over 1900–2100, 10/3 lunar falls between 30/3 and 30/4 (on 30/4 only in 1947), so the list is built in
 * date order.
 */
export function publicHolidays(year: number): Holiday[] {
  const tet = tetDate(year);
  const holidays: Holiday[] = [
    { date: `${year}-01-01`, name: 'Tết Dương lịch' },
    ...[-1, 0, 1, 2, 3].map((offset) => ({ date: addDays(tet, offset), name: 'Tết Nguyên đán' })),
    { date: lunarToSolar({ year, month: 3, day: 10, leap: false }), name: 'Giỗ Tổ Hùng Vương' },
    { date: `${year}-04-30`, name: 'Ngày Chiến thắng' },
    { date: `${year}-05-01`, name: 'Ngày Quốc tế Lao động' },
    { date: `${year}-09-01`, name: 'Quốc khánh' },
    { date: `${year}-09-02`, name: 'Quốc khánh' },
  ];
  const taken = new Set(holidays.map((h) => dayNumber(h.date)));
  const result = [...holidays];
  // Each weekend holiday, in date order, takes the next day that is neither a weekend, a holiday nor
  // already taken: a Tết spanning Saturday and Sunday thus gives two compensatory days after it.
  for (const holiday of holidays) {
    let day = dayNumber(holiday.date);
    if (!isWeekendDay(day)) continue;
    do day += 1;
    while (isWeekendDay(day) || taken.has(day));
    taken.add(day);
    result.push({ date: fromDayNumber(day), name: `Nghỉ bù ${holiday.name}` });
  }
  return result.sort(byDate);
}

/**
 * The schedule of a year for which no official one was entered: the weekdays off of publicHolidays, no
 * swapped working day. An administrator can also start from it to type in the official schedule.
 */
export function computedYearSchedule(year: number): YearSchedule {
  const weekdaysOff = publicHolidays(year)
    .map((holiday) => dayNumber(holiday.date))
    .filter((day) => !isWeekendDay(day));
  return {
    year,
    // The Set drops the double entry of 1947, when 10/3 lunar was 30/4.
    daysOff: [...new Set(weekdaysOff)].map(fromDayNumber),
    workingDays: [],
    basis: { ...COMPUTED_SCHEDULE_BASIS },
  };
}
