/**
 * The escalation ladder of a step (DOMAIN.md §8):
 *   1. `reminderBefore` the due date: a reminder to the actor (skipped when that is before the step opened);
 *   2. at the due date: a notice to the actor and the superior's Organization Board;
 *   3. `escalateAfter` the due date: an escalation to Thường trực Tỉnh ủy, repeated every `repeatEvery`
 *      up to `maxRounds` escalations in all;
 *   4. an obstacle report, at any time: straight to Thường trực Tỉnh ủy.
 * Every action is identified by (level, round) and is sent at most once; the caller records what it has
 * done and asks for the next action again. All times are epoch ms; the working-day arithmetic is the
 * calendar's, passed in.
 */
import { domainError, type DomainError } from './errors';
import type { EpochMs, LadderAction, LadderConfig, LadderLevel, Period, WorkingCalendar } from './types';

/** An action already carried out (its e-mail sent and recorded). */
export interface LadderDone {
  level: LadderLevel;
  round: number;
}

export interface LadderInput {
  /** When the step became actionable. */
  openedAt: EpochMs;
  /** The step's current due date (after any extension). It may precede openedAt: C11's deadline counts from C8. */
  dueAt: EpochMs;
  calendar: WorkingCalendar;
  config: LadderConfig;
}

export interface LadderNextInput extends LadderInput {
  now: EpochMs;
  done: readonly LadderDone[];
}

const DAY_MS = 86_400_000;

/** The order of levels at the same instant, so that the schedule is totally ordered. */
const LEVEL_ORDER: Record<LadderLevel, number> = { reminder: 0, due: 1, escalation: 2, obstacle: 3 };

/**
 * The rung that may follow `level`/`round` on a step run's ladder (ladderSchedule: reminder, due notice,
 * escalation rounds), or null after an obstacle report. The next round may lie past
 * `maxRounds`: a rung that never comes. Any other level (an e-mail off the ladder) has none.
 */
export function followingRung(level: string, round: number): { level: LadderLevel; round: number } | null {
  if (level === 'reminder') return { level: 'due', round: 1 };
  if (level === 'due') return { level: 'escalation', round: 1 };
  if (level === 'escalation') return { level: 'escalation', round: round + 1 };
  return null;
}

function invalidDefinition(message: string, messageVi: string, details?: Record<string, unknown>): DomainError {
  return domainError('DEFINITION_INVALID', message, messageVi, details);
}

function isInstant(value: number): boolean {
  return Number.isSafeInteger(value);
}

function checkNow(now: EpochMs): void {
  if (!isInstant(now)) {
    const message = `now must be epoch milliseconds, got ${now}`;
    throw domainError('INVALID_INPUT', message, 'Thời điểm hiện tại không hợp lệ.', { now });
  }
}

/**
 * Milliseconds of an ISO 8601 duration made of fixed units only (weeks, days, hours, minutes, seconds):
 * months and years have no fixed length, so they cannot be subtracted from an instant.
 */
function fixedDurationMs(iso: string): number {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!match || iso === 'P' || iso.endsWith('T')) {
    throw invalidDefinition(
      `duration ${iso} is not made of weeks, days, hours, minutes and seconds`,
      `Khoảng thời gian «${iso}» không hợp lệ: chỉ dùng tuần, ngày, giờ, phút, giây (ví dụ P2D, PT4H).`,
      { iso }
    );
  }
  const part = (index: number): number => Number(match[index] ?? 0);
  const [weeks, days, hours, minutes, seconds] = [part(1), part(2), part(3), part(4), part(5)];
  return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000;
}

function checkPeriod(period: Period | undefined, name: string): void {
  if (period === undefined || period.unit === 'duration') return;
  if (!(Number.isSafeInteger(period.n) && period.n >= 0)) {
    throw invalidDefinition(
      `ladder ${name} must count a whole number >= 0 of ${period.unit}, got ${period.n}`,
      `Cấu hình nhắc việc không hợp lệ: thời hạn phải là số nguyên không âm (nhận được ${period.n}).`,
      { name, period }
    );
  }
}

function checkInput(input: LadderInput): void {
  const { openedAt, dueAt, config } = input;
  if (!isInstant(openedAt) || !isInstant(dueAt)) {
    throw domainError(
      'INVALID_INPUT',
      `openedAt and dueAt must be epoch milliseconds, got ${openedAt} and ${dueAt}`,
      'Thời điểm mở bước hoặc hạn xử lý không hợp lệ.',
      { openedAt, dueAt }
    );
  }
  if (!(Number.isSafeInteger(config.maxRounds) && config.maxRounds >= 0)) {
    throw invalidDefinition(
      `ladder maxRounds must be a whole number >= 0, got ${config.maxRounds}`,
      `Cấu hình nhắc việc không hợp lệ: số lần báo cáo tối đa phải là số nguyên không âm (nhận được ${config.maxRounds}).`,
      { maxRounds: config.maxRounds }
    );
  }
  checkPeriod(config.reminderBefore, 'reminderBefore');
  checkPeriod(config.escalateAfter, 'escalateAfter');
  checkPeriod(config.repeatEvery, 'repeatEvery');
}

