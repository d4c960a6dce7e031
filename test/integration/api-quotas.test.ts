/**
 * The quota routes of the REST API on the real servers: the yearly plan (administrators write it; a plan
 * that does not add up is refused with where), attainment, the start of the yearly quota workflow (once),
 * the import of cell meetings (Organization Board or administrators; a malformed file is refused whole),
 * the reports in JSON and as CSV/XLSX downloads, the briefing's figures against hand-computed ones, and an
 * admission case started with its sector and groups.
 *
 * The year is 2033 and the committees AQ1, AQ2 (with cells AQ1-K, AQ2-K) are this file's own, so that no
 * other test's cases, decisions or meetings count in the figures checked here.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { saveOrg } from '../../activities/store/org-store';
import { recordAdmissionSubject } from '../../activities/store/quota-store';
import type { QuotaPlan } from '../../domain/quotas';
import { quotaWorkflowId } from '../../workflows/messages';
import { as, startApi, type ApiHarness } from '../support/api';
import { eventually, uniqueId } from '../support/env';
import { BODY, ORG_FROM } from '../unit/fixtures/org';

const YEAR = 2033;
let h: ApiHarness;

const json = (r: { body: string }): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;

function expectError(r: { statusCode: number; body: string }, status: number, code?: string): Record<string, unknown> {
  expect({ status: r.statusCode, body: r.body }).toEqual({ status, body: expect.any(String) });
  const b = json(r);
  expect(typeof b.code).toBe('string');
  expect(typeof b.message).toBe('string');
  expect(r.body).not.toMatch(/at .+\.(ts|js):\d+/);
  if (code) expect(b.code).toBe(code);
  return b;
}

/**
 * Province 30 = AQ1 20 (youth 10, residential 10; women 5) + AQ2 10 (agencies 10). The fixture's other
 * bodies are outside the plan.
 */
function plan(): QuotaPlan {
  return {
    year: YEAR,
    rootUnitId: BODY.province,
    units: [
      {
        unitId: BODY.province,
        name: 'Tỉnh ủy Quảng Nam',
        target: 30,
        sectors: { youth: 10, residential: 10, agencies: 10 },
        groups: { women: 5 },
      },
      {
        unitId: 'AQ1',
        parentUnitId: BODY.province,
        name: 'Đảng ủy phường Thử Một',
        target: 20,
        sectors: { youth: 10, residential: 10 },
        groups: { women: 5 },
      },
      { unitId: 'AQ2', parentUnitId: BODY.province, name: 'Đảng ủy xã Thử Hai', target: 10, sectors: { agencies: 10 } },
    ],
  };
}

const at = (iso: string): number => Date.parse(`${iso}T10:00:00+07:00`);

/** A case in the store's format (the projection the workflows write), seeded straight into MongoDB. */
function caseDoc(caseId: string, unitId: string, committeeId: string, extra: Record<string, unknown>) {
  return {
    _id: caseId,
    caseId,
    process: 'admission',
    processTitle: 'Kết nạp đảng viên',
    version: 1,
    title: `Kết nạp đảng viên: ${caseId}`,
    caseUnitId: unitId,
    committeeId,
    status: 'open',
    actorPersonIds: [],
    escalationLevel: 'none',
    obstacles: 0,
    startedAt: at('2033-01-05'),
    updatedAt: at('2033-01-05'),
    revision: 3,
    auditSeq: 3,
    ...extra,
  };
}

const prefix = uniqueId('aq').replace(/[^a-z0-9]/gi, '');
const DAY = 86_400_000;

/**
 * The seeded record:
 * - AQ1 open cases: one due in a year (on time), one due yesterday (overdue), one due yesterday and escalated
 *   to Thường trực (overdue, escalated), and one completed (not open). AQ2: one open case with no due date.
 * - Admission decisions (C11 approved): AQ1-K 10/02/2033 ×4 (youth+women, youth, residential, residential),
 *   AQ1-K 10/05/2033 ×1 (no sector recorded), AQ2-K 31/03/2033 ×3 (agencies).
 */
