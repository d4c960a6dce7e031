/**
 * The Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's well-known algorithm
 * ("Thuật toán tính âm lịch"), with every astronomical day taken at UTC+7.
 *
 * The rules: a month starts on the local day that holds the new moon; month 11 is the month that holds
 * the winter solstice; when 13 new moons separate two months 11, the first month after month 11 in which
 * the sun enters no new 30° sector of longitude (no major solar term) is the leap month and repeats the
 * number of the month before it. Because Vietnam counts days at UTC+7 and China at UTC+8, a new moon
 * between 16:00 and 17:00 UTC falls on different days and the two calendars differ in some years
 * (Tết 1985, 2007, 2030...). The astronomy (new moons after Meeus, sun longitude to about 0.01°) is
 * accurate over 1900–2100, the range this module accepts. The calendar is computed for UTC+7 throughout,
 * although before 1968 Vietnam still used the Chinese (UTC+8) reckoning: Tết 1965, for one, is given here
 * as 01/02 where people celebrated it on 02/02.
 *
 * Hazard: everything rests on floating-point trigonometry followed by Math.floor. Math.sin is
 * deterministic within one JavaScript engine; the tests pin the published Tết dates of 1968–2030 and run
 * every day of 1900–2100 through the round trip.
 */
import type { IsoDate } from '../types';
import { daysFromCivil, fromDayNumber, parseIsoDate } from './days';
import { CalendarError } from './errors';
import { formatDateVi } from './format';

/** A date of the Vietnamese lunar calendar; `leap` marks the repeated (nhuận) month. */
export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

/** The solar years (and the solar dates) the lunar calendar is computed for. */
export const LUNAR_MIN_YEAR = 1900;
export const LUNAR_MAX_YEAR = 2100;

const TIME_ZONE_HOURS = 7;
/** Julian Day Number of 1970-01-01, the origin of the day numbers of days.ts. */
const JDN_UNIX_EPOCH = 2_440_588;
const SYNODIC_MONTH = 29.530588853;
/** Julian date of the new moon of 1900-01-01, the origin of new-moon indices. */
const NEW_MOON_1900 = 2_415_021.076998695;
// Bound once: inside a vm context (Jest, the Temporal workflow sandbox) every lookup of the global Math goes
// through the context's interceptors, which made the conversion several times slower.
const { sin, floor, round, PI } = Math;
const RAD = PI / 180;

/** Julian date (UT, fractional) of the k-th new moon after 1900-01-01 (Meeus, Astronomical Algorithms, ch. 49). */
function newMoon(k: number): number {
  const T = k / 1236.85; // Julian centuries from 1900 January 0.5
  const T2 = T * T;
  const T3 = T2 * T;
  let jd = 2_415_020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd += 0.00033 * sin((166.56 + 132.87 * T - 0.009173 * T2) * RAD);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3; // sun's mean anomaly
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3; // moon's mean anomaly
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3; // moon's argument of latitude
  let c1 = (0.1734 - 0.000393 * T) * sin(M * RAD) + 0.0021 * sin(2 * RAD * M);
  c1 = c1 - 0.4068 * sin(Mpr * RAD) + 0.0161 * sin(RAD * 2 * Mpr);
  c1 = c1 - 0.0004 * sin(RAD * 3 * Mpr);
  c1 = c1 + 0.0104 * sin(RAD * 2 * F) - 0.0051 * sin(RAD * (M + Mpr));
  c1 = c1 - 0.0074 * sin(RAD * (M - Mpr)) + 0.0004 * sin(RAD * (2 * F + M));
  c1 = c1 - 0.0004 * sin(RAD * (2 * F - M)) - 0.0006 * sin(RAD * (2 * F + Mpr));
  c1 = c1 + 0.001 * sin(RAD * (2 * F - Mpr)) + 0.0005 * sin(RAD * (2 * Mpr + M));
  // ΔT (TT − UT) in days; the polynomial for T >= -11 covers every date after about 800 AD.
  const deltaT = -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd + c1 - deltaT;
}

