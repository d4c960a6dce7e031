/**
 * Quotas and cell meetings on the real servers: a province of 22 committees with a target of 2,000
 * admissions for 2030, progress seeded straight into `cases`/`case_steps` in the store's format (1,860
 * admissions, as 1,860 workflows would take too long), the yearly quota workflow run with quarterly
 * checkpoints two seconds apart and a continue-as-new, its e-mails read from the SMTP server, meetings
 * imported from CSV and JSON, and the reports' figures checked against hand-computed ones; then 2031 on a
 * small plan of its own with the default monthly checkpoints and their meeting check.
 *
 * The year is 2030 so that no case of another test (decided today) counts.
 */
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import ExcelJS from 'exceljs';
import { saveOrg } from '../../activities/case-activities';
import { createModels, type Models } from '../../activities/store/models';
import {
  importMeetings,
  recordAdmissionSubject,
  recordMemberRemoval,
  saveQuotaPlan,
} from '../../activities/store/quota-store';
import {
  attainmentCsv,
  attainmentReport,
  attainmentXlsx,
  attendanceReport,
  briefingCsv,
  quarterlyBriefing,
} from '../../activities/reports/quota-reports';
import { endOfVnDay, startOfVnDay } from '../../domain/calendar/days';
import type { OrgSnapshot } from '../../domain/org';
import type { QuotaPlan, UnitAllocation } from '../../domain/quotas';
import { getQuotaStatusQuery, quotaWorkflowId, yearFromQuotaWorkflowId } from '../../workflows/messages';
import type { RunningWorker } from '../../worker/worker';
import type { quotaWorkflow } from '../../workflows/quota';
import { BODY, buildOrg, ORG_FROM } from '../unit/fixtures/org';
import {
  mailbox,
  mongo,
  startInProcessWorker,
  temporalClient,
  testConfig,
  uniqueId,
  withOwnDatabase,
} from '../support/env';
import { recordHistory } from '../support/history';

const YEAR = 2030;
// Its own database: the meeting flags and the briefing read every committee and case of the database,
// and the other test files add theirs to the shared one.
const config = withOwnDatabase(testConfig(uniqueId('quota')), 'quota');
const pad = (n: number): string => String(n).padStart(2, '0');
/** C01 … C21, each with one cell Cnn-K and a secretary; with the fixture's X that makes 22 committees. */
const COMMITTEES = Array.from({ length: 21 }, (_, i) => `C${pad(i + 1)}`);
const nameOf = (id: string): string => `Đảng ủy xã Thử Nghiệm ${id}`;

function buildProvince(): OrgSnapshot {
  const org = buildOrg();
  for (const id of COMMITTEES) {
    org.bodies.push(
      { id, name: nameOf(id), kind: 'committee', parentId: BODY.province, validFrom: ORG_FROM },
      { id: `${id}-K`, name: `Chi bộ ${id}`, kind: 'cell', parentId: id, validFrom: ORG_FROM }
    );
    org.people.push({ id: `${id}-bt`, name: `Bí thư ${id}`, email: `${id.toLowerCase()}-bt@thunghiem.example.vn` });
    org.assignments.push({ personId: `${id}-bt`, bodyId: id, role: 'secretary', from: ORG_FROM });
  }
  return org;
}

/** 2,000 = X 100 (all to G) + C01…C20 90 each (1,800) + C21 100; every unit split half and half. */
function buildPlan(): QuotaPlan {
  const unit = (unitId: string, parentUnitId: string, target: number): UnitAllocation => ({
    unitId,
    parentUnitId,
    name:
      unitId === BODY.commune
        ? 'Đảng ủy xã Duy Xuyên'
        : unitId === BODY.grassroots
          ? 'Đảng ủy Công ty Dệt may'
          : nameOf(unitId),
    target,
    sectors: { nonStateEnterprise: target / 2, pupilsStudents: target / 2 },
  });
  return {
    year: YEAR,
    rootUnitId: BODY.province,
    units: [
      {
        unitId: BODY.province,
        name: 'Tỉnh ủy Quảng Nam',
        target: 2000,
        sectors: { nonStateEnterprise: 1000, pupilsStudents: 1000 },
      },
      unit(BODY.commune, BODY.province, 100),
      unit(BODY.grassroots, BODY.commune, 100),
      ...COMMITTEES.map((id) => unit(id, BODY.province, id === 'C21' ? 100 : 90)),
    ],
  };
}