async function seed(): Promise<void> {
  const now = Date.now();
  await h.models.Case.collection.insertMany([
    caseDoc(`${prefix}-o1`, 'AQ1-K', 'AQ1', { dueAt: now + 365 * DAY }),
    caseDoc(`${prefix}-o2`, 'AQ1-K', 'AQ1', { dueAt: now - DAY }),
    caseDoc(`${prefix}-o3`, 'AQ1-K', 'AQ1', { dueAt: now - DAY, escalationLevel: 'escalation' }),
    caseDoc(`${prefix}-o4`, 'AQ2-K', 'AQ2', {}),
  ] as never[]);
  const decided: [string, string, string, string?, string[]?][] = [
    ['a1', 'AQ1-K', '2033-02-10', 'youth', ['women']],
    ['a2', 'AQ1-K', '2033-02-10', 'youth'],
    ['a3', 'AQ1-K', '2033-02-10', 'residential'],
    ['a4', 'AQ1-K', '2033-02-10', 'residential'],
    ['a5', 'AQ1-K', '2033-05-10'],
    ['b1', 'AQ2-K', '2033-03-31', 'agencies'],
    ['b2', 'AQ2-K', '2033-03-31', 'agencies'],
    ['b3', 'AQ2-K', '2033-03-31', 'agencies'],
  ];
  for (const [id, unitId, day, sector, groups] of decided) {
    const caseId = `${prefix}-${id}`;
    const closedAt = at(day);
    await h.models.Case.collection.insertOne(
      caseDoc(caseId, unitId, unitId.slice(0, 3), { status: 'completed', updatedAt: closedAt }) as never
    );
    await h.models.CaseStep.collection.insertOne({
      _id: `${caseId}|C11|1`,
      caseId,
      stepId: 'C11',
      run: 1,
      order: 10,
      title: 'Quyết định kết nạp',
      status: 'done',
      outcome: 'approved',
      openedAt: closedAt - 10 * DAY,
      closedAt,
      actorLabel: 'Ban Thường vụ cấp ủy cấp trên',
      revision: 3,
    } as never);
    if (sector)
      await recordAdmissionSubject(h.models, {
        caseId,
        unitId,
        sector: sector as 'youth',
        groups: groups as ['women'],
      });
  }
}

beforeAll(async () => {
  h = await startApi('api-quotas');
  await saveOrg(h.models, {
    bodies: [
      { id: 'AQ1', name: 'Đảng ủy phường Thử Một', kind: 'committee', parentId: BODY.province, validFrom: ORG_FROM },
      { id: 'AQ1-K', name: 'Chi bộ Thử Một', kind: 'cell', parentId: 'AQ1', validFrom: ORG_FROM },
      { id: 'AQ2', name: 'Đảng ủy xã Thử Hai', kind: 'committee', parentId: BODY.province, validFrom: ORG_FROM },
      { id: 'AQ2-K', name: 'Chi bộ Thử Hai', kind: 'cell', parentId: 'AQ2', validFrom: ORG_FROM },
    ],
    people: [],
    assignments: [],
    delegations: [],
  });
  await seed();
});
afterAll(async () => {
  await h?.temporal.client.workflow
    .getHandle(quotaWorkflowId(YEAR))
    .terminate('end of test')
    .catch(() => undefined);
  await h?.close();
});

describe('the yearly plan', () => {
  test('an administrator stores a plan that adds up; everyone reads it; others are refused', async () => {
    const put = await as(h, 'admin', 'PUT', `/api/quotas/${YEAR}`, plan());
    expect(put.statusCode).toBe(200);
    expect(json(put)).toEqual(plan());
    expect(json(await as(h, 'inspector', 'GET', `/api/quotas/${YEAR}`))).toEqual(plan());
    expect(json(await as(h, 'cellSecretary', 'GET', `/api/quotas/${YEAR}`))).toEqual(plan());

    expectError(await as(h, 'inspector', 'PUT', `/api/quotas/${YEAR}`, plan()), 403, 'READ_ONLY');
    expectError(await as(h, 'orgBoardSpecialist', 'PUT', `/api/quotas/${YEAR}`, plan()), 403, 'FORBIDDEN');
    expectError(await as(h, null, 'GET', `/api/quotas/${YEAR}`), 401, 'NOT_SIGNED_IN');
    expectError(await as(h, 'admin', 'GET', '/api/quotas/2099'), 404, 'NOT_FOUND');
  });

  test('a plan that does not add up is refused with where, and the stored plan is unchanged', async () => {
    await as(h, 'admin', 'PUT', `/api/quotas/${YEAR}`, plan());
    const bad = plan();
    // AQ2's sectors add up to 8, not its target of 10.
    (bad.units[2] as QuotaPlan['units'][number]).sectors = { agencies: 8 };
    const r = await as(h, 'admin', 'PUT', `/api/quotas/${YEAR}`, bad);
    const b = expectError(r, 422, 'INVALID_INPUT');
    expect(b.message).toMatch(/^Kế hoạch chỉ tiêu phát triển đảng viên năm 2033 chưa hợp lệ: /);
    expect(b.message).toContain('AQ2');
    expect(b.details).toEqual({ problems: expect.arrayContaining([expect.objectContaining({ unitId: 'AQ2' })]) });
    // The year of the body must be the year of the address.
    expectError(await as(h, 'admin', 'PUT', `/api/quotas/2034`, plan()), 422, 'INVALID_INPUT');
    // Unknown fields and operator payloads are refused by validation.
    expectError(await as(h, 'admin', 'PUT', `/api/quotas/${YEAR}`, { ...plan(), extra: 1 }), 400, 'INVALID_REQUEST');
    expectError(
      await as(h, 'admin', 'PUT', `/api/quotas/${YEAR}`, { ...plan(), rootUnitId: { $gt: '' } }),
      400,
      'INVALID_REQUEST'
    );
    expect(json(await as(h, 'admin', 'GET', `/api/quotas/${YEAR}`))).toEqual(plan());
  });
});

