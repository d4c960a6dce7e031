import fc from 'fast-check';
import { isDomainError } from '../../domain/errors';
import { followingRung, ladderSchedule, nextLadderAction, obstacleAction, type LadderDone } from '../../domain/ladder';
import type { LadderAction, LadderConfig, Period, WorkingCalendar } from '../../domain/types';

// ---------------------------------------------------------------------------------------------------
// A fake working calendar, independent of domain/calendar: Monday to Friday are working days, no
// holidays, days end at 23:59:59.999 in Vietnam (UTC+7). Periods follow the Civil Code rule of the
// WorkingCalendar contract: the start day is excluded, the period ends at the end of its last day, rolled
// forward to the end of the next working day when that day is off.
// ---------------------------------------------------------------------------------------------------
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VN = 7 * HOUR;

const vnDate = (ms: number): string => new Date(ms + VN).toISOString().slice(0, 10);
const startOfDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) - VN;
const endOfDay = (date: string): number => startOfDay(date) + DAY - 1;
const addDays = (date: string, n: number): string => vnDate(startOfDay(date) + n * DAY);
const isWorkingDay = (date: string): boolean => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
const rollForward = (date: string): string => (isWorkingDay(date) ? date : rollForward(addDays(date, 1)));

function stepWorkingDays(date: string, n: number, direction: 1 | -1): string {
  let d = date;
  for (let counted = 0; counted < n;) {
    d = addDays(d, direction);
    if (isWorkingDay(d)) counted += 1;
  }
  return d;
}

const fakeCalendar: WorkingCalendar = {
  isWorkingDay,
  addPeriod(from: number, period: Period): number {
    switch (period.unit) {
      case 'workingDays':
        return endOfDay(rollForward(stepWorkingDays(vnDate(from), period.n, 1)));
      case 'calendarDays':
        return endOfDay(rollForward(addDays(vnDate(from), period.n)));
      case 'duration': {
        const match = /^PT(\d+)([HMS])$/.exec(period.iso)!;
        return from + Number(match[1]) * { H: HOUR, M: 60_000, S: 1000 }[match[2] as 'H' | 'M' | 'S'];
      }
      case 'calendarMonths':
        throw new Error('not used by these tests');
    }
  },
  workingDaysBefore(at: number, n: number): number {
    const date = vnDate(at);
    return startOfDay(stepWorkingDays(date, n, -1)) + (at - startOfDay(date));
  },
  workingDaysBetween(): number {
    throw new Error('not used by the ladder');
  },
};

/** An instant in Vietnam: vn('2026-03-02', 9) is 09:00 on 2 March 2026, UTC+7. */
const vn = (date: string, hour = 0): number => startOfDay(date) + hour * HOUR;

function errorCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isDomainError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
}

// ---------------------------------------------------------------------------------------------------
// The reference step: opened Monday 2 March 2026 at 09:00, due in 10 working days. Counting from the
// day after: 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 March → due at the end of Monday 16 March 2026.
// ---------------------------------------------------------------------------------------------------
const openedAt = vn('2026-03-02', 9);
const dueAt = endOfDay('2026-03-16');

const config: LadderConfig = {
  reminderBefore: { unit: 'workingDays', n: 3 },
  noticeAtDue: true,
  escalateAfter: { unit: 'workingDays', n: 5 },
  repeatEvery: { unit: 'workingDays', n: 5 },
  maxRounds: 3,
};

const base = { openedAt, dueAt, calendar: fakeCalendar, config };

/**
 * Hand-computed:
 * - reminder: 3 working days before Mon 16/3 → Fri 13, Thu 12, Wed 11 → end of Wed 11/3;
 * - due notice: end of Mon 16/3;
 * - escalation 1: 5 working days after 16/3 → 17, 18, 19, 20, 23 → end of Mon 23/3;
 * - escalation 2: 24, 25, 26, 27, 30 → end of Mon 30/3;
 * - escalation 3: 31/3, 1, 2, 3, 6/4 → end of Mon 6/4 (maxRounds = 3, so no fourth).
 */
const expected: LadderAction[] = [
  { level: 'reminder', round: 1, at: endOfDay('2026-03-11'), audience: 'actor' },
  { level: 'due', round: 1, at: endOfDay('2026-03-16'), audience: 'actorAndSuperiorOrgBoard' },
  { level: 'escalation', round: 1, at: endOfDay('2026-03-23'), audience: 'provincialStanding' },
  { level: 'escalation', round: 2, at: endOfDay('2026-03-30'), audience: 'provincialStanding' },
  { level: 'escalation', round: 3, at: endOfDay('2026-04-06'), audience: 'provincialStanding' },
];