/** The instant `period` before `dueAt`: working days come from the calendar, the rest are fixed lengths. */
function reminderTime(dueAt: EpochMs, period: Period, calendar: WorkingCalendar): EpochMs {
  switch (period.unit) {
    case 'workingDays':
      return calendar.workingDaysBefore(dueAt, period.n);
    // Vietnam keeps UTC+7 all year, so a calendar day is always 24 hours.
    case 'calendarDays':
      return dueAt - period.n * DAY_MS;
    case 'duration':
      return dueAt - fixedDurationMs(period.iso);
    case 'calendarMonths':
      throw invalidDefinition(
        'a reminder cannot be set a number of calendar months before the due date',
        'Cấu hình nhắc việc không hợp lệ: thời điểm nhắc trước hạn không tính theo tháng.',
        { period }
      );
  }
}

function compareActions(a: LadderAction, b: LadderAction): number {
  return a.at - b.at || LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.round - b.round;
}

/**
 * Every action of the ladder, in time order. Reminders before `openedAt` are dropped (a reminder for a
 * step that was not yet open makes no sense). The due notice and escalations that fall before `openedAt`
 * (a step opened already overdue) are moved to `openedAt`: the overdue must still be reported.
 * Throws 'DEFINITION_INVALID' for a bad config, including a `repeatEvery` that does not move time
 * forward (all rounds would fire at once).
 */
export function ladderSchedule(input: LadderInput): LadderAction[] {
  checkInput(input);
  const { openedAt, dueAt, calendar, config } = input;
  const actions: LadderAction[] = [];

  if (config.reminderBefore) {
    const at = reminderTime(dueAt, config.reminderBefore, calendar);
    if (at >= openedAt) actions.push({ level: 'reminder', round: 1, at, audience: 'actor' });
  }

  if (config.noticeAtDue) {
    actions.push({ level: 'due', round: 1, at: Math.max(dueAt, openedAt), audience: 'actorAndSuperiorOrgBoard' });
  }

  if (config.escalateAfter && config.maxRounds > 0) {
    let at = calendar.addPeriod(dueAt, config.escalateAfter);
    for (let round = 1; round <= config.maxRounds; round += 1) {
      // The rounds are counted from their own times, not from the clamped ones: a step opened overdue
      // keeps the rhythm it would have had.
      actions.push({ level: 'escalation', round, at: Math.max(at, openedAt), audience: 'provincialStanding' });
      if (!config.repeatEvery || round === config.maxRounds) break;
      const next = calendar.addPeriod(at, config.repeatEvery);
      if (next <= at) {
        throw invalidDefinition(
          'repeatEvery does not move time forward',
          'Cấu hình nhắc việc không hợp lệ: chu kỳ nhắc lại phải lớn hơn 0.',
          { at, next }
        );
      }
      at = next;
    }
  }

  return actions.sort(compareActions);
}

/**
 * The next action to carry out, or null when nothing remains. Its `at` may be in the past (carry it out
 * now) or in the future (wait until then, then ask again). Actions already done are skipped, and so are
 * actions that a later one has made stale by `now` (after a worker outage, say):
 *   - a reminder once the due date has passed (it would announce a due date that is gone);
 *   - an escalation round once a later round is also due or done (only the latest round is sent, rather
 *     than a burst of identical e-mails); its round number still counts towards `maxRounds`.
 * The due notice is never stale: it goes to a different audience than the escalation.
 */
export function nextLadderAction(input: LadderNextInput): LadderAction | null {
  const { now, done, dueAt } = input;
  checkNow(now);
  const isDone = (level: LadderLevel, round: number): boolean =>
    done.some((d) => d.level === level && d.round === round);
  const schedule = ladderSchedule(input);
  const escalations = schedule.filter((a) => a.level === 'escalation');

  for (const action of schedule) {
    if (isDone(action.level, action.round)) continue;
    if (action.level === 'reminder' && (now > dueAt || isDone('due', 1))) continue;
    if (
      action.level === 'escalation' &&
      escalations.some((later) => later.round > action.round && (later.at <= now || isDone('escalation', later.round)))
    ) {
      continue;
    }
    return action;
  }
  return null;
}

/**
 * The action for an obstacle report (báo cáo vướng mắc): at once, straight to Thường trực Tỉnh ủy. Each
 * report is its own round, numbered after the obstacle rounds already done.
 */
export function obstacleAction(now: EpochMs, done: readonly LadderDone[]): LadderAction {
  checkNow(now);
  const last = done.reduce((max, d) => (d.level === 'obstacle' ? Math.max(max, d.round) : max), 0);
  return { level: 'obstacle', round: last + 1, at: now, audience: 'provincialStanding' };
}
