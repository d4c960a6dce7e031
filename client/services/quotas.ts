/**
 * Quotas, cell meetings and their reports: the yearly plan (administrators write it, everyone reads it),
 * the start of the year's quota workflow, the import of the handbook's meeting export (Organization Board
 * members or administrators), and the reports every signed-in user may read or download. The figures are
 * derived from the record each time (activities/reports); a refused plan or import writes nothing.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import {
  attainmentCsv,
  attainmentReport,
  attainmentXlsx,
  attendanceReport,
  briefingCsv,
  briefingXlsx,
  quarterlyBriefing,
  type AttainmentReport,
  type QuarterlyBriefing,
} from '../../activities/reports/quota-reports';
import { loadOrg } from '../../activities/store/org-store';
import {
  importMeetings,
  loadQuotaPlan,
  recordAdmissionSubject,
  saveQuotaPlan,
  type ImportMeetingsResult,
} from '../../activities/store/quota-store';
import { DomainError } from '../../domain/errors';
import type { AttendanceStats, Group, QuotaPlan, Sector } from '../../domain/quotas';
import { quotaWorkflowId, type QuotaWorkflowInput } from '../../workflows/messages';
import { requireAdmin, requireWriter, ServiceError, vnToday, type Actor, type ServiceDeps } from './context';

/** A rule's refusal (a plan that does not add up, a malformed import) as a service refusal with its details. */
async function refusedAs422<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DomainError && (e.code === 'INVALID_INPUT' || e.code === 'ORG_INVALID'))
      throw new ServiceError(422, e.code, e.messageVi, e.details);
    if (e instanceof DomainError && e.code === 'NOT_FOUND') throw new ServiceError(404, 'NOT_FOUND', e.messageVi);
    throw e;
  }
}

/** The day the figures of `year` are counted to by default: today within the year, otherwise 31 December. */
export function defaultAsOf(deps: ServiceDeps, year: number): string {
  const today = vnToday(deps.now());
  return today >= `${year}-01-01` && today <= `${year}-12-31` ? today : `${year}-12-31`;
}

function checkAsOf(year: number, asOf: string): void {
  if (asOf < `${year}-01-01` || asOf > `${year}-12-31`)
    throw new ServiceError(422, 'INVALID_INPUT', `Ngày tính số liệu (${asOf}) phải nằm trong năm ${year}.`);
}

/** Stores the year's plan (administrators): refused with where it does not add up. */
export async function putQuotaPlan(deps: ServiceDeps, actor: Actor, year: number, plan: QuotaPlan): Promise<QuotaPlan> {
  requireWriter(actor);
  requireAdmin(actor);
  if (plan.year !== year)
    throw new ServiceError(
      422,
      'INVALID_INPUT',
      `Năm của kế hoạch (${plan.year}) không khớp với năm trên địa chỉ (${year}).`
    );
  await refusedAs422(() => saveQuotaPlan(deps.models, plan, deps.now()));
  return (await loadQuotaPlan(deps.models, year)) as QuotaPlan;
}

export async function getQuotaPlan(deps: ServiceDeps, _actor: Actor, year: number): Promise<QuotaPlan> {
  const plan = await loadQuotaPlan(deps.models, year);
  if (!plan) throw new ServiceError(404, 'NOT_FOUND', `Chưa có kế hoạch chỉ tiêu phát triển đảng viên năm ${year}.`);
  return plan;
}

export async function quotaAttainment(
  deps: ServiceDeps,
  _actor: Actor,
  year: number,
  asOf?: string
): Promise<AttainmentReport> {
  const day = asOf ?? defaultAsOf(deps, year);
  checkAsOf(year, day);
  return refusedAs422(() => attainmentReport(deps.models, year, day));
}

export interface StartQuotaOptions {
  frequency?: 'monthly' | 'quarterly';
  thresholdPct?: number;
  checkMeetings?: boolean;
}

/**
 * Starts the year's quota workflow (administrators) under its business ID. Starting it again while it runs,
 * or after it completed, creates nothing (`created: false`); a failed or terminated one may be started again.
 */
