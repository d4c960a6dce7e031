/**
 * The MongoDB record of quotas and cell meetings: yearly plans (`quota_plans`), the sector and groups of
 * each admission (`admission_subjects`, written when the case starts), removals (`member_removals`), the
 * monthly meetings imported from the handbook (`meetings`), and the results of each checkpoint
 * (`quota_checkpoints`). Progress is never stored as a figure: it is derived from the chains' record
 * (`cases` and `case_steps`) each time it is read. Every write is an idempotent upsert by business key
 * (FerretDB has no transactions): an import is validated whole first, then written.
 */
import { Schema } from 'mongoose';
import { endOfVnDay, startOfVnDay, vnDateOf } from '../../domain/calendar/days';
import { domainError } from '../../domain/errors';
import {
  isGroup,
  isSector,
  parseMeetingsCsv,
  parseMeetingsJson,
  tallyProgress,
  validateQuotaPlan,
  type Group,
  type MeetingRecord,
  type ProgressRecord,
  type QuotaPlan,
  type Sector,
  type UnitCheckpoint,
  type UnitTally,
} from '../../domain/quotas';
import type { OrgSnapshot } from '../../domain/org';
import type { CaseDoc, CaseStepDoc, Models } from './models';
import { loadOrg } from './org-store';

export interface QuotaPlanDoc extends QuotaPlan {
  _id: string;
  updatedAt: number;
}

export interface AdmissionSubjectDoc {
  _id: string;
  caseId: string;
  unitId: string;
  sector?: Sector;
  groups: Group[];
}

export interface MemberRemovalDoc {
  _id: string;
  unitId: string;
  decidedOn: string;
  reason?: string;
}

export interface MeetingDoc extends MeetingRecord {
  /** `cellId|YYYY-MM`: one record per cell and month. */
  _id: string;
  month: string;
  importedAt: number;
}

export interface QuotaCheckpointDoc extends UnitCheckpoint {
  /** `year|n|unitId` */
  _id: string;
  year: number;
  n: number;
  asOf: string;
}

export const quotaPlanSchema = new Schema<QuotaPlanDoc>(
  {
    _id: { type: String, required: true },
    year: { type: Number, required: true },
    rootUnitId: { type: String, required: true },
    units: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Number, required: true },
  },
  { collection: 'quota_plans', versionKey: false, minimize: false }
);

export const admissionSubjectSchema = new Schema<AdmissionSubjectDoc>(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    unitId: { type: String, required: true },
    sector: String,
    groups: { type: [String], required: true },
  },
  { collection: 'admission_subjects', versionKey: false }
);

export const memberRemovalSchema = new Schema<MemberRemovalDoc>(
  {
    _id: { type: String, required: true },
    unitId: { type: String, required: true },
    decidedOn: { type: String, required: true, index: true },
    reason: String,
  },
  { collection: 'member_removals', versionKey: false }
);

export const meetingSchema = new Schema<MeetingDoc>(
  {
    _id: { type: String, required: true },
    cellId: { type: String, required: true },
    month: { type: String, required: true, index: true },
    date: { type: String, required: true },
    present: { type: Number, required: true },
    total: { type: Number, required: true },
    importedAt: { type: Number, required: true },
  },
  { collection: 'meetings', versionKey: false }
);

export const quotaCheckpointSchema = new Schema<QuotaCheckpointDoc>(
  {
    _id: { type: String, required: true },
    year: { type: Number, required: true },
    n: { type: Number, required: true },
    asOf: { type: String, required: true },
    unitId: { type: String, required: true },
    name: String,
    target: Number,
    attained: Number,
    proRata: Number,
    proRataPct: Number,
    below: Boolean,
    streak: Number,
    remaining: Number,
    neededPerMonth: Number,
    forecast: Number,
  },
  { collection: 'quota_checkpoints', versionKey: false }
);
quotaCheckpointSchema.index({ year: 1, n: 1 });

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Stores the year's plan after checking that it adds up (refused with a Vietnamese message otherwise). */
export async function saveQuotaPlan(models: Models, plan: QuotaPlan, now: number = Date.now()): Promise<void> {
  validateQuotaPlan(plan);
  const doc: QuotaPlanDoc = { _id: String(plan.year), ...plain(plan), updatedAt: now };
  await models.QuotaPlan.collection.replaceOne({ _id: doc._id } as never, doc, { upsert: true });
}

export async function loadQuotaPlan(models: Models, year: number): Promise<QuotaPlan | null> {
  const doc = await models.QuotaPlan.findById(String(year)).lean<QuotaPlanDoc>();
  if (!doc) return null;
  return { year: doc.year, rootUnitId: doc.rootUnitId, units: doc.units };
}

export interface AdmissionSubjectInput {
  caseId: string;
  unitId: string;
  sector?: Sector;
  groups?: Group[];
}

