import { isDomainError } from '../../../domain/errors';
import {
  checkpointDates,
  daysInYear,
  elapsedDays,
  emptyTally,
  evaluateCheckpoint,
  formatNumberVi,
  unitCheckpoint,
  type UnitTally,
} from '../../../domain/quotas';
import { smallPlan } from './fixtures';

const tally = (admissions: number): UnitTally => ({ ...emptyTally(), admissions });

test('checkpoints fall on the last day of each month or quarter', () => {
  expect(checkpointDates(2028)).toHaveLength(12);
  expect(checkpointDates(2028)[1]).toBe('2028-02-29');
  expect(checkpointDates(2026, 'quarterly')).toEqual(['2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31']);
  expect(daysInYear(2026)).toBe(365);
  expect(daysInYear(2028)).toBe(366);
  expect(elapsedDays(2026, '2026-01-01')).toBe(1);
  expect(elapsedDays(2026, '2026-03-31')).toBe(90);
  expect(elapsedDays(2026, '2026-12-31')).toBe(365);
});

test('a date outside the year is refused', () => {
  expect(() => elapsedDays(2026, '2027-01-01')).toThrow('checkpoint 2027-01-01 is outside 2026');
});

test('pro-rata, pace needed and forecast, hand-computed', () => {
  // 31/03/2026: 90 of 365 days. Target 60 → pro-rata 60 × 90/365 = 14.79; 80 % of it = 11.84.
  const u = { unitId: 'X', name: 'Đảng ủy xã Duy Xuyên', target: 60 };
  const r11 = unitCheckpoint(u, 11, 90, 365, 80, 0);
  expect(r11.below).toBe(true); // 11 < 11.84
  expect(r11.streak).toBe(1);
  expect(r11.proRata).toBeCloseTo(14.7945, 4);
  expect(r11.proRataPct).toBe(74.4); // 11 / 14.7945
  expect(r11.remaining).toBe(49);
  // 275 days left = 9.04 months; 49 / 9.04 = 5.42 → 5.5 a month (rounded up).
  expect(r11.neededPerMonth).toBe(5.5);
  expect(r11.forecast).toBe(44); // 11 × 365 / 90 = 44.6
  const r12 = unitCheckpoint(u, 12, 90, 365, 80, 3);
  expect(r12.below).toBe(false); // 12 ≥ 11.84
  expect(r12.streak).toBe(0);
  // Exactly on the threshold is not below: target 365, 100 days → pro-rata 100, 80 % = 80.
  expect(unitCheckpoint({ ...u, target: 365 }, 80, 100, 365, 80, 0).below).toBe(false);
  expect(unitCheckpoint({ ...u, target: 365 }, 79, 100, 365, 80, 0).below).toBe(true);
  // Target reached: nothing more needed; last day of the year: what remains is due now.
  expect(unitCheckpoint(u, 70, 90, 365, 80, 0)).toMatchObject({ remaining: 0, neededPerMonth: 0, forecast: 283 });
  expect(unitCheckpoint(u, 40, 365, 365, 80, 1)).toMatchObject({
    remaining: 20,
    neededPerMonth: 20,
    below: true,
    streak: 2,
  });
  // A target of 0 is never missed.
  expect(unitCheckpoint({ ...u, target: 0 }, 0, 90, 365, 80, 0)).toMatchObject({ below: false, proRataPct: 100 });
});

test('a checkpoint notices every unit below and escalates a unit below twice in a row', () => {
  const plan = smallPlan();
  // 31/03/2026, 90/365. X: 60 → 80 % pro-rata 11.84; Y: 40 → 7.89; G: 60 → 11.84.
  const tallies = { P: tally(25), X: tally(14), Y: tally(5), G: tally(11) };
  const first = evaluateCheckpoint({ plan, tallies, asOf: '2026-03-31', previousStreaks: {} });
  expect(first.units.map((u) => [u.unitId, u.below, u.streak])).toEqual([
    ['X', false, 0],
    ['Y', true, 1],
    ['G', true, 1],
  ]);
  expect(first.effects).toEqual([
    { level: 'notice', unitId: 'Y' },
    { level: 'notice', unitId: 'G' },
  ]);
  // 30/04/2026: 120/365. Y: 40 × 120/365 × 0.8 = 10.52; G: 60 → 15.78.
  const second = evaluateCheckpoint({
    plan,
    tallies: { X: tally(20), Y: tally(10), G: tally(16) },
    asOf: '2026-04-30',
    previousStreaks: first.streaks,
  });
  expect(second.effects).toEqual([
    { level: 'notice', unitId: 'Y' },
    { level: 'escalation', unitId: 'Y' },
  ]);
  expect(second.streaks).toEqual({ X: 0, Y: 2, G: 0 });
  // A unit missing from the tallies counts 0; a lower threshold lets Y pass.
  const lenient = evaluateCheckpoint({ plan, tallies: {}, asOf: '2026-01-01', thresholdPct: 50, previousStreaks: {} });
  expect(lenient.units.every((u) => u.attained === 0 && u.below)).toBe(true);
  expect(lenient.thresholdPct).toBe(50);
});

test('a threshold outside (0, 100] is refused', () => {
  for (const thresholdPct of [0, 101, Number.NaN]) {
    try {
      evaluateCheckpoint({ plan: smallPlan(), tallies: {}, asOf: '2026-03-31', thresholdPct, previousStreaks: {} });
      throw new Error('accepted');
    } catch (e) {
      expect(isDomainError(e) && e.code).toBe('INVALID_INPUT');
    }
  }
});

test('numbers are written the Vietnamese way', () => {
  expect(formatNumberVi(1234.56)).toBe('1.234,6');
  expect(formatNumberVi(2000)).toBe('2.000');
  expect(formatNumberVi(5.5)).toBe('5,5');
});