export async function startQuotaWorkflow(
  deps: ServiceDeps,
  actor: Actor,
  year: number,
  options: StartQuotaOptions = {}
): Promise<{ workflowId: string; created: boolean }> {
  requireWriter(actor);
  requireAdmin(actor);
  await getQuotaPlan(deps, actor, year);
  const workflowId = quotaWorkflowId(year);
  const input: QuotaWorkflowInput = { year, ...options };
  try {
    await deps.temporal.workflow.start('quotaWorkflow', {
      taskQueue: deps.config.temporal.taskQueue,
      workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      args: [input],
    });
    return { workflowId, created: true };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
    throw e;
  }
}

/** Members of an Organization Board (on the day) and administrators import meetings. */
async function requireOrgBoardOrAdmin(deps: ServiceDeps, actor: Actor): Promise<void> {
  if (actor.isAdmin) return;
  const today = vnToday(deps.now());
  const org = await loadOrg(deps.models);
  const boards = new Set(org.bodies.filter((b) => b.kind === 'organizationBoard').map((b) => b.id));
  const member = org.assignments.some(
    (a) => a.personId === actor.personId && boards.has(a.bodyId) && a.from <= today && (!a.to || a.to >= today)
  );
  if (!member)
    throw new ServiceError(
      403,
      'NOT_AUTHORISED',
      'Chỉ Ban Tổ chức hoặc quản trị viên mới được nhập dữ liệu sinh hoạt chi bộ.'
    );
}

/** Imports the handbook's meeting export; a malformed file is refused whole (422, every line and reason). */
export async function importMeetingsService(
  deps: ServiceDeps,
  actor: Actor,
  input: { format: 'csv' | 'json'; text: string }
): Promise<ImportMeetingsResult> {
  requireWriter(actor);
  await requireOrgBoardOrAdmin(deps, actor);
  return refusedAs422(() => importMeetings(deps.models, input, deps.now()));
}

/** A file to download: its bytes or text, content type and the name offered to the browser. */
export interface Download {
  body: string | Buffer;
  contentType: string;
  filename: string;
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function attainmentDownload(
  deps: ServiceDeps,
  _actor: Actor,
  year: number,
  format: 'csv' | 'xlsx',
  asOf?: string
): Promise<Download> {
  const day = asOf ?? defaultAsOf(deps, year);
  checkAsOf(year, day);
  const filename = `Kết quả phát triển đảng viên ${year}.${format}`;
  if (format === 'csv')
    return { body: await refusedAs422(() => attainmentCsv(deps.models, year, day)), contentType: CSV_TYPE, filename };
  return { body: await refusedAs422(() => attainmentXlsx(deps.models, year, day)), contentType: XLSX_TYPE, filename };
}

export async function briefing(
  deps: ServiceDeps,
  _actor: Actor,
  year: number,
  quarter: number
): Promise<QuarterlyBriefing> {
  return refusedAs422(() => quarterlyBriefing(deps.models, { year, quarter, now: deps.now() }));
}

export async function briefingDownload(
  deps: ServiceDeps,
  _actor: Actor,
  year: number,
  quarter: number,
  format: 'csv' | 'xlsx'
): Promise<Download> {
  const input = { year, quarter, now: deps.now() };
  const filename = `Giao ban quý ${quarter} năm ${year}.${format}`;
  if (format === 'csv')
    return { body: await refusedAs422(() => briefingCsv(deps.models, input)), contentType: CSV_TYPE, filename };
  return { body: await refusedAs422(() => briefingXlsx(deps.models, input)), contentType: XLSX_TYPE, filename };
}

export async function attendance(deps: ServiceDeps, _actor: Actor, months: string[]): Promise<AttendanceStats[]> {
  return attendanceReport(deps.models, [...new Set(months)].sort());
}

/**
 * Records the sector and groups of an admission case started through the API, so that attainment by
 * sector and group counts it. Refused (422) before the case starts when a value is unknown.
 */
export async function recordAdmissionSubjectService(
  deps: ServiceDeps,
  input: { caseId: string; unitId: string; sector?: Sector; groups?: Group[] }
): Promise<void> {
  await refusedAs422(() => recordAdmissionSubject(deps.models, input));
}

/** An ASCII stand-in of a Vietnamese file name (diacritics dropped, đ → d), for old clients. */
export function asciiFilename(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
}

/** `attachment; filename="ASCII"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987). */
export function contentDisposition(filename: string): string {
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  );
  return `attachment; filename="${asciiFilename(filename)}"; filename*=UTF-8''${encoded}`;
}