describe('attainment and the quota workflow', () => {
  beforeAll(async () => {
    await as(h, 'admin', 'PUT', `/api/quotas/${YEAR}`, plan());
  });

  test('attainment by unit, sector and group, to the end of the year or to a given day', async () => {
    const r = await as(h, 'cellSecretary', 'GET', `/api/quotas/${YEAR}/attainment`);
    expect(r.statusCode).toBe(200);
    const report = json(r) as {
      asOf: string;
      rows: {
        unitId: string;
        attained: number;
        pct: number;
        unspecified: number;
        sectors: Record<string, { attained: number }>;
        groups: Record<string, { target?: number; attained: number }>;
      }[];
    };
    expect(report.asOf).toBe('2033-12-31');
    expect(report.rows.map((x) => x.unitId)).toEqual([BODY.province, 'AQ1', 'AQ2']);
    const [root, aq1, aq2] = report.rows;
    // Province: 5 + 3 = 8 of 30 = 26.7 %.
    expect(root).toMatchObject({ attained: 8, pct: 26.7 });
    // AQ1: 5 of 20 = 25 %: youth 2, residential 2, one without a sector; one woman of the 5 targeted.
    expect(aq1).toMatchObject({ attained: 5, pct: 25, unspecified: 1 });
    expect(aq1?.sectors.youth).toEqual({ target: 10, attained: 2 });
    expect(aq1?.sectors.residential).toEqual({ target: 10, attained: 2 });
    expect(aq1?.groups.women).toEqual({ target: 5, attained: 1 });
    // AQ2: 3 of 10 = 30 %.
    expect(aq2).toMatchObject({ attained: 3, pct: 30 });
    expect(aq2?.sectors.agencies).toEqual({ target: 10, attained: 3 });

    // To 31 March: the May admission of AQ1 is not yet counted.
    const march = json(await as(h, 'inspector', 'GET', `/api/quotas/${YEAR}/attainment?asOf=2033-03-31`)) as {
      rows: { unitId: string; attained: number }[];
    };
    expect(march.rows.map((x) => [x.unitId, x.attained])).toEqual([
      [BODY.province, 7],
      ['AQ1', 4],
      ['AQ2', 3],
    ]);
    expectError(await as(h, 'inspector', 'GET', `/api/quotas/${YEAR}/attainment?asOf=2032-12-31`), 422);
    expectError(await as(h, 'inspector', 'GET', `/api/quotas/2099/attainment`), 404, 'NOT_FOUND');
  });

  test('the yearly quota workflow starts once; only administrators start it', async () => {
    expectError(await as(h, 'inspector', 'POST', `/api/quotas/${YEAR}/start`, {}), 403, 'READ_ONLY');
    expectError(await as(h, 'orgBoardSpecialist', 'POST', `/api/quotas/${YEAR}/start`, {}), 403, 'FORBIDDEN');
    expectError(await as(h, 'admin', 'POST', '/api/quotas/2099/start', {}), 404, 'NOT_FOUND');
    const first = await as(h, 'admin', 'POST', `/api/quotas/${YEAR}/start`, { frequency: 'quarterly' });
    expect(first.statusCode).toBe(201);
    expect(json(first)).toEqual({ workflowId: quotaWorkflowId(YEAR), created: true });
    const again = await as(h, 'admin', 'POST', `/api/quotas/${YEAR}/start`, {});
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ workflowId: quotaWorkflowId(YEAR), created: false });
    const desc = await h.temporal.client.workflow.getHandle(quotaWorkflowId(YEAR)).describe();
    expect(desc.type).toBe('quotaWorkflow');
    expect(desc.status.name).toBe('RUNNING');
    expect(desc.taskQueue).toBe(h.config.temporal.taskQueue);
  });
});

