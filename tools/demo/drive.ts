/**
 * Moving a case forward as the people of the province would: find someone who may act on the current
 * step today (with the domain's own rule) and the act that passes it. Used by the demo seed and by the
 * tests that drive whole cases.
 */
import { vnDateOf } from '../../domain/calendar/days';
import type { CaseCommand } from '../../domain/chain';
import { mayAct, type OrgSnapshot } from '../../domain/org';
import type { ProcessDefinition, StepDefinition } from '../../domain/processes/model';
import type { CaseView } from '../../workflows/messages';

/** Someone who may act on the case's current step (or on its returned dossier) today. */
export function actorFor(org: OrgSnapshot, view: CaseView, definition: ProcessDefinition, now = Date.now()): string {
  const step = definition.steps.find((s) => s.id === view.current?.stepId);
  if (!step) throw new Error(`no current step in ${JSON.stringify(view.current)}`);
  const actor = view.current?.status === 'returned' && step.onReturn ? step.onReturn.returnTo : step.actor;
  const onDate = vnDateOf(now);
  for (const p of org.people) {
    const r = mayAct(org, {
      actor,
      caseUnitId: view.state.caseUnitId,
      personId: p.id,
      onDate,
      caseStartedOn: view.state.startedOn,
      stepId: step.id,
    });
    if (r.allowed) return p.id;
  }
  throw new Error(`nobody may act on ${step.id} of ${view.caseId}`);
}

/** The act that moves the current step forward: a passing vote, a recommending appraisal, or approval. */
export function passingAct(view: CaseView, definition: ProcessDefinition): CaseCommand {
  return passingCommand(definition.steps.find((s) => s.id === view.current?.stepId));
}

/** The act that passes a step: a passing vote, a recommending appraisal, or approval. */
export function passingCommand(step: StepDefinition | undefined): CaseCommand {
  switch (step?.act) {
    case 'vote':
      return { type: 'vote', tally: { base: 20, present: 19, approve: 18, reject: 1, abstain: 0 } };
    case 'appraisal':
      return { type: 'appraise', outcome: 'recommend', note: 'Đủ điều kiện' };
    default:
      return { type: 'approve', note: 'Đồng ý' };
  }
}