/** The sun's apparent longitude, in radians [0, 2π), at Julian date `jd`. */
function sunLongitude(jd: number): number {
  const T = (jd - 2_451_545.0) / 36_525; // Julian centuries from 2000-01-01 12:00 UT
  const T2 = T * T;
  const M = 357.5291 + 35_999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2; // mean anomaly
  const L0 = 280.46645 + 36_000.76983 * T + 0.0003032 * T2; // mean longitude
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * sin(RAD * M);
  DL = DL + (0.019993 - 0.000101 * T) * sin(RAD * 2 * M) + 0.00029 * sin(RAD * 3 * M);
  const L = (L0 + DL) * RAD;
  return L - 2 * PI * floor(L / (2 * PI));
}

/** The 30° sector (0 … 11) of the sun's longitude at local midnight starting the day `jdn`. */
function sunSector(jdn: number): number {
  return floor((sunLongitude(jdn - 0.5 - TIME_ZONE_HOURS / 24) / PI) * 6);
}

/** The Julian Day Number of the local day that holds the k-th new moon. */
function newMoonDay(k: number): number {
  return floor(newMoon(k) + 0.5 + TIME_ZONE_HOURS / 24);
}

/** The new-moon index of a month-start day. */
function newMoonIndex(monthStartJdn: number): number {
  return round((monthStartJdn - NEW_MOON_1900) / SYNODIC_MONTH);
}

/** The first day (JDN) of lunar month 11 of the lunar year that has its winter solstice in December of `year`. */
function month11Start(year: number): number {
  const k = floor((daysFromCivil(year, 12, 31) + JDN_UNIX_EPOCH - NEW_MOON_1900) / SYNODIC_MONTH);
  const start = newMoonDay(k);
  // Sector 9 begins at longitude 270°, the winter solstice: a month starting after it is month 12.
  return sunSector(start) >= 9 ? newMoonDay(k - 1) : start;
}

/**
 * One cycle of months from a month 11 to the next: its start, its new-moon index, and, when it holds
 * 13 months, the offset (1 … 12) from month 11 of the leap month.
 */
interface Cycle {
  start: number;
  k: number;
  leapOffset: number | null;
}

/**
 * Memo of cycleOf, at most one entry per year of the range (about 200): a pure function of its argument, so
 * the cache changes no result and is safe in a deterministic workflow.
 */
const cycles = new Map<number, Cycle>();

function cycleOf(solsticeYear: number): Cycle {
  let cycle = cycles.get(solsticeYear);
  if (!cycle) {
    cycle = computeCycle(solsticeYear);
    cycles.set(solsticeYear, cycle);
  }
  return cycle;
}

function computeCycle(solsticeYear: number): Cycle {
  const start = month11Start(solsticeYear);
  const k = newMoonIndex(start);
  if (month11Start(solsticeYear + 1) - start <= 365) return { start, k, leapOffset: null };
  // The leap month is the first whose start and end fall in the same sector (no major term inside). The
  // 13 months of the cycle hold only 12 major terms, so the loop stops by offset 12.
  let offset = 1;
  while (sunSector(newMoonDay(k + offset)) !== sunSector(newMoonDay(k + offset + 1))) offset += 1;
  return { start, k, leapOffset: offset };
}

/** The month number of the month `offset` months after month 11 (month 11 itself at 0). */
function monthNumberAt(offset: number): number {
  return ((offset + 10) % 12) + 1;
}

function checkSolarRange(year: number, iso: IsoDate): void {
  if (year < LUNAR_MIN_YEAR || year > LUNAR_MAX_YEAR) {
    throw new CalendarError(
      'OUT_OF_RANGE',
      `Lịch âm chỉ được tính cho các ngày từ năm ${LUNAR_MIN_YEAR} đến năm ${LUNAR_MAX_YEAR}: ${formatDateVi(iso)}.`
    );
  }
}