describe('cell meetings', () => {
  const csv = ['ma_chi_bo;ngay_hop;co_mat;tong_so', 'AQ1-K;12/02/2033;18;20', 'AQ2-K;2033-03-05;9;12'].join('\r\n');
  const count = (): Promise<number> => h.models.Meeting.countDocuments({ month: { $in: ['2033-02', '2033-03'] } });

  test('a malformed import is refused whole with the line and reason, and nothing is written', async () => {
    const before = await count();
    const bad = [
      'ma_chi_bo;ngay_hop;co_mat;tong_so',
      'AQ1-K;12/02/2033;18;20',
      'AQ2-K;31/02/2033;9;12',
      'KHONG-CO;2033-02-20;5;10',
    ].join('\n');
    const r = await as(h, 'orgBoardSpecialist', 'POST', '/api/meetings/import', { format: 'csv', text: bad });
    const b = expectError(r, 422, 'INVALID_INPUT');
    expect(b.message).toContain('dòng 3');
    expect(b.message).toContain('dòng 4');
    expect(b.message).toContain('KHONG-CO');
    expect(b.details).toEqual({
      problems: [
        { line: 3, reason: expect.stringContaining('31/02/2033') },
        { line: 4, reason: expect.stringContaining('KHONG-CO') },
      ],
    });
    expectError(
      await as(h, 'admin', 'POST', '/api/meetings/import', { format: 'json', text: '[{"cellId": "AQ1-K"' }),
      422,
      'INVALID_INPUT'
    );
    expect(await count()).toBe(before);
  });

  test('the Organization Board or an administrator imports; others are refused and nothing is written', async () => {
    const before = await count();
    expectError(
      await as(h, 'inspector', 'POST', '/api/meetings/import', { format: 'csv', text: csv }),
      403,
      'READ_ONLY'
    );
    expectError(
      await as(h, 'cellSecretary', 'POST', '/api/meetings/import', { format: 'csv', text: csv }),
      403,
      'NOT_AUTHORISED'
    );
    expectError(await as(h, 'admin', 'POST', '/api/meetings/import', { format: 'xml', text: csv }), 400);
    expect(await count()).toBe(before);

    const r = await as(h, 'orgBoardSpecialist', 'POST', '/api/meetings/import', { format: 'csv', text: csv });
    expect(r.statusCode).toBe(200);
    expect(json(r)).toEqual({ imported: 2, months: ['2033-02', '2033-03'] });
    // The same file again changes nothing; the JSON export is accepted too.
    const text = JSON.stringify([{ cellId: 'AQ2-K', date: '2033-02-25', present: 10, total: 12 }]);
    expect(json(await as(h, 'admin', 'POST', '/api/meetings/import', { format: 'json', text }))).toEqual({
      imported: 1,
      months: ['2033-02'],
    });
    await as(h, 'admin', 'POST', '/api/meetings/import', { format: 'csv', text: csv });
    expect(await count()).toBe(3);
  });

  test('attendance by committee over the months asked', async () => {
    const r = await as(h, 'cellSecretary', 'GET', '/api/reports/attendance?months=2033-03,2033-02');
    expect(r.statusCode).toBe(200);
    const b = json(r) as { months: string[]; items: { committeeId: string }[] };
    expect(b.months).toEqual(['2033-02', '2033-03']);
    const byId = new Map(b.items.map((i) => [i.committeeId, i]));
    // AQ1: one cell, two months, met in February only: 18 of 20 present = 90 %.
    expect(byId.get('AQ1')).toEqual({
      committeeId: 'AQ1',
      cells: 1,
      expectedMeetings: 2,
      meetings: 1,
      missed: 1,
      present: 18,
      total: 20,
      attendancePct: 90,
    });
    // AQ2: met both months: (10 + 9) of (12 + 12) = 79.2 %.
    expect(byId.get('AQ2')).toEqual({
      committeeId: 'AQ2',
      cells: 1,
      expectedMeetings: 2,
      meetings: 2,
      missed: 0,
      present: 19,
      total: 24,
      attendancePct: 79.2,
    });
    expectError(await as(h, 'cellSecretary', 'GET', '/api/reports/attendance?months=2033-13'), 400);
    expectError(await as(h, 'cellSecretary', 'GET', '/api/reports/attendance'), 400);
  });
});

