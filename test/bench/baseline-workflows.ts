/**
 * The benchmark's baselines, on the same server in the same run as what they are compared with:
 * - a bare Temporal workflow shaped like an admission case — one Update per step and one timer per step
 *   (the step's deadline), 12 steps — with no activity, no MongoDB and no mail;
 * - a bare escalation: a timer to the due instant, then one activity that sends the e-mail over SMTP with
 *   the same transport as cadreflow's, with no MongoDB and no outbox.
 * This module is the bench worker's workflowsPath: it exports workflow functions only.
 */
import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type * as bareActivities from './bare-activities';

export interface BareCaseInput {
  steps: number;
  /** Each step's deadline timer; long, so that it is set and cancelled like an admission step's. */
  stepTimeoutMs: number;
}

export interface BareStepResult {
  step: number;
  done: boolean;
}

/** Moves the bare case one step forward and answers with where it stands. */
export const advanceBareUpdate = defineUpdate<BareStepResult, [{ requestId: string }]>('advanceBare');
export const bareStepQuery = defineQuery<number>('bareStep');

/** A case of `steps` steps: each waits for one Update or its timer; ends after the last step. */
export async function bareCaseWorkflow(input: BareCaseInput): Promise<number> {
  let step = 0;
  setHandler(bareStepQuery, () => step);
  setHandler(advanceBareUpdate, () => {
    step = Math.min(step + 1, input.steps);
    return { step, done: step >= input.steps };
  });
  let timeouts = 0;
  while (step < input.steps) {
    const at = step;
    if (!(await condition(() => step !== at, input.stepTimeoutMs))) timeouts += 1;
  }
  await condition(allHandlersFinished);
  return timeouts;
}

export interface BareEscalationInput {
  /** Epoch ms at which the e-mail is owed. */
  sendAt: number;
  mail: bareActivities.BareMail;
}

const { sendBareMail } = proxyActivities<typeof bareActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/** Waits for its instant, then sends one e-mail: what an escalation costs Temporal and SMTP alone. */
export async function bareEscalationWorkflow(input: BareEscalationInput): Promise<void> {
  const wait = input.sendAt - Date.now();
  if (wait > 0) await sleep(wait);
  await sendBareMail(input.mail);
}