describe('ladderSchedule', () => {
  it('lists the reminder, the due notice and the escalation rounds in time order', () => {
    expect(ladderSchedule(base)).toEqual(expected);
  });

  it('skips a reminder that would fall before the step opened', () => {
    // Opened Thursday 12/3 at 08:00, after the reminder time (end of 11/3).
    expect(ladderSchedule({ ...base, openedAt: vn('2026-03-12', 8) }).map((a) => a.level)).toEqual([
      'due',
      'escalation',
      'escalation',
      'escalation',
    ]);
    // Opened on 11/3 itself at 08:00: the reminder (end of 11/3) is after the opening, so it stays.
    expect(ladderSchedule({ ...base, openedAt: vn('2026-03-11', 8) })[0]!.level).toBe('reminder');
  });

  it('moves the notice and escalations of a step opened already overdue to its opening', () => {
    // C11 counts from C8: the step may open after its due date. Opened Wed 25/3 at 10:00: the due notice
    // (16/3) and escalation 1 (23/3) move to the opening; rounds 2 and 3 keep their own times.
    const late = vn('2026-03-25', 10);
    expect(ladderSchedule({ ...base, openedAt: late })).toEqual([
      { level: 'due', round: 1, at: late, audience: 'actorAndSuperiorOrgBoard' },
      { level: 'escalation', round: 1, at: late, audience: 'provincialStanding' },
      expected[3],
      expected[4],
    ]);
  });

  it('sends one escalation when there is no repeat, and none with maxRounds 0 or no escalateAfter', () => {
    const once = ladderSchedule({ ...base, config: { ...config, repeatEvery: undefined } });
    expect(once.filter((a) => a.level === 'escalation')).toEqual([expected[2]]);
    expect(ladderSchedule({ ...base, config: { ...config, maxRounds: 0 } }).map((a) => a.level)).toEqual([
      'reminder',
      'due',
    ]);
    expect(ladderSchedule({ ...base, config: { noticeAtDue: false, maxRounds: 3 } })).toEqual([]);
  });

  it('counts reminders in calendar days and fixed durations too', () => {
    // Vietnam has no daylight saving: 2 calendar days before the end of 16/3 is the end of 14/3.
    const calendarDays = ladderSchedule({
      ...base,
      config: { noticeAtDue: false, maxRounds: 0, reminderBefore: { unit: 'calendarDays', n: 2 } },
    });
    expect(calendarDays).toEqual([{ level: 'reminder', round: 1, at: endOfDay('2026-03-14'), audience: 'actor' }]);
    const reminderAt = (iso: string): number =>
      ladderSchedule({
        ...base,
        config: { noticeAtDue: false, maxRounds: 0, reminderBefore: { unit: 'duration', iso } },
      })[0]!.at;
    expect(reminderAt('PT4H')).toBe(dueAt - 4 * HOUR);
    expect(reminderAt('P1W')).toBe(dueAt - 7 * DAY);
    expect(reminderAt('P1DT2H30M15S')).toBe(dueAt - DAY - 2 * HOUR - 30 * 60_000 - 15_000);
  });

  it("runs a short ladder in fixed durations, as tests and a province's own chains may", () => {
    const opened = vn('2026-03-02', 9);
    const short: LadderConfig = {
      reminderBefore: { unit: 'duration', iso: 'PT10M' },
      noticeAtDue: true,
      escalateAfter: { unit: 'duration', iso: 'PT30M' },
      repeatEvery: { unit: 'duration', iso: 'PT15M' },
      maxRounds: 2,
    };
    const due = opened + HOUR;
    expect(ladderSchedule({ openedAt: opened, dueAt: due, calendar: fakeCalendar, config: short })).toEqual([
      { level: 'reminder', round: 1, at: due - 10 * 60_000, audience: 'actor' },
      { level: 'due', round: 1, at: due, audience: 'actorAndSuperiorOrgBoard' },
      { level: 'escalation', round: 1, at: due + 30 * 60_000, audience: 'provincialStanding' },
      { level: 'escalation', round: 2, at: due + 45 * 60_000, audience: 'provincialStanding' },
    ]);
  });

  it.each(['P', 'PT', 'P1DT', 'P1M', 'P1Y', 'PT1.5S', '1D'])('rejects the reminder duration %p', (iso) => {
    expect(
      errorCode(() => ladderSchedule({ ...base, config: { ...config, reminderBefore: { unit: 'duration', iso } } }))
    ).toBe('DEFINITION_INVALID');
  });

  it('rejects a reminder counted in months', () => {
    const reminderBefore: Period = { unit: 'calendarMonths', n: 1 };
    expect(errorCode(() => ladderSchedule({ ...base, config: { ...config, reminderBefore } }))).toBe(
      'DEFINITION_INVALID'
    );
  });

  it.each<[string, LadderConfig]>([
    ['a negative maxRounds', { ...config, maxRounds: -1 }],
    ['a fractional maxRounds', { ...config, maxRounds: 1.5 }],
    ['a negative reminder', { ...config, reminderBefore: { unit: 'workingDays', n: -1 } }],
    ['a fractional escalation', { ...config, escalateAfter: { unit: 'calendarDays', n: 0.5 } }],
    ['a negative repeat', { ...config, repeatEvery: { unit: 'calendarMonths', n: -2 } }],
    // From the end of a working day, 0 working days later is the same instant: all rounds at once.
    ['a repeat that does not move time', { ...config, repeatEvery: { unit: 'workingDays', n: 0 } }],
  ])('rejects %s as DEFINITION_INVALID', (_name, bad) => {
    expect(errorCode(() => ladderSchedule({ ...base, config: bad }))).toBe('DEFINITION_INVALID');
  });

  it('rejects instants that are not epoch milliseconds', () => {
    expect(errorCode(() => ladderSchedule({ ...base, openedAt: NaN }))).toBe('INVALID_INPUT');
    expect(errorCode(() => ladderSchedule({ ...base, dueAt: 1.5 }))).toBe('INVALID_INPUT');
  });
});