describe('reports', () => {
  beforeAll(async () => {
    await as(h, 'admin', 'PUT', `/api/quotas/${YEAR}`, plan());
  });

  test('the quarterly briefing against hand-computed figures', async () => {
    const r = await as(h, 'inspector', 'GET', `/api/reports/briefing?year=${YEAR}&quarter=1`);
    expect(r.statusCode).toBe(200);
    const b = json(r) as { year: number; quarter: number; asOf: string; rows: { committeeId: string }[] };
    // The quarter is in the future of today: figures to its last day, 31/03/2033.
    expect(b).toMatchObject({ year: YEAR, quarter: 1, asOf: '2033-03-31' });
    // Plan committees first, in plan order.
    expect(b.rows.slice(0, 2).map((x) => x.committeeId)).toEqual(['AQ1', 'AQ2']);
    // 1 January – 31 March 2033 = 31 + 28 + 31 = 90 of 365 days.
    // AQ1: open 3 = on time 1 + overdue 2, escalated 1; 4 admitted by 31/03 of 20 = 20.0 %;
    //      pro rata 4 × 365 / (20 × 90) = 1460 / 1800 = 81.1 %.
    expect(b.rows[0]).toEqual({
      committeeId: 'AQ1',
      name: 'Đảng ủy phường Thử Một',
      openCases: 3,
      onTime: 1,
      overdue: 2,
      escalated: 1,
      target: 20,
      attained: 4,
      pct: 20,
      proRataPct: 81.1,
    });
    // AQ2: open 1, on time (no due date); 3 of 10 = 30.0 %; pro rata 3 × 365 / (10 × 90) = 1095 / 900 = 121.7 %.
    expect(b.rows[1]).toEqual({
      committeeId: 'AQ2',
      name: 'Đảng ủy xã Thử Hai',
      openCases: 1,
      onTime: 1,
      overdue: 0,
      escalated: 0,
      target: 10,
      attained: 3,
      pct: 30,
      proRataPct: 121.7,
    });
    expectError(await as(h, 'inspector', 'GET', `/api/reports/briefing?year=${YEAR}&quarter=5`), 400);
    expectError(await as(h, 'inspector', 'GET', `/api/reports/briefing?year=2099&quarter=1`), 404, 'NOT_FOUND');
    expectError(await as(h, null, 'GET', `/api/reports/briefing?year=${YEAR}&quarter=1`), 401, 'NOT_SIGNED_IN');
  });

  test('CSV downloads: content type, a Vietnamese file name with an ASCII fallback, the table', async () => {
    const r = await as(h, 'cellSecretary', 'GET', `/api/reports/attainment.csv?year=${YEAR}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="Ket qua phat trien dang vien ${YEAR}.csv"; ` +
        `filename*=UTF-8''${encodeURIComponent(`Kết quả phát triển đảng viên ${YEAR}.csv`)}`
    );
    expect(r.body.startsWith('\uFEFFMã đơn vị,Đơn vị,Cấp,Chỉ tiêu,Đã kết nạp,Tỷ lệ (%),')).toBe(true);
    const lines = r.body.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    // The name is indented by its depth, and so quoted.
    expect(lines[2]).toMatch(/^AQ1," {2}Đảng ủy phường Thử Một",1,20,5,25,/);

    const q = await as(h, 'inspector', 'GET', `/api/reports/briefing.csv?year=${YEAR}&quarter=1`);
    expect(q.statusCode).toBe(200);
    expect(q.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(q.headers['content-disposition']).toContain(`filename="Giao ban quy 1 nam ${YEAR}.csv"`);
    expect(q.body).toContain('\r\nAQ1,Đảng ủy phường Thử Một,3,1,2,1,20,4,20,81.1\r\n');
    expectError(await as(h, 'inspector', 'GET', '/api/reports/attainment.csv'), 400);
  });

  test('XLSX downloads open with exceljs and carry the expected header row', async () => {
    const r = await as(h, 'inspector', 'GET', `/api/reports/attainment.xlsx?year=${YEAR}&asOf=2033-03-31`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(r.headers['content-disposition']).toContain(`filename="Ket qua phat trien dang vien ${YEAR}.xlsx"`);
    expect(r.headers['content-disposition']).toContain("filename*=UTF-8''K%E1%BA%BFt%20qu%E1%BA%A3");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    expect(ws.name).toBe('Chỉ tiêu');
    expect(ws.getRow(1).getCell(1).text).toBe(
      `Kết quả phát triển đảng viên năm ${YEAR} theo đơn vị và khối (đến ngày 31/03/2033)`
    );
    const header = (ws.getRow(2).values as unknown[]).slice(1);
    expect(header.slice(0, 8)).toEqual([
      'Mã đơn vị',
      'Đơn vị',
      'Cấp',
      'Chỉ tiêu',
      'Đã kết nạp',
      'Tỷ lệ (%)',
      'Doanh nghiệp nhà nước - chỉ tiêu',
      'Doanh nghiệp nhà nước - đã kết nạp',
    ]);
    expect(header.slice(-2)).toEqual(['Công nhận chính thức', 'Xóa tên, khai trừ']);
    expect((ws.getRow(4).values as unknown[]).slice(1, 6)).toEqual(['AQ1', '  Đảng ủy phường Thử Một', 1, 20, 4]);

    const q = await as(h, 'cellSecretary', 'GET', `/api/reports/briefing.xlsx?year=${YEAR}&quarter=1`);
    expect(q.statusCode).toBe(200);
    const wq = new ExcelJS.Workbook();
    await wq.xlsx.load(q.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = wq.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.name).toBe('Quý 1');
    expect((sheet.getRow(2).values as unknown[]).slice(1, 4)).toEqual(['Mã đơn vị', 'Đơn vị', 'Hồ sơ đang xử lý']);
    expect((sheet.getRow(3).values as unknown[]).slice(1)).toEqual([
      'AQ1',
      'Đảng ủy phường Thử Một',
      3,
      1,
      2,
      1,
      20,
      4,
      20,
      81.1,
    ]);
  });

  test('the OpenAPI document stays valid and lists the quota routes', async () => {
    const doc = json(await h.app.inject({ url: '/docs/json' })) as { paths: Record<string, unknown> };
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'support', 'validate-openapi.mjs')], {
      input: JSON.stringify(doc),
      encoding: 'utf8',
    });
    expect(JSON.parse(run.stdout)).toEqual({ valid: true, version: '3.1', errors: [] });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/quotas/{year}',
        '/api/quotas/{year}/attainment',
        '/api/quotas/{year}/start',
        '/api/meetings/import',
        '/api/reports/attainment.csv',
        '/api/reports/attainment.xlsx',
        '/api/reports/briefing',
        '/api/reports/briefing.csv',
        '/api/reports/briefing.xlsx',
        '/api/reports/attendance',
      ])
    );
  });
});