/**
 * Records the sector and groups of an admission case when it starts (the API calls it next to startCase):
 * attainment by sector and group reads them. Calling it again replaces them.
 */
export async function recordAdmissionSubject(models: Models, input: AdmissionSubjectInput): Promise<void> {
  const groups = [...new Set(input.groups ?? [])];
  const bad = [
    ...(input.sector !== undefined && !isSector(input.sector) ? [`khối «${String(input.sector)}»`] : []),
    ...groups.filter((g) => !isGroup(g)).map((g) => `đối tượng «${String(g)}»`),
  ];
  if (!input.caseId || !input.unitId || bad.length > 0) {
    throw domainError(
      'INVALID_INPUT',
      `admission subject of ${input.caseId}: bad ${bad.join(', ') || 'case or unit id'}`,
      `Thông tin đối tượng kết nạp không hợp lệ: ${bad.join(', ') || 'thiếu mã hồ sơ hoặc mã đơn vị'}.`
    );
  }
  const set: Record<string, unknown> = { caseId: input.caseId, unitId: input.unitId, groups };
  const update: Record<string, unknown> = { $set: input.sector ? { ...set, sector: input.sector } : set };
  if (!input.sector) update.$unset = { sector: '' };
  await models.AdmissionSubject.updateOne({ _id: input.caseId }, update, { upsert: true });
}

export interface MemberRemovalInput {
  /** The removal's own id (decision number), so a repeated call records it once. */
  id: string;
  unitId: string;
  decidedOn: string;
  reason?: string;
}

/** Records a removal from the Party (xóa tên, khai trừ, ...) that the yearly figures track. */
export async function recordMemberRemoval(models: Models, input: MemberRemovalInput): Promise<void> {
  if (!input.id || !input.unitId || !/^\d{4}-\d{2}-\d{2}$/.test(input.decidedOn)) {
    throw domainError(
      'INVALID_INPUT',
      `member removal ${input.id}: bad input`,
      'Thông tin xóa tên, khai trừ đảng viên không hợp lệ: cần mã quyết định, mã đơn vị và ngày (YYYY-MM-DD).'
    );
  }
  await models.MemberRemoval.updateOne(
    { _id: input.id },
    { $set: { unitId: input.unitId, decidedOn: input.decidedOn, ...(input.reason ? { reason: input.reason } : {}) } },
    { upsert: true }
  );
}

export interface ImportMeetingsInput {
  format: 'csv' | 'json';
  text: string;
}

export interface ImportMeetingsResult {
  imported: number;
  months: string[];
}

/** The ids of the cells in force on `onDate`. */
function cellIdsOn(org: OrgSnapshot, onDate: string): string[] {
  return org.bodies
    .filter((b) => b.kind === 'cell' && b.validFrom <= onDate && (b.validTo === undefined || onDate <= b.validTo))
    .map((b) => b.id)
    .sort();
}

/**
 * Imports meeting records from the handbook's export. The whole file is parsed and checked first (unknown
 * cells included): a malformed file is refused with every line and reason and nothing is written. Then
 * each record is upserted by (cell, month), so importing the same file twice changes nothing and a
 * re-export corrects the month's record.
 */
export async function importMeetings(
  models: Models,
  input: ImportMeetingsInput,
  now: number = Date.now()
): Promise<ImportMeetingsResult> {
  const org = await loadOrg(models);
  const knownCells = new Set(org.bodies.filter((b) => b.kind === 'cell').map((b) => b.id));
  const records =
    input.format === 'json'
      ? parseMeetingsJson(input.text, { knownCells })
      : parseMeetingsCsv(input.text, { knownCells });
  if (records.length > 0) {
    await models.Meeting.bulkWrite(
      records.map((r) => ({
        replaceOne: {
          filter: { _id: `${r.cellId}|${r.date.slice(0, 7)}` },
          replacement: { _id: `${r.cellId}|${r.date.slice(0, 7)}`, ...r, month: r.date.slice(0, 7), importedAt: now },
          upsert: true,
        },
      })),
      { ordered: false }
    );
  }
  return { imported: records.length, months: [...new Set(records.map((r) => r.date.slice(0, 7)))].sort() };
}

export async function loadMeetings(models: Models, months: readonly string[]): Promise<MeetingRecord[]> {
  const docs = await models.Meeting.find({ month: { $in: [...months] } })
    .sort({ _id: 1 })
    .lean<MeetingDoc[]>();
  return docs.map((d) => ({ cellId: d.cellId, date: d.date, present: d.present, total: d.total }));
}

export { cellIdsOn };