/** The Vietnamese lunar date of a solar date of 1900–2100. */
export function solarToLunar(iso: IsoDate): LunarDate {
  const { year, month, day } = parseIsoDate(iso);
  checkSolarRange(year, iso);
  const jdn = daysFromCivil(year, month, day) + JDN_UNIX_EPOCH;
  // The index from the mean lunation below can be one off either way, because the true new moon wanders
  // up to about 14 hours from the mean one: start from the next index and step back to the last new moon
  // on or before the day. (The published algorithm tries k + 1 then k only, and so returns "day 0" of the
  // next month for 2054-05-07 and 2062-04-09, the last days of 30-day months.)
  let k = floor((jdn - NEW_MOON_1900) / SYNODIC_MONTH) + 1;
  while (newMoonDay(k) > jdn) k -= 1;
  const monthStart = newMoonDay(k);
  // Months 11 and 12 belong to the lunar year of the solstice in their cycle, the other months to the next.
  const solsticeYear = cycleOf(year).start <= monthStart ? year : year - 1;
  const cycle = cycleOf(solsticeYear);
  const offset = floor((monthStart - cycle.start) / 29);
  const afterLeap = cycle.leapOffset !== null && offset >= cycle.leapOffset;
  const lunarMonth = monthNumberAt(afterLeap ? offset - 1 : offset);
  return {
    year: lunarMonth >= 11 ? solsticeYear : solsticeYear + 1,
    month: lunarMonth,
    day: jdn - monthStart + 1,
    leap: offset === cycle.leapOffset,
  };
}

function invalidLunar(date: LunarDate, why: string): CalendarError {
  const label = `ngày ${date.day} tháng ${date.month}${date.leap ? ' nhuận' : ''} năm ${date.year}`;
  return new CalendarError('INVALID_LUNAR_DATE', `Ngày âm lịch không hợp lệ (${label}): ${why}.`);
}

/** The solar date of a Vietnamese lunar date; rejects dates that do not exist or fall outside 1900–2100. */
export function lunarToSolar(date: LunarDate): IsoDate {
  const { year, month, day, leap } = date;
  if (
    !Number.isInteger(year) ||
    !Number.isInteger(month) ||
    !Number.isInteger(day) ||
    typeof leap !== 'boolean' ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 30
  ) {
    throw invalidLunar(date, 'năm, tháng, ngày phải là số nguyên (tháng 1–12, ngày 1–30)');
  }
  // Lunar year Y spans the solar years Y and Y + 1; outside this window no date can land in 1900–2100.
  if (year < LUNAR_MIN_YEAR - 1 || year > LUNAR_MAX_YEAR) {
    throw new CalendarError(
      'OUT_OF_RANGE',
      `Lịch âm chỉ được tính cho các năm từ ${LUNAR_MIN_YEAR} đến ${LUNAR_MAX_YEAR}: năm âm lịch ${year}.`
    );
  }
  const cycle = cycleOf(month >= 11 ? year : year - 1);
  let offset = (month + 1) % 12; // 11 → 0, 12 → 1, 1 → 2, …, 10 → 11
  if (leap) {
    if (cycle.leapOffset === null || monthNumberAt(cycle.leapOffset - 1) !== month) {
      throw invalidLunar(date, `năm âm lịch ${year} không có tháng ${month} nhuận`);
    }
    offset = cycle.leapOffset;
  } else if (cycle.leapOffset !== null && offset >= cycle.leapOffset) {
    offset += 1;
  }
  const monthStart = newMoonDay(cycle.k + offset);
  if (day > newMoonDay(cycle.k + offset + 1) - monthStart) {
    throw invalidLunar(date, 'tháng này chỉ có 29 ngày');
  }
  const iso = fromDayNumber(monthStart + day - 1 - JDN_UNIX_EPOCH);
  checkSolarRange(parseIsoDate(iso).year, iso);
  return iso;
}

/** The first day of the lunar year (mùng 1 Tết) `year`. */
export function tetDate(year: number): IsoDate {
  return lunarToSolar({ year, month: 1, day: 1, leap: false });
}