/**
 * Admissions decided per unit, all on 15/01/2030 (so a unit that has them all is ahead at every checkpoint):
 * K (under G, X) 100; C01 20; C02 10; C03…C20 90 each; C21 110. Total 100 + 20 + 10 + 1,620 + 110 = 1,860.
 * The i-th admission of a unit is in the non-state sector when i is even, pupils/students when odd, and a
 * woman when i is a multiple of 3.
 */
const SEEDED: [string, number][] = [
  [BODY.cell, 100],
  ['C01-K', 20],
  ['C02-K', 10],
  ...COMMITTEES.slice(2, 20).map((id): [string, number] => [`${id}-K`, 90]),
  ['C21-K', 110],
];

function admissionDocs(caseId: string, unitId: string, closedAt: number, outcome = 'approved') {
  const committeeId = unitId === BODY.cell ? BODY.commune : unitId.slice(0, 3);
  return {
    caseDoc: {
      _id: caseId,
      caseId,
      process: 'admission',
      processTitle: 'Kết nạp đảng viên',
      version: 1,
      title: `Kết nạp đảng viên: ${caseId}`,
      caseUnitId: unitId,
      committeeId,
      status: outcome === 'approved' ? 'completed' : 'refused',
      actorPersonIds: [],
      escalationLevel: 'none',
      obstacles: 0,
      startedAt: closedAt - 90 * 86_400_000,
      updatedAt: closedAt,
      revision: 20,
      auditSeq: 20,
    },
    stepDoc: {
      _id: `${caseId}|C11|1`,
      caseId,
      stepId: 'C11',
      run: 1,
      order: 10,
      title: 'Quyết định kết nạp',
      status: 'done',
      outcome,
      openedAt: closedAt - 10 * 86_400_000,
      closedAt,
      actorLabel: 'Ban Thường vụ cấp ủy cấp trên',
      revision: 20,
    },
  };
}

let client: Client;
let temporal: Awaited<ReturnType<typeof temporalClient>>;
let db: mongoose.Connection;
let models: Models;
let worker: RunningWorker;