describe('admission cases with their sector and groups', () => {
  test('the start records the sector and groups the year counts the admission for', async () => {
    const r = await as(h, 'cellSecretary', 'POST', '/api/cases', {
      requestId: uniqueId('req'),
      process: 'admission',
      title: 'Kết nạp đảng viên: Lê Thị Hoa',
      caseUnitId: BODY.cell,
      subjectName: 'Lê Thị Hoa',
      sector: 'pupilsStudents',
      groups: ['women', 'youthUnion'],
    });
    expect(r.statusCode).toBe(201);
    const caseId = json(r).caseId as string;
    await eventually('the subject', () => h.models.AdmissionSubject.exists({ _id: caseId }));
    expect(await h.models.AdmissionSubject.findById(caseId).lean()).toEqual({
      _id: caseId,
      caseId,
      unitId: BODY.cell,
      sector: 'pupilsStudents',
      groups: ['women', 'youthUnion'],
    });
    const bad = await as(h, 'cellSecretary', 'POST', '/api/cases', {
      requestId: uniqueId('req'),
      process: 'admission',
      title: 'Kết nạp đảng viên: Trần Văn Bình',
      caseUnitId: BODY.cell,
      sector: 'farmers',
    });
    expectError(bad, 400, 'INVALID_REQUEST');
    const notAdmission = await as(h, 'admin', 'POST', '/api/cases', {
      requestId: uniqueId('req'),
      process: 'planning',
      title: 'Quy hoạch',
      caseUnitId: BODY.commune,
      sector: 'youth',
    });
    expectError(notAdmission, 422, 'INVALID_INPUT');
  });
});