describe('nextLadderAction', () => {
  const next = (now: number, done: LadderDone[]): LadderAction | null => nextLadderAction({ ...base, now, done });

  it('walks the ladder one rung at a time as the actions are done', () => {
    expect(next(openedAt, [])).toEqual(expected[0]);
    expect(next(expected[0]!.at, [{ level: 'reminder', round: 1 }])).toEqual(expected[1]);
    const allButLast: LadderDone[] = expected.slice(0, 4).map(({ level, round }) => ({ level, round }));
    expect(next(expected[3]!.at, allButLast)).toEqual(expected[4]);
    expect(next(expected[4]!.at, [...allButLast, { level: 'escalation', round: 3 }])).toBeNull();
  });

  it('returns an action whose time has passed, to be carried out at once', () => {
    // At 10:00 on 12/3 the reminder (end of 11/3) is late but the due date has not passed yet.
    expect(next(vn('2026-03-12', 10), [])).toEqual(expected[0]);
  });

  it('after an outage, drops the reminder and the escalation rounds a later round has overtaken', () => {
    // Nothing was sent and it is now Tuesday 31/3: the due date passed (reminder stale), escalation
    // rounds 1 (23/3) and 2 (30/3) are both due, so only round 2 is sent; the due notice still goes.
    const now = vn('2026-03-31', 8);
    expect(next(now, [])).toEqual(expected[1]);
    expect(next(now, [{ level: 'due', round: 1 }])).toEqual(expected[3]);
    expect(
      next(now, [
        { level: 'due', round: 1 },
        { level: 'escalation', round: 2 },
      ])
    ).toEqual(expected[4]);
  });

  it('treats a rung as stale once a later one was done', () => {
    // The due notice was recorded (say by a replayed history) while the reminder was not: no reminder.
    expect(next(openedAt, [{ level: 'due', round: 1 }])).toEqual(expected[2]);
    // Round 2 recorded, round 1 not: round 1 is never sent.
    expect(
      next(openedAt, [
        { level: 'due', round: 1 },
        { level: 'escalation', round: 2 },
      ])
    ).toEqual(expected[4]);
  });

  it('sends the reminder up to the due instant itself', () => {
    expect(next(dueAt, [])).toEqual(expected[0]);
    expect(next(dueAt + 1, [])).toEqual(expected[1]);
  });

  it('rejects a now that is not epoch milliseconds', () => {
    expect(errorCode(() => next(Infinity, []))).toBe('INVALID_INPUT');
  });
});