beforeAll(async () => {
  temporal = await temporalClient(config);
  client = temporal.client;
  db = await mongo(config);
  models = createModels(db);
  await Promise.all(Object.values(models).map((m: mongoose.Model<unknown>) => m.createIndexes()));
  await saveOrg(models, buildProvince());
  await models.Case.deleteMany({ _id: { $regex: /^q30-/ } });
  await models.CaseStep.deleteMany({ caseId: { $regex: /^q30-/ } });
  await models.Meeting.deleteMany({ month: { $regex: /^2030-/ } });
  await models.Outbox.deleteMany({ caseId: { $regex: /^(quota|meetings):2030/ } });

  const jan15 = startOfVnDay('2030-01-15') + 9 * 3_600_000;
  const cases: object[] = [];
  const steps: object[] = [];
  const subjects: object[] = [];
  for (const [unitId, n] of SEEDED) {
    for (let i = 0; i < n; i++) {
      const caseId = `q30-${unitId}-${i}`;
      const { caseDoc, stepDoc } = admissionDocs(caseId, unitId, jan15);
      cases.push(caseDoc);
      steps.push(stepDoc);
      subjects.push({
        _id: caseId,
        caseId,
        unitId,
        sector: i % 2 === 0 ? 'nonStateEnterprise' : 'pupilsStudents',
        groups: i % 3 === 0 ? ['women'] : [],
      });
    }
  }
  // What must not count: a refusal at C11, a decision of 31/12/2029 and one of 01/01/2031 (in Vietnam).
  const excluded = [
    admissionDocs('q30-refused', 'C03-K', jan15, 'refused'),
    admissionDocs('q30-early', 'C03-K', endOfVnDay('2029-12-31')),
    admissionDocs('q30-late', 'C03-K', startOfVnDay('2031-01-01')),
  ];
  for (const d of excluded) {
    cases.push(d.caseDoc);
    steps.push(d.stepDoc);
  }
  // A recognition completed in C04's cell on 10/03/2030.
  const rec = admissionDocs('q30-recognition', 'C04-K', startOfVnDay('2030-03-10'));
  cases.push({ ...rec.caseDoc, process: 'recognition' });
  steps.push({ ...rec.stepDoc, _id: 'q30-recognition|C17|1', stepId: 'C17' });
  // Open cases of C01 for the briefing, seen on 05/07/2030: one on time, two overdue of which one escalated.
  const briefingNow = startOfVnDay('2030-07-05');
  const open = (id: string, dueAt: number, escalationLevel: string) => ({
    ...admissionDocs(id, 'C01-K', jan15).caseDoc,
    status: 'open',
    dueAt,
    escalationLevel,
  });
  cases.push(
    open('q30-open-1', briefingNow + 86_400_000, 'reminder'),
    open('q30-open-2', briefingNow - 86_400_000, 'due'),
    open('q30-open-3', briefingNow - 30 * 86_400_000, 'escalation')
  );
  await models.AdmissionSubject.deleteMany({ _id: { $regex: /^q30-/ } });
  await models.Case.collection.insertMany(cases, { ordered: false });
  await models.CaseStep.collection.insertMany(steps, { ordered: false });
  await models.AdmissionSubject.collection.insertMany(subjects, { ordered: false });
  await recordMemberRemoval(models, {
    id: 'q30-removal-1',
    unitId: 'C03-K',
    decidedOn: '2030-05-02',
    reason: 'Xóa tên',
  });
  await recordMemberRemoval(models, {
    id: 'q30-removal-1',
    unitId: 'C03-K',
    decidedOn: '2030-05-02',
    reason: 'Xóa tên',
  });
  await saveQuotaPlan(models, buildPlan());
  worker = await startInProcessWorker(config);
}, 120_000);

afterAll(async () => {
  await worker?.shutdown();
  await temporal?.close();
  await db?.dropDatabase().catch(() => undefined);
  await db?.close();
});

test('a plan that does not add up is refused with the unit, the sector, expected and got', async () => {
  const plan = buildPlan();
  plan.units[3]!.sectors = { nonStateEnterprise: 40, pupilsStudents: 50 }; // C01: still 90
  await expect(saveQuotaPlan(models, { ...plan, year: 2031 })).rejects.toMatchObject({
    code: 'INVALID_INPUT',
    messageVi: expect.stringContaining(
      'Tỉnh ủy Quảng Nam (P), khối Doanh nghiệp ngoài nhà nước, có vốn đầu tư nước ngoài: các đơn vị trực thuộc được giao tổng cộng 995, phải bằng 1000'
    ),
  });
  expect(await models.QuotaPlan.countDocuments({ _id: '2031' })).toBe(0);
});

test('an admission subject is recorded once per case and checked', async () => {
  await recordAdmissionSubject(models, {
    caseId: 'q30-subject',
    unitId: 'C01-K',
    sector: 'youth',
    groups: ['women', 'women'],
  });
  await recordAdmissionSubject(models, { caseId: 'q30-subject', unitId: 'C01-K', groups: ['ethnicMinority'] });
  const doc = await models.AdmissionSubject.findById('q30-subject').lean();
  expect(doc).toEqual({ _id: 'q30-subject', caseId: 'q30-subject', unitId: 'C01-K', groups: ['ethnicMinority'] });
  await expect(
    recordAdmissionSubject(models, { caseId: 'q30-x', unitId: 'C01-K', sector: 'army' as never })
  ).rejects.toMatchObject({
    code: 'INVALID_INPUT',
    messageVi: 'Thông tin đối tượng kết nạp không hợp lệ: khối «army».',
  });
});

