/**
 * Admission cases on the API harness, for the tests that need one at a given step: start one through the
 * API, read its stored trace, find who may act on its current step, the act that passes a step, and move a
 * case along directly on Temporal (setting the scene, not under test). Shared by the API test and the fuzz.
 */
import { actOnCase, getCase } from '../../client/cases';
import type { CaseCommand, CaseCommandType } from '../../domain/chain';
import { mayAct, type OrgSnapshot } from '../../domain/org';
import type { ProcessDefinition } from '../../domain/processes/model';
import { caseWorkflowId, type CaseView } from '../../workflows/messages';
import { actorFor as driveActorFor, passingAct as drivePassingAct } from '../../tools/demo/drive';
import { BODY, PERSON } from '../unit/fixtures/org';
import { as, type ApiHarness, type RoleName } from './api';
import { eventually, uniqueId } from './env';

/** A fresh client request ID. */
export const rid = (): string => uniqueId('req');
/** Today in Việt Nam (UTC+7), YYYY-MM-DD. */
export const today = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
export const plusDays = (d: string, n: number): string =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);

/** Starts an admission case of the fixture's cell through the API, as `role`; waits for its projection. */
export async function startAdmission(h: ApiHarness, role: RoleName = 'cellSecretary'): Promise<string> {
  const r = await as(h, role, 'POST', '/api/cases', {
    requestId: rid(),
    process: 'admission',
    title: 'Kết nạp đảng viên: Nguyễn Văn An',
    caseUnitId: BODY.cell,
    subjectName: 'Nguyễn Văn An',
  });
  if (r.statusCode !== 201) throw new Error(`starting an admission case answered ${r.statusCode}: ${r.body}`);
  const caseId = (JSON.parse(r.body) as { caseId: string }).caseId;
  await eventually('the case projection', () => h.models.Case.exists({ _id: caseId }));
  return caseId;
}

/** The stored trace of a case: what "nothing written" compares. */
export async function trace(h: ApiHarness, caseId: string): Promise<{ revision: number; audit: number }> {
  const doc = await h.models.Case.findById(caseId).lean();
  return { revision: doc?.revision ?? -1, audit: await h.models.AuditEntry.countDocuments({ caseId }) };
}

/** The number of events in a case workflow's history: a refused Update leaves none. */
export async function historyLength(h: ApiHarness, process: string, caseId: string): Promise<number> {
  const d = await h.temporal.client.workflow.getHandle(caseWorkflowId(process, caseId)).describe();
  return d.historyLength;
}

export function definitionOf(h: ApiHarness, view: CaseView): ProcessDefinition {
  return h.deps.registry.get(view.process, view.version);
}

/** Somebody who may act on the current step today, by the domain's own rule (for moving a case along). */
export function actorFor(h: ApiHarness, view: CaseView): string {
  return driveActorFor(h.org, view, definitionOf(h, view));
}

/**
 * Whether a person may act on the case today in some capacity, by the organisation's rule alone: on the
 * current step, as the first step's actor (who may withdraw the dossier), or — when the dossier was
 * returned — as the one it went back to. `org` should be the stored organisation (with its delegations);
 * the case's own delegations are added here.
 */
export function mayActOnCase(h: ApiHarness, org: OrgSnapshot, view: CaseView, personId: string): boolean {
  const definition = definitionOf(h, view);
  const step = definition.steps.find((s) => s.id === view.current?.stepId);
  if (!step || (view.status !== 'open' && view.status !== 'returned')) return false;
  const first = definition.steps.find((s) => s.id === definition.startStep);
  const run = view.state.runs[view.state.runs.length - 1];
  const specs = [step.actor, first?.actor, run?.status === 'returned' ? step.onReturn?.returnTo : undefined];
  const withCase = { ...org, delegations: [...org.delegations, ...view.state.delegations] };
  return specs.some(
    (actor) =>
      actor !== undefined &&
      mayAct(withCase, {
        actor,
        caseUnitId: view.state.caseUnitId,
        personId,
        onDate: today(),
        caseStartedOn: view.state.startedOn,
        stepId: step.id,
      }).allowed
  );
}

/** The act that passes the current step: a passing vote, a recommending appraisal, or an approval. */
export function passingAct(h: ApiHarness, view: CaseView): CaseCommand {
  return drivePassingAct(view, definitionOf(h, view));
}

/** Moves a case to `stepId` directly on Temporal and waits until the projection shows it. */
export async function advanceTo(h: ApiHarness, process: string, caseId: string, stepId: string): Promise<CaseView> {
  let view = await getCase(h.temporal.client, process, caseId);
  for (let i = 0; i < 20 && view.current?.stepId !== stepId; i++) {
    view = await actOnCase(h.temporal.client, process, caseId, {
      requestId: rid(),
      personId: actorFor(h, view),
      command: passingAct(h, view),
    });
  }
  if (view.current?.stepId !== stepId) throw new Error(`case ${caseId} did not reach ${stepId}`);
  const revision = view.revision;
  await eventually('the projection to catch up', async () => (await trace(h, caseId)).revision >= revision);
  return view;
}

/**
 * One well-formed command of every kind the chain accepts, for the case as it stands (the return reason is
 * one the current step offers). Typed by CaseCommandType: a new kind of act does not compile until it is here.
 */
export const ACT_COMMANDS: Record<CaseCommandType, (h: ApiHarness, view: CaseView) => CaseCommand> = {
  approve: () => ({ type: 'approve', note: 'Đồng ý' }),
  refuse: () => ({ type: 'refuse', reason: 'Chưa đủ tiêu chuẩn' }),
  return: (h, view) => ({
    type: 'return',
    reasonCode:
      definitionOf(h, view).steps.find((s) => s.id === view.current?.stepId)?.onReturn?.reasonCodes[0]?.code ?? 'OTHER',
  }),
  resubmit: () => ({ type: 'resubmit', note: 'Nộp lại' }),
  vote: () => ({ type: 'vote', tally: { base: 9, present: 9, approve: 9, reject: 0, abstain: 0 } }),
  appraise: () => ({ type: 'appraise', outcome: 'recommend' }),
  extend: () => ({ type: 'extend', reason: 'Cần xác minh thêm', period: { unit: 'workingDays', n: 10 } }),
  obstacle: () => ({ type: 'obstacle', text: 'Hồ sơ thiếu xác nhận của địa phương' }),
  delegate: () => ({ type: 'delegate', toPersonId: PERSON.communeDeputy, from: today(), to: plusDays(today(), 2) }),
  withdraw: () => ({ type: 'withdraw', reason: 'Người vào Đảng xin rút' }),
};
