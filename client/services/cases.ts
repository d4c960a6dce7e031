/**
 * Cases: start one or a campaign, act on one, and read them. Reads come from the MongoDB projection the
 * workflows write (never Temporal visibility); acts go to the case's workflow as an Update whose validator
 * applies the domain's rules, always as the signed-in person. Every act and start carries the client's
 * request ID, so a repeated request does nothing twice.
 */
import { createHash } from 'node:crypto';
import type { AuditEntryDoc, CaseDoc, CaseKeyDoc, CaseStatus, Models } from '../../activities/store/models';
import { verifyAuditChain, type AuditVerification } from '../../activities/store/audit';
import { loadCase, type CaseProjection } from '../../activities/store/case-store';
import { loadOrg } from '../../activities/store/org-store';
import { formatDeadline } from '../../domain/calendar/format';
import type { CaseCommand } from '../../domain/chain';
import { mayAct } from '../../domain/org';
import type { ProcessKey } from '../../domain/processes/model';
import type { Group, Sector } from '../../domain/quotas';
import { campaignCaseId, type CaseView } from '../../workflows/messages';
import { actOnCase, RECORD_WAIT_MS, startCampaign, startCase } from '../cases';
import { schedulesForCases } from './calendar';
import {
  isDuplicateKey,
  notFound,
  requireWriter,
  ServiceError,
  vnToday,
  type Actor,
  type ServiceDeps,
} from './context';
import { effectiveRegistry } from './processes';
import { recordAdmissionSubjectService } from './quotas';
import { actingAs, caseScope, mayReadCase, scopeFilter } from './visibility';

const OPEN_STATUSES: CaseStatus[] = ['open', 'returned'];
const STATUSES: CaseStatus[] = ['open', 'returned', 'completed', 'refused', 'withdrawn', 'escalatedToSuperior'];

/**
 * The identifiers the API's schemas take (client/api/schemas.ts). The web pages pass their path and query
 * parameters unchecked, and the MongoDB-protocol server fails a query on some strings (NUL on PostgreSQL):
 * what no case can be named by finds no case, without asking the database.
 */
const ID = /^[A-Za-z0-9._:|-]{1,200}$/;
const PROCESS_KEY = /^[a-z][a-z0-9:._-]{0,99}$/;
const caseNotFound = (): ServiceError => new ServiceError(404, 'CASE_NOT_FOUND', 'Không tìm thấy hồ sơ.');
/** A whole number within [min, max], or `fallback` (a page number from a query string may be anything). */
const within = (n: number | undefined, min: number, max: number, fallback: number): number =>
  n === undefined || !Number.isFinite(n) ? fallback : Math.min(max, Math.max(min, Math.trunc(n)));

export interface CurrentStepSummary {
  stepId: string;
  run: number;
  title: string;
  status: string;
  actorLabel: string;
  openedAt: number;
  dueAt?: number;
  deadlineText?: string;
}

/** What an act answers: the case as it stands after it. */
export interface CaseSummary {
  caseId: string;
  process: string;
  version: number;
  status: string;
  revision: number;
  current?: CurrentStepSummary;
}

export type CaseListItem = Omit<CaseProjection, 'steps'> & { overdue: boolean };

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface CaseDetail {
  case: CaseListItem;
  steps: CaseProjection['steps'];
  audit: Omit<AuditEntryDoc, '_id'>[];
  verification: AuditVerification;
  /** "60 ngày làm việc — hạn 03/03/2026", when the current step has a deadline. */
  deadlineText?: string;
}

export interface StartCaseInput {
  requestId: string;
  process: string;
  caseId?: string;
  title: string;
  caseUnitId: string;
  subjectName?: string;
  /** Admission cases only: the sector and groups the admission counts for in the year's quota. */
  sector?: Sector;
  groups?: Group[];
}

export interface StartCampaignInput {
  requestId: string;
  campaignId?: string;
  titleVi: string;
  process: string;
  /** The campaign's deadline, YYYY-MM-DD: every case is due by the end of that day at the latest. */
  deadline: string;
  units: { caseUnitId: string; title: string }[];
}

export interface CaseFilter {
  status?: string;
  committeeId?: string;
  process?: string;
  overdue?: boolean;
  page?: number;
  pageSize?: number;
}

