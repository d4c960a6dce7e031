/**
 * Checkpoints of the yearly quota (DOMAIN.md §6): at each checkpoint every unit's attainment is compared
 * with its pro-rata target (the yearly target × the elapsed fraction of the year); a unit below the
 * threshold (80 % of pro-rata by default) gets a notice, and a unit below it at two checkpoints in a row is
 * escalated to Thường trực Tỉnh ủy. The arithmetic is exact (integers): no rounding decides who is below.
 */
import { dayNumber, daysInMonth, isLeapYear, toIsoDate } from '../calendar/days';
import { domainError } from '../errors';
import type { IsoDate } from '../types';
import type { QuotaPlan } from './model';
import type { UnitTally } from './attainment';

export type CheckpointFrequency = 'monthly' | 'quarterly';

export const DEFAULT_THRESHOLD_PCT = 80;

/** The dates of the checkpoints of a year: the last day of each month (or quarter). */
export function checkpointDates(year: number, frequency: CheckpointFrequency = 'monthly'): IsoDate[] {
  const step = frequency === 'quarterly' ? 3 : 1;
  const dates: IsoDate[] = [];
  for (let month = step; month <= 12; month += step)
    dates.push(toIsoDate({ year, month, day: daysInMonth(year, month) }));
  return dates;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/** Days of `year` elapsed by the end of `asOf` (1 on 1 January, 365 or 366 on 31 December). */
export function elapsedDays(year: number, asOf: IsoDate): number {
  const n = dayNumber(asOf) - dayNumber(toIsoDate({ year, month: 1, day: 1 })) + 1;
  if (n < 1 || n > daysInYear(year)) {
    throw domainError(
      'INVALID_INPUT',
      `checkpoint ${asOf} is outside ${year}`,
      `Ngày kiểm tra ${asOf} không thuộc năm ${year}.`,
      { year, asOf }
    );
  }
  return n;
}

export interface UnitCheckpoint {
  unitId: string;
  name: string;
  target: number;
  attained: number;
  /** target × elapsed fraction (not rounded). */
  proRata: number;
  /** attained ÷ pro-rata target, in %, one decimal (100 when nothing was due yet). */
  proRataPct: number;
  below: boolean;
  /** Consecutive checkpoints below the threshold, this one included (0 when not below). */
  streak: number;
  /** Admissions still needed to reach the target. */
  remaining: number;
  /** Admissions needed per month for the rest of the year (one decimal, rounded up); 0 when none remain. */
  neededPerMonth: number;
  /** The year-end figure at the current pace (rounded down). */
  forecast: number;
}

export interface CheckpointInput {
  plan: QuotaPlan;
  tallies: Record<string, UnitTally>;
  asOf: IsoDate;
  thresholdPct?: number;
  /** Each unit's streak at the previous checkpoint. */
  previousStreaks: Record<string, number>;
}

export interface QuotaMailEffect {
  level: 'notice' | 'escalation';
  unitId: string;
}

export interface CheckpointOutcome {
  asOf: IsoDate;
  elapsedDays: number;
  daysInYear: number;
  thresholdPct: number;
  units: UnitCheckpoint[];
  streaks: Record<string, number>;
  /** A notice for every unit below; an escalation too for those below twice or more in a row. */
  effects: QuotaMailEffect[];
}

const ceil1 = (x: number): number => Math.ceil(Math.round(x * 1e6) / 1e5) / 10;
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Pace and forecast of one unit at a checkpoint, in exact integer comparisons. */
export function unitCheckpoint(
  unit: { unitId: string; name: string; target: number },
  attained: number,
  elapsed: number,
  yearDays: number,
  thresholdPct: number,
  previousStreak: number
): UnitCheckpoint {
  const { target } = unit;
  // attained < threshold% × target × elapsed / yearDays, multiplied out.
  const below = attained * 100 * yearDays < thresholdPct * target * elapsed;
  const proRata = (target * elapsed) / yearDays;
  const remaining = Math.max(0, target - attained);
  const monthsLeft = ((yearDays - elapsed) * 12) / yearDays;
  const neededPerMonth = remaining === 0 ? 0 : monthsLeft === 0 ? remaining : ceil1(remaining / monthsLeft);
  return {
    unitId: unit.unitId,
    name: unit.name,
    target,
    attained,
    proRata,
    proRataPct: proRata === 0 ? 100 : round1((attained * 100) / proRata),
    below,
    streak: below ? previousStreak + 1 : 0,
    remaining,
    neededPerMonth,
    forecast: Math.floor((attained * yearDays) / elapsed),
  };
}

/**
 * Evaluates one checkpoint for every unit of the plan but the root (the province answers to nobody in
 * cadreflow): pro-rata target, below or not, streak, pace needed and forecast; and the e-mails to send.
 */
export function evaluateCheckpoint(input: CheckpointInput): CheckpointOutcome {
  const { plan, asOf } = input;
  const thresholdPct = input.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
  if (!(Number.isFinite(thresholdPct) && thresholdPct > 0 && thresholdPct <= 100)) {
    throw domainError(
      'INVALID_INPUT',
      `threshold ${thresholdPct}% is not in (0, 100]`,
      `Ngưỡng cảnh báo ${thresholdPct}% không hợp lệ (phải lớn hơn 0 và không quá 100).`,
      { thresholdPct }
    );
  }
  const elapsed = elapsedDays(plan.year, asOf);
  const yearDays = daysInYear(plan.year);
  const units: UnitCheckpoint[] = [];
  const streaks: Record<string, number> = {};
  const effects: QuotaMailEffect[] = [];
  for (const u of plan.units) {
    if (u.unitId === plan.rootUnitId) continue;
    const attained = input.tallies[u.unitId]?.admissions ?? 0;
    const r = unitCheckpoint(u, attained, elapsed, yearDays, thresholdPct, input.previousStreaks[u.unitId] ?? 0);
    units.push(r);
    streaks[u.unitId] = r.streak;
    if (r.below) effects.push({ level: 'notice', unitId: u.unitId });
    if (r.streak >= 2) effects.push({ level: 'escalation', unitId: u.unitId });
  }
  return { asOf, elapsedDays: elapsed, daysInYear: yearDays, thresholdPct, units, streaks, effects };
}

/** "1.234,5" — numbers as Vietnamese write them. */
export function formatNumberVi(n: number): string {
  const [int, dec] = round1(n).toFixed(1).split('.') as [string, string];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return dec === '0' ? grouped : `${grouped},${dec}`;
}
