/**
 * A copy of a definition whose every period is a few seconds, for the workflow tests that run on real timers:
 * deadlines, extensions and resubmission windows become `seconds`, the ladder's rungs `ladderSeconds`.
 * Anchors, transitions and everything else are kept, so the copy behaves like the original, only faster.
 */
import { domainError } from '../errors';
import type { LadderConfig, Period } from '../types';
import type { ProcessDefinition, StepDefinition } from './model';
import { validateDefinition } from './validate';

function seconds(n: number): Period {
  return { unit: 'duration', iso: `PT${n}S` };
}

function fastLadder(ladder: LadderConfig, n: number): LadderConfig {
  const fast: LadderConfig = { ...ladder };
  if (ladder.reminderBefore) fast.reminderBefore = seconds(n);
  if (ladder.escalateAfter) fast.escalateAfter = seconds(n);
  if (ladder.repeatEvery) fast.repeatEvery = seconds(n);
  return fast;
}

function fastStep(step: StepDefinition, n: number, ladderN: number): StepDefinition {
  const fast: StepDefinition = { ...step, ladder: fastLadder(step.ladder, ladderN) };
  if (step.deadline) {
    fast.deadline = { ...step.deadline, period: seconds(n) };
    if (step.deadline.maxExtension) fast.deadline.maxExtension = seconds(n);
  }
  if (step.onReturn?.resubmitWithin) fast.onReturn = { ...step.onReturn, resubmitWithin: seconds(n) };
  return fast;
}

/**
 * E.g. withTestDurations(admissionV1, 4): C11 is due 4 s after C8 completes, reminded 2 s before, escalated 2 s
 * late and every 2 s after. The result is validated; the input is not modified.
 */
export function withTestDurations(
  def: ProcessDefinition,
  deadlineSeconds: number,
  ladderSeconds: number = Math.max(1, Math.floor(deadlineSeconds / 2))
): ProcessDefinition {
  if (
    !Number.isInteger(deadlineSeconds) ||
    deadlineSeconds < 1 ||
    !Number.isInteger(ladderSeconds) ||
    ladderSeconds < 1
  ) {
    throw domainError(
      'INVALID_INPUT',
      `test durations must be positive whole seconds, got ${deadlineSeconds} and ${ladderSeconds}`,
      'Thời lượng thử nghiệm phải là số giây nguyên dương.'
    );
  }
  const fast: ProcessDefinition = {
    ...def,
    steps: def.steps.map((step) => fastStep(step, deadlineSeconds, ladderSeconds)),
  };
  validateDefinition(fast);
  return fast;
}