/** A stable ID derived from who asked and their request ID: the same start repeated lands on the same case. */
function derivedId(prefix: string, actor: Actor, requestId: string): string {
  return `${prefix}-${createHash('sha256').update(`${actor.username}\n${requestId}`).digest('hex').slice(0, 20)}`;
}

function summarise(view: CaseView): CaseSummary {
  const c = view.current;
  return {
    caseId: view.caseId,
    process: view.process,
    version: view.version,
    status: view.status,
    revision: view.revision,
    ...(c
      ? {
          current: {
            stepId: c.stepId,
            run: c.run,
            title: c.title,
            status: c.status,
            actorLabel: c.actorLabel,
            openedAt: c.openedAt,
            ...(c.dueAt !== undefined ? { dueAt: c.dueAt } : {}),
            ...(c.deadlineText !== undefined ? { deadlineText: c.deadlineText } : {}),
          },
        }
      : {}),
  };
}

function listItem(doc: CaseDoc, now: number): CaseListItem {
  const { _id: _omitId, auditSeq: _omitSeq, ...rest } = doc;
  return { ...rest, overdue: OPEN_STATUSES.includes(doc.status) && doc.dueAt !== undefined && doc.dueAt < now };
}

/**
 * Who may start a case: an administrator, or someone who may act on the process's first step for that
 * unit today (the domain's mayAct).
 */
async function checkMayStart(
  deps: ServiceDeps,
  actor: Actor,
  actorSpec: Parameters<typeof mayAct>[1]['actor'],
  caseUnitId: string,
  stepId: string
): Promise<void> {
  if (actor.isAdmin) return;
  const org = await loadOrg(deps.models);
  if (!org.bodies.some((b) => b.id === caseUnitId))
    throw new ServiceError(422, 'UNKNOWN_UNIT', `Không có đơn vị mã «${caseUnitId}» trong cây tổ chức.`);
  const r = mayAct(org, {
    actor: actorSpec,
    caseUnitId,
    personId: actor.personId,
    onDate: vnToday(deps.now()),
    stepId,
  });
  if (!r.allowed) throw new ServiceError(403, 'NOT_AUTHORISED', r.error.messageVi);
}

export async function startCaseService(
  deps: ServiceDeps,
  actor: Actor,
  input: StartCaseInput
): Promise<{ caseId: string; process: string; workflowId: string; created: boolean }> {
  requireWriter(actor);
  // The IDs the system makes for the cases it starts itself (a probation case, a campaign's cases) have a dot;
  // one chosen by a person may not, so that it can never be the ID of such a case not started yet.
  if (input.caseId !== undefined && input.caseId.includes('.'))
    throw new ServiceError(
      422,
      'INVALID_INPUT',
      `Mã hồ sơ «${input.caseId}» không được chứa dấu chấm: dấu chấm dành cho mã hồ sơ do hệ thống tự đặt.`
    );
  const { registry } = await effectiveRegistry(deps);
  const definition = registry.resolve(input.process as ProcessKey, vnToday(deps.now()));
  const first = definition.steps.find((s) => s.id === definition.startStep);
  if (first) await checkMayStart(deps, actor, first.actor, input.caseUnitId, first.id);
  const caseId = input.caseId ?? derivedId('hs', actor, input.requestId);
  if ((input.sector !== undefined || input.groups !== undefined) && definition.key !== 'admission')
    throw new ServiceError(
      422,
      'INVALID_INPUT',
      'Khối và đối tượng (sector, groups) chỉ dùng cho hồ sơ kết nạp đảng viên.'
    );
  // A case ID names one case. A case of another process under the same ID would share its record and audit
  // trail, each workflow writing over the other's; started again with its own process it is the same case, and
  // the start writes nothing (not even another sector or groups).
  const taken = (): ServiceError =>
    new ServiceError(
      409,
      'CONFLICT',
      `Mã hồ sơ «${caseId}» đã được dùng cho một hồ sơ khác; vui lòng chọn mã khác hoặc bỏ trống để hệ thống tự đặt.`
    );
  const existing = await deps.models.Case.findById(caseId, { process: 1 }).lean<Pick<CaseDoc, 'process'>>();
  if (existing && existing.process !== definition.key) throw taken();
  // Two starts at once under one ID both pass that check: the key, unique by `_id`, lets only one process have it
  // (a start again of the same process finds its own key).
  try {
    await deps.models.CaseKey.create({ _id: caseId, process: definition.key, takenAt: new Date(deps.now()) });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    const key = await deps.models.CaseKey.findById(caseId).lean();
    if (key?.process !== definition.key) throw taken();
  }
  if (!existing && (input.sector !== undefined || input.groups !== undefined)) {
    // Recorded before the start (keyed by the case), so that the year's attainment counts the decision.
    await recordAdmissionSubjectService(deps, {
      caseId,
      unitId: input.caseUnitId,
      ...(input.sector !== undefined ? { sector: input.sector } : {}),
      ...(input.groups !== undefined ? { groups: input.groups } : {}),
    });
  }
  const r = await startCase(
    { client: deps.temporal, registry, taskQueue: deps.config.temporal.taskQueue },
    {
      process: definition.key,
      caseId,
      title: input.title,
      caseUnitId: input.caseUnitId,
      subjectName: input.subjectName,
      startedBy: actor.personId,
      definition,
      schedules: await schedulesForCases(deps),
      now: deps.now(),
    }
  );
  rememberProcess(deps, caseId, definition.key);
  // A start sent again: the case's record is, in all likelihood, there already.
  if (r.recorded === undefined) await recordWritten(deps, caseId);
  return { caseId, process: definition.key, workflowId: r.workflowId, created: r.created };
}