test('meetings: a malformed import is refused whole; good imports are upserted by cell and month', async () => {
  const cells = [`${BODY.cell}`, ...COMMITTEES.map((id) => `${id}-K`)];
  const bad = ['cellId,date,present,total', `${BODY.cell},2030-03-05,10,12`, 'C01-K,2030-03-06,13,12'].join('\n');
  await expect(importMeetings(models, { format: 'csv', text: bad })).rejects.toMatchObject({
    code: 'INVALID_INPUT',
    messageVi:
      'Tệp biên bản sinh hoạt chi bộ không hợp lệ, chưa nhập dữ liệu nào: dòng 3: số có mặt 13 lớn hơn tổng số 12.',
  });
  expect(await models.Meeting.countDocuments({ month: { $regex: /^2030-/ } })).toBe(0);

  // Every cell meets in March, June, September and December, except C05-K in March and K in June;
  // each cell has 10 members, 8 present. March and June by CSV, the others by JSON.
  const rows = (month: string, skip: string): string[] =>
    cells.filter((c) => c !== skip).map((c) => `${c};10/${month}/2030;8;10`);
  const csv = ['ma_chi_bo;ngay_hop;co_mat;tong_so', ...rows('03', 'C05-K'), ...rows('06', BODY.cell)].join('\r\n');
  expect(await importMeetings(models, { format: 'csv', text: csv })).toEqual({
    imported: 42,
    months: ['2030-03', '2030-06'],
  });
  const json = JSON.stringify(
    ['09', '12'].flatMap((m) => cells.map((cellId) => ({ cellId, date: `2030-${m}-12`, present: 8, total: 10 })))
  );
  expect(await importMeetings(models, { format: 'json', text: json })).toEqual({
    imported: 44,
    months: ['2030-09', '2030-12'],
  });
  // Importing again changes nothing.
  await importMeetings(models, { format: 'json', text: json });
  expect(await models.Meeting.countDocuments({ month: { $regex: /^2030-/ } })).toBe(86);
});