describe('obstacleAction', () => {
  it('goes straight to the provincial standing committee, at once, one round per report', () => {
    const now = vn('2026-03-05', 14);
    expect(obstacleAction(now, [])).toEqual({ level: 'obstacle', round: 1, at: now, audience: 'provincialStanding' });
    const done: LadderDone[] = [
      { level: 'obstacle', round: 1 },
      { level: 'escalation', round: 3 },
      { level: 'obstacle', round: 2 },
    ];
    expect(obstacleAction(now, done).round).toBe(3);
  });

  it('does not change the ladder of the step', () => {
    expect(nextLadderAction({ ...base, now: openedAt, done: [{ level: 'obstacle', round: 1 }] })).toEqual(expected[0]);
  });

  it('rejects a now that is not epoch milliseconds', () => {
    expect(errorCode(() => obstacleAction(NaN, []))).toBe('INVALID_INPUT');
  });
});

describe('ladder properties', () => {
  const period = fc.oneof(
    fc.record({ unit: fc.constant('workingDays' as const), n: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ unit: fc.constant('calendarDays' as const), n: fc.integer({ min: 0, max: 6 }) })
  );
  const repeat = fc.oneof(
    fc.record({ unit: fc.constant('workingDays' as const), n: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ unit: fc.constant('calendarDays' as const), n: fc.integer({ min: 1, max: 6 }) }),
    fc.integer({ min: 1, max: 48 }).map((h) => ({ unit: 'duration' as const, iso: `PT${h}H` }))
  );
  const ladderConfig = fc.record(
    {
      reminderBefore: fc.oneof(
        period,
        fc.integer({ min: 0, max: 72 }).map((h) => ({ unit: 'duration' as const, iso: `PT${h}H` }))
      ),
      noticeAtDue: fc.boolean(),
      escalateAfter: period,
      repeatEvery: repeat,
      maxRounds: fc.integer({ min: 0, max: 6 }),
    },
    { requiredKeys: ['noticeAtDue', 'maxRounds'] }
  );
  // Opened at any minute of 2026; due from 15 days before to 60 days after the opening (C11 may open late).
  const step = fc.record({
    openedAt: fc.integer({ min: vn('2026-01-01'), max: vn('2026-12-31') }).map((t) => t - (t % 60_000)),
    dueOffset: fc.integer({ min: -15 * 24 * 60, max: 60 * 24 * 60 }).map((m) => m * 60_000),
    config: ladderConfig,
  });

  function checkActions(actions: readonly LadderAction[], opened: number, maxRounds: number): void {
    const keys = new Set<string>();
    actions.forEach((action, i) => {
      expect(action.at).toBeGreaterThanOrEqual(opened);
      if (i > 0) expect(action.at).toBeGreaterThanOrEqual(actions[i - 1]!.at);
      const key = `${action.level}#${action.round}`;
      expect(keys.has(key)).toBe(false);
      keys.add(key);
    });
    expect(actions.filter((a) => a.level === 'escalation').length).toBeLessThanOrEqual(maxRounds);
  }

  it('the schedule never starts before the opening, is ordered, bounded and has each rung once', () => {
    fc.assert(
      fc.property(step, ({ openedAt: opened, dueOffset, config: c }) => {
        const actions = ladderSchedule({
          openedAt: opened,
          dueAt: opened + dueOffset,
          calendar: fakeCalendar,
          config: c,
        });
        checkActions(actions, opened, c.maxRounds);
      })
    );
  });

  it('a workflow following nextLadderAction, with outages, keeps the same guarantees and terminates', () => {
    // Each delay is how late the workflow carries out an action: usually on time, sometimes days late.
    const delays = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 * DAY })), { maxLength: 20 });
    fc.assert(
      fc.property(step, delays, ({ openedAt: opened, dueOffset, config: c }, lateness) => {
        const input = { openedAt: opened, dueAt: opened + dueOffset, calendar: fakeCalendar, config: c };
        const done: LadderDone[] = [];
        const carried: LadderAction[] = [];
        let now = opened;
        for (let i = 0; ; i += 1) {
          expect(i).toBeLessThan(20); // at most 1 + 1 + 6 rungs exist
          const action = nextLadderAction({ ...input, now, done });
          if (action === null) break;
          now = Math.max(now, action.at) + (lateness[i] ?? 0);
          carried.push(action);
          done.push({ level: action.level, round: action.round });
        }
        checkActions(carried, opened, c.maxRounds);
      })
    );
  });
});

test('followingRung: reminder → due notice → escalation rounds; nothing after an e-mail off the ladder', () => {
  expect(followingRung('reminder', 1)).toEqual({ level: 'due', round: 1 });
  expect(followingRung('due', 1)).toEqual({ level: 'escalation', round: 1 });
  expect(followingRung('escalation', 2)).toEqual({ level: 'escalation', round: 3 });
  expect(followingRung('obstacle', 1)).toBeNull();
  expect(followingRung('decision', 1)).toBeNull();
});
