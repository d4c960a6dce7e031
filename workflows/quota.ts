/**
 * The yearly party-development quota (chỉ tiêu phát triển đảng viên, DOMAIN.md §6) as one long-running
 * workflow per year. At each checkpoint (the last day of every month by default, or of every quarter) it
 * loads the plan and every unit's attainment as of that day, lets the domain compare each unit with its
 * pro-rata target, stores the results, sends a notice to every unit below the threshold and an escalation
 * to Thường trực Tỉnh ủy for a unit below it twice in a row (each e-mail once, through the outbox), and
 * flags the cells that held no meeting that month. It continues as new every few checkpoints, carrying
 * the streaks, and ends after the year's last checkpoint.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { endOfVnDay } from '../domain/calendar/days';
import { checkpointDates, evaluateCheckpoint, DEFAULT_THRESHOLD_PCT } from '../domain/quotas/checkpoint';
import {
  getQuotaStatusQuery,
  type QuotaCheckpointSummary,
  type QuotaWorkflowInput,
  type QuotaWorkflowState,
} from './messages';

const { loadQuotaCheckpoint, saveQuotaCheckpoint, sendQuotaMail, checkCellMeetings } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A lost mail server or database is waited out: every activity is idempotent.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['NO_RECIPIENT', 'NOT_FOUND', 'INVALID_INPUT'],
  },
});

const DEFAULT_CHECKPOINTS_PER_RUN = 6;

/** The type of the ApplicationFailure behind an activity's failure, if any. */
function failureType(e: unknown): string | undefined {
  return e instanceof ActivityFailure && e.cause instanceof ApplicationFailure
    ? (e.cause.type ?? undefined)
    : undefined;
}

/** Runs the checkpoints of one year; see the file's doc. Returns the final state. */
export async function quotaWorkflow(input: QuotaWorkflowInput): Promise<QuotaWorkflowState> {
  const frequency = input.frequency ?? 'monthly';
  const thresholdPct = input.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
  const checkMeetings = input.checkMeetings ?? frequency === 'monthly';
  const dates = checkpointDates(input.year, frequency);
  // Just after the checkpoint's day has ended in Vietnam, or on the fast clock of a test.
  const fireAt = (n: number): number =>
    input.fastTimers ? input.fastTimers.startAt + n * input.fastTimers.everyMs : endOfVnDay(dates[n - 1] as string) + 1;

  const state: QuotaWorkflowState = input.resume ?? {
    year: input.year,
    next: 1,
    total: dates.length,
    streaks: {},
    skipped: [],
  };
  setHandler(getQuotaStatusQuery, () => state);

  if (!input.resume && !input.catchUp) {
    // Started late in the year: the checkpoints already past are not sent all at once.
    while (state.next <= state.total && fireAt(state.next) < Date.now()) {
      state.skipped.push(state.next);
      state.next += 1;
    }
  }

  let ran = 0;
  while (state.next <= state.total) {
    const n = state.next;
    const asOf = dates[n - 1] as string;
    const wait = fireAt(n) - Date.now();
    if (wait > 0) await sleep(wait);

    const summary: QuotaCheckpointSummary = { n, asOf, units: [], notices: [], escalations: [], unmailed: [] };
    try {
      const data = await loadQuotaCheckpoint({ year: input.year, asOf });
      const outcome = evaluateCheckpoint({
        plan: data.plan,
        tallies: data.tallies,
        asOf,
        thresholdPct,
        previousStreaks: state.streaks,
      });
      await saveQuotaCheckpoint({ year: input.year, n, asOf, units: outcome.units });
      await Promise.all(
        outcome.effects.map(async (effect) => {
          const unit = outcome.units.find((u) => u.unitId === effect.unitId);
          if (!unit) return;
          try {
            await sendQuotaMail({ year: input.year, n, asOf, level: effect.level, thresholdPct, unit });
          } catch (e) {
            if (failureType(e) !== 'NO_RECIPIENT') throw e;
            summary.unmailed.push(`${effect.level}:${effect.unitId}`);
          }
        })
      );
      state.streaks = outcome.streaks;
      summary.units = outcome.units.map((u) => ({
        unitId: u.unitId,
        name: u.name,
        target: u.target,
        attained: u.attained,
        proRata: u.proRata,
        proRataPct: u.proRataPct,
        below: u.below,
        streak: u.streak,
        neededPerMonth: u.neededPerMonth,
        forecast: u.forecast,
      }));
      summary.notices = outcome.effects.filter((e) => e.level === 'notice').map((e) => e.unitId);
      summary.escalations = outcome.effects.filter((e) => e.level === 'escalation').map((e) => e.unitId);
    } catch (e) {
      const type = failureType(e);
      if (type !== 'NOT_FOUND' && type !== 'INVALID_INPUT') throw e;
      // No plan (or a broken one) this month: say so and try again at the next checkpoint.
      summary.error = `Không đánh giá được kỳ kiểm tra ngày ${asOf}: ${(e as ActivityFailure).cause?.message ?? ''}`;
    }
    if (checkMeetings) {
      const flags = await checkCellMeetings({ month: asOf.slice(0, 7) });
      summary.meetingFlags = flags.committees.map((c) => ({ committeeId: c.committeeId, cellIds: c.cellIds }));
    }
    state.last = summary;
    state.next = n + 1;
    ran += 1;

    const info = workflowInfo();
    if (
      state.next <= state.total &&
      (ran >= (input.checkpointsPerRun ?? DEFAULT_CHECKPOINTS_PER_RUN) || info.continueAsNewSuggested)
    ) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof quotaWorkflow>({ ...input, resume: state });
    }
  }
  await condition(allHandlersFinished);
  return state;
}