test('the yearly quota workflow checks every unit each quarter, notices and escalates once, and flags missing meetings', async () => {
  const workflowId = quotaWorkflowId(YEAR);
  expect(yearFromQuotaWorkflowId(workflowId)).toBe(YEAR);
  const run = async (everyMs: number) => {
    const handle = await client.workflow.start<typeof quotaWorkflow>('quotaWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [
        {
          year: YEAR,
          frequency: 'quarterly',
          checkMeetings: true,
          fastTimers: { startAt: Date.now(), everyMs },
          checkpointsPerRun: 2,
        },
      ],
    });
    return { handle, result: await handle.result() };
  };
  const { handle, result } = await run(2000);
  await recordHistory(handle, 'quota-quarterly-continued-as-new');

  expect(result.next).toBe(5);
  expect(result.skipped).toEqual([]);
  // Q4 (365/365): C01 20 < 72 and C02 10 < 72, both below for the 3rd and 4th time in a row.
  expect(result.streaks).toMatchObject({ C01: 3, C02: 4, C03: 0, C21: 0, X: 0, G: 0 });
  expect(result.last?.notices.sort()).toEqual(['C01', 'C02']);
  expect(result.last?.escalations.sort()).toEqual(['C01', 'C02']);
  // December: every cell met.
  expect(result.last?.meetingFlags).toEqual([]);

  const checkpoints = await models.QuotaCheckpoint.find({ year: YEAR, unitId: 'C02' }).sort({ n: 1 }).lean();
  // Hand-computed for C02 (target 90, 10 admitted): pro-rata 90 × E/365 with E = 90, 181, 273, 365.
  expect(checkpoints.map((c) => [c.asOf, c.proRataPct, c.neededPerMonth, c.forecast, c.streak])).toEqual([
    // 10/22.19 = 45.1 %; 80 left over 275/365 × 12 = 9.04 months = 8.85 → 8.9; 10 × 365/90 = 40.6 → 40
    ['2030-03-31', 45.1, 8.9, 40, 1],
    // 10/44.63 = 22.4 %; 80 over 184/365 × 12 = 6.05 months = 13.22 → 13.3; 10 × 365/181 = 20.2 → 20
    ['2030-06-30', 22.4, 13.3, 20, 2],
    // 10/67.32 = 14.9 %; 80 over 92/365 × 12 = 3.02 months = 26.45 → 26.5; 10 × 365/273 = 13.4 → 13
    ['2030-09-30', 14.9, 26.5, 13, 3],
    // 10/90 = 11.1 %; the year is over: all 80 still needed; forecast = what was done
    ['2030-12-31', 11.1, 80, 10, 4],
  ]);

  const quotaMail = await mailbox('Thử Nghiệm C0');
  const notices = quotaMail.filter((m) => m.subject.includes('Chậm tiến độ'));
  const escalations = quotaMail.filter((m) => m.subject.includes('Báo cáo Thường trực Tỉnh ủy'));
  // C02: notices at Q1–Q4, escalations at Q2–Q4; C01: notices at Q2–Q4, escalations at Q3–Q4.
  expect(notices.filter((m) => m.subject.includes('C02'))).toHaveLength(4);
  expect(notices.filter((m) => m.subject.includes('C01'))).toHaveLength(3);
  expect(escalations.filter((m) => m.subject.includes('C02'))).toHaveLength(3);
  expect(escalations.filter((m) => m.subject.includes('C01'))).toHaveLength(2);
  const q1 = notices.find((m) => m.subject.includes('C02') && m.subject.includes('31/03/2030'));
  expect(q1?.to).toEqual(expect.arrayContaining(['c02-bt@thunghiem.example.vn']));
  expect(q1?.text).toContain('đã kết nạp 10/90 đảng viên, đạt 45,1% chỉ tiêu theo tiến độ, thấp hơn ngưỡng 80%');
  expect(q1?.text).toContain('cần kết nạp bình quân 8,9 đảng viên mỗi tháng');
  expect(q1?.text).toContain('cả năm dự kiến đạt 40 đảng viên');
  expect(escalations[0]?.to).toEqual(expect.arrayContaining(['thuongtruc@tinhuy.example.vn']));

  const meetingMail = await mailbox('chưa có biên bản sinh hoạt');
  const mine = meetingMail.filter((m) => m.subject.includes('/2030'));
  expect(mine.map((m) => m.subject).sort()).toEqual([
    '[cadreflow] 1 chi bộ chưa có biên bản sinh hoạt tháng 03/2030 — Đảng ủy xã Thử Nghiệm C05',
    '[cadreflow] 1 chi bộ chưa có biên bản sinh hoạt tháng 06/2030 — Đảng ủy xã Duy Xuyên',
  ]);

  // Run the year again: every e-mail's key is already sent, so nothing new reaches the SMTP server.
  // Only this test's e-mails: other test files send to the same SMTP catcher at the same time.
  const ours = async (): Promise<number> =>
    (await mailbox()).filter(
      (m) => m.to.some((t) => t.endsWith('@thunghiem.example.vn')) || `${m.subject}\n${m.text}`.includes('Thử Nghiệm')
    ).length;
  const before = await ours();
  const again = await run(300);
  expect(again.result.streaks).toEqual(result.streaks);
  expect(await ours()).toBe(before);
  await expect(again.handle.query(getQuotaStatusQuery)).resolves.toMatchObject({ next: 5 });
});