/**
 * Waits (up to `limitMs`) until the record of a case started before is in MongoDB (a first start waits for it
 * in Temporal, see startCase): a start sent again while the first one's record is not yet written is answered
 * the same way. Past the limit the start is answered anyway; the record follows as soon as a worker runs the case.
 */
async function recordWritten(deps: ServiceDeps, caseId: string, limitMs = RECORD_WAIT_MS): Promise<boolean> {
  const until = Date.now() + limitMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    if (await deps.models.Case.exists({ _id: caseId })) return true;
    if (Date.now() + pause > until) return false;
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** The end of a Vietnamese calendar day (UTC+7), epoch ms. */
function endOfVnDay(isoDate: string): number {
  return Date.parse(`${isoDate}T23:59:59.999+07:00`);
}

/** A campaign: administrators, or members of an Organization Board (they run campaigns). */
export async function startCampaignService(
  deps: ServiceDeps,
  actor: Actor,
  input: StartCampaignInput
): Promise<{ campaignId: string; workflowId: string; created: boolean; caseIds: string[] }> {
  requireWriter(actor);
  const today = vnToday(deps.now());
  const org = await loadOrg(deps.models);
  if (!actor.isAdmin) {
    const boards = new Set(org.bodies.filter((b) => b.kind === 'organizationBoard').map((b) => b.id));
    const member = org.assignments.some(
      (a) => a.personId === actor.personId && boards.has(a.bodyId) && a.from <= today && (!a.to || a.to >= today)
    );
    if (!member)
      throw new ServiceError(403, 'NOT_AUTHORISED', 'Chỉ Ban Tổ chức hoặc quản trị viên mới được mở đợt thực hiện.');
  }
  const unknown = input.units.filter((u) => !org.bodies.some((b) => b.id === u.caseUnitId));
  if (unknown.length > 0)
    throw new ServiceError(
      422,
      'UNKNOWN_UNIT',
      `Không có đơn vị ${unknown.map((u) => `«${u.caseUnitId}»`).join(', ')} trong cây tổ chức.`
    );
  const deadline = endOfVnDay(input.deadline);
  if (!(deadline > deps.now()))
    throw new ServiceError(422, 'INVALID_INPUT', 'Hạn của đợt phải là một ngày trong tương lai.');
  const { registry } = await effectiveRegistry(deps);
  const definition = registry.resolve(input.process as ProcessKey, today);
  const campaignId = input.campaignId ?? derivedId('dot', actor, input.requestId);
  const r = await startCampaign(
    { client: deps.temporal, registry, taskQueue: deps.config.temporal.taskQueue },
    {
      campaignId,
      titleVi: input.titleVi,
      definition,
      schedules: await schedulesForCases(deps),
      deadline,
      units: input.units,
      startedBy: actor.personId,
    },
    deps.config.temporal.taskQueue
  );
  return { campaignId, ...r, caseIds: input.units.map((u) => campaignCaseId(campaignId, u.caseUnitId)) };
}

/** How many cases' processes `processOf` keeps for each database (the oldest given up first). */
export const KNOWN_PROCESSES_LIMIT = 100_000;
const knownProcesses = new WeakMap<Models, Map<string, string>>();

/** Keeps `process` as the process of `caseId` in this API process (see processOf). */
function rememberProcess(deps: ServiceDeps, caseId: string, process: string): void {
  let known = knownProcesses.get(deps.models);
  if (!known) knownProcesses.set(deps.models, (known = new Map<string, string>()));
  if (known.has(caseId)) return;
  if (known.size >= KNOWN_PROCESSES_LIMIT) known.delete(known.keys().next().value as string);
  known.set(caseId, process);
}

/**
 * The process a case runs, which names its workflow, or undefined when there is no such case. A case never
 * changes process (its key, CaseKey, is taken once, and nothing deletes a case), so it is read once and then
 * kept: an act costs no read of its own, nor does the first act on a case this API process started. It is read
 * from the case's record, or else from the key the start took before the case was started: a case whose worker
 * has not written its record yet (its start was answered after RECORD_WAIT_MS) is acted on all the same, and the
 * act waits for the worker as the start did. A key whose start never reached Temporal names no workflow, and the
 * act is answered that there is no such case.
 */
async function processOf(deps: ServiceDeps, caseId: string): Promise<string | undefined> {
  const kept = knownProcesses.get(deps.models)?.get(caseId);
  if (kept !== undefined) return kept;
  const doc =
    (await deps.models.Case.findById(caseId, { process: 1 }).lean<Pick<CaseDoc, 'process'>>()) ??
    (await deps.models.CaseKey.findById(caseId, { process: 1 }).lean<Pick<CaseKeyDoc, 'process'>>());
  if (!doc) return undefined;
  rememberProcess(deps, caseId, doc.process);
  return doc.process;
}

/**
 * An act of the signed-in person on a case. The person is always the actor's own: the workflow's
 * validator checks it against the organisation tree on the day (mayAct) before anything is written.
 */
export async function actOnCaseService(
  deps: ServiceDeps,
  actor: Actor,
  caseId: string,
  input: { requestId: string; command: CaseCommand }
): Promise<CaseSummary> {
  requireWriter(actor);
  if (!ID.test(caseId)) throw caseNotFound();
  const process = await processOf(deps, caseId);
  if (process === undefined) throw caseNotFound();
  const view = await actOnCase(deps.temporal, process, caseId, {
    requestId: input.requestId,
    personId: actor.personId,
    command: input.command,
  });
  return summarise(view);
}

export async function listCases(deps: ServiceDeps, actor: Actor, f: CaseFilter): Promise<Page<CaseListItem>> {
  const now = deps.now();
  const page = within(f.page, 1, 100_000, 1);
  const pageSize = within(f.pageSize, 1, 100, 20);
  if (
    (f.status && !STATUSES.includes(f.status as CaseStatus)) ||
    (f.committeeId && !ID.test(f.committeeId)) ||
    (f.process && !PROCESS_KEY.test(f.process))
  )
    return { items: [], total: 0, page, pageSize };
  const q: Record<string, unknown> = scopeFilter(await caseScope(deps, actor));
  if (f.status) q.status = f.status;
  if (f.committeeId) q.committeeId = f.committeeId;
  if (f.process) q.process = f.process;
  if (f.overdue === true) {
    q.dueAt = { $lt: now };
    if (!f.status) q.status = { $in: OPEN_STATUSES };
  }
  const [docs, total] = await Promise.all([
    deps.models.Case.find(q)
      .sort({ startedAt: -1, _id: 1 })
      .skip((page - 1) * pageSize)
      .limit(pageSize)
      .lean<CaseDoc[]>(),
    deps.models.Case.countDocuments(q),
  ]);
  let items = docs.map((d) => listItem(d, now));
  // Not overdue: open without a due date or not yet due, and every closed case.
  if (f.overdue === false) items = items.filter((i) => !i.overdue);
  return { items, total, page, pageSize };
}

/** What the actor must act on (or acts on by delegation), soonest due first, then those without a due date. */
export async function inbox(
  deps: ServiceDeps,
  actor: Actor,
  p: { page?: number; pageSize?: number }
): Promise<Page<CaseListItem>> {
  const now = deps.now();
  const page = p.page ?? 1;
  const pageSize = p.pageSize ?? 20;
  const base = { actorPersonIds: { $in: await actingAs(deps, actor) }, status: { $in: OPEN_STATUSES } };
  const dated = { ...base, dueAt: { $exists: true } };
  const undated = { ...base, dueAt: { $exists: false } };
  const [nDated, nUndated] = await Promise.all([
    deps.models.Case.countDocuments(dated),
    deps.models.Case.countDocuments(undated),
  ]);
  const skip = (page - 1) * pageSize;
  const docs: CaseDoc[] = [];
  if (skip < nDated)
    docs.push(
      ...(await deps.models.Case.find(dated).sort({ dueAt: 1, _id: 1 }).skip(skip).limit(pageSize).lean<CaseDoc[]>())
    );
  const left = pageSize - docs.length;
  if (left > 0 && nUndated > 0)
    docs.push(
      ...(await deps.models.Case.find(undated)
        .sort({ startedAt: 1, _id: 1 })
        .skip(Math.max(0, skip - nDated))
        .limit(left)
        .lean<CaseDoc[]>())
    );
  return { items: docs.map((d) => listItem(d, now)), total: nDated + nUndated, page, pageSize };
}

export async function caseDetail(deps: ServiceDeps, actor: Actor, caseId: string): Promise<CaseDetail> {
  if (!ID.test(caseId)) throw caseNotFound();
  const projection = await loadCase(deps.models, caseId);
  if (!projection || !(await mayReadCase(deps, await caseScope(deps, actor), projection))) throw caseNotFound();
  const [doc, audit, verification] = await Promise.all([
    deps.models.Case.findById(caseId).lean<CaseDoc>(),
    deps.models.AuditEntry.find({ caseId }).sort({ seq: 1 }).lean<AuditEntryDoc[]>(),
    verifyAuditChain(deps.models, caseId),
  ]);
  if (!doc) throw notFound('hồ sơ');
  let deadlineText: string | undefined;
  if (doc.currentStepId && doc.dueAt !== undefined) {
    try {
      const { registry } = await effectiveRegistry(deps);
      const step = registry.get(doc.process as ProcessKey, doc.version).steps.find((s) => s.id === doc.currentStepId);
      if (step?.deadline) deadlineText = formatDeadline(step.deadline.period, doc.dueAt);
    } catch {
      // A version no longer known here (e.g. a test registry): the detail is shown without the text.
    }
  }
  const { steps } = projection;
  return {
    case: listItem(doc, deps.now()),
    steps,
    audit: audit.map(({ _id: _omit, ...e }) => e),
    verification,
    ...(deadlineText !== undefined ? { deadlineText } : {}),
  };
}

export interface DashboardRow {
  committeeId: string;
  committeeName: string;
  open: number;
  overdue: number;
  escalated: number;
}

/**
 * Per committee, among the cases the actor reads: open cases, overdue ones (due before now) and those
 * escalated to Thường trực.
 */
export async function dashboard(deps: ServiceDeps, actor: Actor): Promise<DashboardRow[]> {
  const now = deps.now();
  const open = { ...scopeFilter(await caseScope(deps, actor)), status: { $in: OPEN_STATUSES } };
  // $match/$group/$sum only: what FerretDB v1 aggregates.
  const count = (match: Record<string, unknown>) =>
    deps.models.Case.aggregate<{ _id: string; n: number }>([
      { $match: match },
      { $group: { _id: '$committeeId', n: { $sum: 1 } } },
    ]);
  const [opened, overdue, escalated] = await Promise.all([
    count(open),
    count({ ...open, dueAt: { $lt: now } }),
    count({ ...open, escalationLevel: 'escalation' }),
  ]);
  const ids = [...new Set(opened.map((r) => r._id))].sort();
  const bodies = await deps.models.OrgBody.find({ id: { $in: ids } }).lean();
  const nameOf = (id: string): string =>
    bodies.filter((b) => b.id === id).sort((a, b) => (a.validFrom < b.validFrom ? 1 : -1))[0]?.name ?? id;
  const get = (rows: { _id: string; n: number }[], id: string): number => rows.find((r) => r._id === id)?.n ?? 0;
  return ids.map((id) => ({
    committeeId: id,
    committeeName: nameOf(id),
    open: get(opened, id),
    overdue: get(overdue, id),
    escalated: get(escalated, id),
  }));
}