/** The done-and-approved runs of `stepId` closed in [from, to] (epoch ms) of cases of `process`. */
async function decisions(
  models: Models,
  process: string,
  stepId: string,
  from: number,
  to: number
): Promise<{ caseDoc: CaseDoc; closedAt: number }[]> {
  const steps = await models.CaseStep.find({
    stepId,
    status: 'done',
    outcome: 'approved',
    closedAt: { $gte: from, $lte: to },
  })
    .select({ caseId: 1, closedAt: 1 })
    .lean<Pick<CaseStepDoc, 'caseId' | 'closedAt'>[]>();
  if (steps.length === 0) return [];
  const cases = await models.Case.find({ _id: { $in: [...new Set(steps.map((s) => s.caseId))] }, process })
    .select({ caseUnitId: 1, process: 1, status: 1 })
    .lean<CaseDoc[]>();
  const byId = new Map(cases.map((c) => [c._id, c]));
  const latest = new Map<string, number>();
  for (const s of steps) latest.set(s.caseId, Math.max(latest.get(s.caseId) ?? 0, s.closedAt as number));
  return [...latest]
    .filter(([caseId]) => byId.has(caseId))
    .map(([caseId, closedAt]) => ({ caseDoc: byId.get(caseId) as CaseDoc, closedAt }));
}

/** The step whose approval is the admission decision (quyết định kết nạp), and the recognition's last step. */
export const ADMISSION_DECISION_STEP = 'C11';
export const RECOGNITION_DECISION_STEP = 'C17';

/**
 * Every decision of `year` that progress is derived from: admissions (C11 approved, dated by its closing,
 * with the sector and groups recorded when the case started), recognitions (the recognition decision step
 * approved on a completed case) and removals.
 */
export async function loadProgressRecords(models: Models, year: number): Promise<ProgressRecord[]> {
  const from = startOfVnDay(`${year}-01-01`);
  const to = endOfVnDay(`${year}-12-31`);
  const [admissions, recognitions, removals] = await Promise.all([
    decisions(models, 'admission', ADMISSION_DECISION_STEP, from, to),
    decisions(models, 'recognition', RECOGNITION_DECISION_STEP, from, to),
    models.MemberRemoval.find({ decidedOn: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } }).lean<
      MemberRemovalDoc[]
    >(),
  ]);
  const subjects = new Map<string, AdmissionSubjectDoc>();
  const ids = admissions.map((a) => a.caseDoc._id);
  for (let i = 0; i < ids.length; i += 1000) {
    const docs = await models.AdmissionSubject.find({ _id: { $in: ids.slice(i, i + 1000) } }).lean<
      AdmissionSubjectDoc[]
    >();
    for (const d of docs) subjects.set(d._id, d);
  }
  const records: ProgressRecord[] = admissions.map(({ caseDoc, closedAt }) => {
    const s = subjects.get(caseDoc._id);
    const r: ProgressRecord = {
      kind: 'admission',
      id: caseDoc._id,
      unitId: caseDoc.caseUnitId,
      decidedOn: vnDateOf(closedAt),
    };
    if (s?.sector) r.sector = s.sector;
    if (s && s.groups.length > 0) r.groups = s.groups;
    return r;
  });
  for (const { caseDoc, closedAt } of recognitions) {
    if (caseDoc.status !== 'completed') continue;
    records.push({ kind: 'recognition', id: caseDoc._id, unitId: caseDoc.caseUnitId, decidedOn: vnDateOf(closedAt) });
  }
  for (const r of removals) records.push({ kind: 'removal', id: r._id, unitId: r.unitId, decidedOn: r.decidedOn });
  return records;
}

export interface Attainment {
  plan: QuotaPlan;
  asOf: string;
  tallies: Record<string, UnitTally>;
}

/**
 * The year's plan and every unit's tally from 1 January to `asOf` (inclusive). Throws NOT_FOUND when the
 * year has no plan.
 */
export async function computeAttainment(models: Models, year: number, asOf: string): Promise<Attainment> {
  const plan = await loadQuotaPlan(models, year);
  if (!plan) {
    throw domainError(
      'NOT_FOUND',
      `no quota plan for ${year}`,
      `Chưa có kế hoạch chỉ tiêu phát triển đảng viên năm ${year}.`,
      { year }
    );
  }
  const [org, records] = await Promise.all([loadOrg(models), loadProgressRecords(models, year)]);
  return { plan, asOf, tallies: tallyProgress(plan, org, records, `${year}-01-01`, asOf) };
}

/** Stores the results of a checkpoint, one document per unit, by (year, checkpoint, unit). */
export async function saveCheckpointResults(
  models: Models,
  year: number,
  n: number,
  asOf: string,
  units: readonly UnitCheckpoint[]
): Promise<void> {
  if (units.length === 0) return;
  await models.QuotaCheckpoint.bulkWrite(
    units.map((u) => ({
      replaceOne: {
        filter: { _id: `${year}|${n}|${u.unitId}` },
        replacement: { _id: `${year}|${n}|${u.unitId}`, ...u, year, n, asOf },
        upsert: true,
      },
    })),
    { ordered: false }
  );
}