test('monthly checkpoints (the default): every month a notice for a unit behind, escalations from the second, and the one cell without a meeting flagged', async () => {
  // 2031, on a plan of its own: X 12 (one admission in its cell on the 10th of every month), C21 12 (two a
  // month), C01 12 (none). Every cell holds its monthly meeting but C05's in May.
  const year = 2031;
  const half = (unitId: string, parentUnitId: string, name: string, target: number): UnitAllocation => ({
    unitId,
    parentUnitId,
    name,
    target,
    sectors: { nonStateEnterprise: target / 2, pupilsStudents: target / 2 },
  });
  await saveQuotaPlan(models, {
    year,
    rootUnitId: BODY.province,
    units: [
      {
        unitId: BODY.province,
        name: 'Tỉnh ủy Quảng Nam',
        target: 36,
        sectors: { nonStateEnterprise: 18, pupilsStudents: 18 },
      },
      half(BODY.commune, BODY.province, 'Đảng ủy xã Duy Xuyên', 12),
      half('C01', BODY.province, nameOf('C01'), 12),
      half('C21', BODY.province, nameOf('C21'), 12),
    ],
  });
  const cases: object[] = [];
  const steps: object[] = [];
  for (let m = 1; m <= 12; m++) {
    const on10th = startOfVnDay(`${year}-${pad(m)}-10`) + 9 * 3_600_000;
    for (const [unitId, n] of [
      [BODY.cell, 1],
      ['C21-K', 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const d = admissionDocs(`q31-${unitId}-${m}-${i}`, unitId, on10th);
        cases.push(d.caseDoc);
        steps.push(d.stepDoc);
      }
    }
  }
  await models.Case.collection.insertMany(cases, { ordered: false });
  await models.CaseStep.collection.insertMany(steps, { ordered: false });
  const cells = [BODY.cell, ...COMMITTEES.map((id) => `${id}-K`)];
  const meetings = cells.flatMap((cellId) =>
    Array.from({ length: 12 }, (_, i) => `${year}-${pad(i + 1)}`)
      .filter((month) => !(cellId === 'C05-K' && month === `${year}-05`))
      .map((month) => ({ cellId, date: `${month}-08`, present: 9, total: 10 }))
  );
  await importMeetings(models, { format: 'json', text: JSON.stringify(meetings) });

  const handle = await client.workflow.start<typeof quotaWorkflow>('quotaWorkflow', {
    taskQueue: config.temporal.taskQueue,
    workflowId: quotaWorkflowId(year),
    args: [{ year, fastTimers: { startAt: Date.now(), everyMs: 700 }, checkpointsPerRun: 5 }],
  });
  const result = await handle.result();
  expect(result).toMatchObject({ year, total: 12, next: 13, skipped: [] });
  // The province itself is not checked: it answers to nobody in cadreflow.
  expect(result.streaks).toEqual({ C01: 12, X: 0, C21: 0 });
  expect(result.last?.meetingFlags).toEqual([]);

  const checkpoints = await models.QuotaCheckpoint.find({ year, unitId: 'C01' }).sort({ n: 1 }).lean();
  const ends = [
    '01-31',
    '02-28',
    '03-31',
    '04-30',
    '05-31',
    '06-30',
    '07-31',
    '08-31',
    '09-30',
    '10-31',
    '11-30',
    '12-31',
  ];
  expect(checkpoints.map((c) => c.asOf)).toEqual(ends.map((d) => `${year}-${d}`));
  expect(checkpoints.map((c) => c.streak)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

  // This year's e-mails: their subject or text give a date of it (the escalation's subject has none).
  const mine = (await mailbox()).filter((m) => `${m.subject}\n${m.text}`.includes(`/${year}`));
  const c01 = mine.filter((m) => m.subject.includes(nameOf('C01')));
  expect(c01.filter((m) => m.subject.includes('Chậm tiến độ'))).toHaveLength(12);
  expect(c01.filter((m) => m.subject.includes('Báo cáo Thường trực Tỉnh ủy'))).toHaveLength(11);
  // Nobody else is behind: X and C21 keep pace.
  expect(mine.filter((m) => m.subject.includes('Chậm tiến độ') && !m.subject.includes(nameOf('C01')))).toEqual([]);
  expect(mine.filter((m) => m.subject.includes('chưa có biên bản sinh hoạt')).map((m) => m.subject)).toEqual([
    `[cadreflow] 1 chi bộ chưa có biên bản sinh hoạt tháng 05/${year} — ${nameOf('C05')}`,
  ]);
});

test('attainment by unit × sector, CSV and XLSX, hand-computed', async () => {
  const report = await attainmentReport(models, YEAR, '2030-12-31');
  const row = (id: string) => report.rows.find((r) => r.unitId === id)!;
  // Province: 1,860 of 2,000 = 93 %; non-state 50 (K) + 10 + 5 + 18 × 45 + 55 = 930, pupils the same.
  expect(row('P')).toMatchObject({ depth: 0, target: 2000, attained: 1860, pct: 93, recognitions: 1, removals: 1 });
  expect(row('P').sectors.nonStateEnterprise).toEqual({ target: 1000, attained: 930 });
  expect(row('P').sectors.pupilsStudents).toEqual({ target: 1000, attained: 930 });
  // Women: every third admission: 34 (K) + 7 + 4 + 18 × 30 + 37 = 622.
  expect(row('P').groups.women.attained).toBe(622);
  expect(row('X')).toMatchObject({ depth: 1, target: 100, attained: 100, pct: 100 });
  expect(row('G')).toMatchObject({ depth: 2, attained: 100 });
  expect(row('C01')).toMatchObject({ target: 90, attained: 20, pct: 22.2 });
  expect(row('C21')).toMatchObject({ target: 100, attained: 110, pct: 110 });
  expect(row('C03')).toMatchObject({ attained: 90, removals: 1 });
  expect(row('C04')).toMatchObject({ attained: 90, recognitions: 1 });
  expect(report.rows).toHaveLength(24); // P, X, G and 21 committees

  const csv = await attainmentCsv(models, YEAR, '2030-12-31');
  const lines = csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  expect(lines).toHaveLength(25);
  expect(lines[0]).toMatch(/^Mã đơn vị,Đơn vị,Cấp,Chỉ tiêu,Đã kết nạp,Tỷ lệ \(%\),Doanh nghiệp nhà nước - chỉ tiêu/);
  expect(lines[1]).toMatch(/^P,Tỉnh ủy Quảng Nam,0,2000,1860,93,0,0,1000,930,/);

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await attainmentXlsx(models, YEAR, '2030-12-31')) as never);
  const ws = wb.getWorksheet('Chỉ tiêu')!;
  expect(ws.getCell('A1').text).toContain('năm 2030');
  expect(ws.getRow(3).values).toEqual(expect.arrayContaining(['P', 'Tỉnh ủy Quảng Nam', 2000, 1860, 93]));
});

test('the quarterly briefing combines cases on time, overdue, escalated and quota attainment per committee', async () => {
  const now = startOfVnDay('2030-07-05');
  const b = await quarterlyBriefing(models, { year: YEAR, quarter: 2, now });
  expect(b.asOf).toBe('2030-06-30');
  expect(b.rows).toHaveLength(22);
  // C01: 20 of 90 = 22.2 %; pro-rata at 30/06 (181/365): 20 × 365 / (90 × 181) = 44.8 %.
  expect(b.rows.find((r) => r.committeeId === 'C01')).toEqual({
    committeeId: 'C01',
    name: nameOf('C01'),
    openCases: 3,
    onTime: 1,
    overdue: 2,
    escalated: 1,
    target: 90,
    attained: 20,
    pct: 22.2,
    proRataPct: 44.8,
  });
  const csv = await briefingCsv(models, { year: YEAR, quarter: 2, now });
  expect(csv).toContain(`C01,${nameOf('C01')},3,1,2,1,90,20,22.2,44.8`);
  expect(csv.trimEnd().split('\r\n').at(-1)).toMatch(/^,Toàn tỉnh,/);
});

test('attendance at cell meetings by committee', async () => {
  const stats = await attendanceReport(models, ['2030-03', '2030-06', '2030-09', '2030-12']);
  // C05: 1 cell × 4 months, March missed: 3 meetings, 24 of 30 present = 80 %.
  expect(stats.find((s) => s.committeeId === 'C05')).toEqual({
    committeeId: 'C05',
    cells: 1,
    expectedMeetings: 4,
    meetings: 3,
    missed: 1,
    present: 24,
    total: 30,
    attendancePct: 80,
  });
  expect(stats.find((s) => s.committeeId === BODY.commune)).toMatchObject({ cells: 1, meetings: 3, missed: 1 });
});
