/**
 * The quota reports people read, in Vietnamese: attainment by unit × sector (CSV and XLSX), and the
 * quarterly briefing (giao ban quý) that puts, for each committee, its open cases (on time, overdue,
 * escalated) beside its quota attainment; and attendance at cell meetings by committee. Figures are derived
 * from the record each time (cases, case_steps, admission_subjects, meetings), never stored.
 */
import ExcelJS from 'exceljs';
import { dayNumber, daysInMonth } from '../../domain/calendar/days';
import {
  attendanceByCommittee,
  committeeOf,
  daysInYear,
  GROUPS,
  GROUP_LABEL_VI,
  SECTORS,
  SECTOR_LABEL_VI,
  type AttendanceStats,
  type Group,
  type Sector,
} from '../../domain/quotas';
import type { Models } from '../store/models';
import { loadOrg } from '../store/org-store';
import { cellIdsOn, computeAttainment, loadMeetings } from '../store/quota-store';

export interface AttainmentRow {
  unitId: string;
  name: string;
  parentUnitId?: string;
  /** 0 for the province, 1 for the committees under it, ... */
  depth: number;
  target: number;
  attained: number;
  /** attained ÷ target in %, one decimal (0 when the target is 0). */
  pct: number;
  sectors: Record<Sector, { target: number; attained: number }>;
  /** Admissions recorded without a sector. */
  unspecified: number;
  groups: Record<Group, { target?: number; attained: number }>;
  recognitions: number;
  removals: number;
}

export interface AttainmentReport {
  year: number;
  asOf: string;
  rows: AttainmentRow[];
}

const pct = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a * 1000) / b) / 10);

/** Attainment of every unit of the year's plan from 1 January to `asOf`, units in tree order. */
export async function attainmentReport(models: Models, year: number, asOf: string): Promise<AttainmentReport> {
  const { plan, tallies } = await computeAttainment(models, year, asOf);
  const rows: AttainmentRow[] = [];
  const visit = (unitId: string, depth: number): void => {
    const u = plan.units.find((x) => x.unitId === unitId);
    if (!u) return;
    const t = tallies[unitId];
    rows.push({
      unitId,
      name: u.name,
      parentUnitId: u.parentUnitId,
      depth,
      target: u.target,
      attained: t?.admissions ?? 0,
      pct: pct(t?.admissions ?? 0, u.target),
      sectors: Object.fromEntries(
        SECTORS.map((s) => [s, { target: u.sectors[s] ?? 0, attained: t?.bySector[s] ?? 0 }])
      ) as AttainmentRow['sectors'],
      unspecified: t?.bySector.unspecified ?? 0,
      groups: Object.fromEntries(
        GROUPS.map((g) => [g, { target: u.groups?.[g], attained: t?.byGroup[g] ?? 0 }])
      ) as AttainmentRow['groups'],
      recognitions: t?.recognitions ?? 0,
      removals: t?.removals ?? 0,
    });
    for (const c of plan.units.filter((x) => x.parentUnitId === unitId)) visit(c.unitId, depth + 1);
  };
  visit(plan.rootUnitId, 0);
  return { year, asOf, rows };
}

type Cell = string | number;

/** The header and rows of the unit × sector table, as both the CSV and the XLSX show it. */
export function attainmentTable(report: AttainmentReport): { header: string[]; rows: Cell[][] } {
  const header = ['Mã đơn vị', 'Đơn vị', 'Cấp', 'Chỉ tiêu', 'Đã kết nạp', 'Tỷ lệ (%)'];
  for (const s of SECTORS) header.push(`${SECTOR_LABEL_VI[s]} - chỉ tiêu`, `${SECTOR_LABEL_VI[s]} - đã kết nạp`);
  header.push('Chưa xác định khối');
  for (const g of GROUPS) header.push(`${GROUP_LABEL_VI[g]} - chỉ tiêu`, `${GROUP_LABEL_VI[g]} - đã kết nạp`);
  header.push('Công nhận chính thức', 'Xóa tên, khai trừ');
  const rows = report.rows.map((r) => {
    const row: Cell[] = [r.unitId, `${'  '.repeat(r.depth)}${r.name}`, r.depth, r.target, r.attained, r.pct];
    for (const s of SECTORS) row.push(r.sectors[s].target, r.sectors[s].attained);
    row.push(r.unspecified);
    for (const g of GROUPS) row.push(r.groups[g].target ?? '', r.groups[g].attained);
    row.push(r.recognitions, r.removals);
    return row;
  });
  return { header, rows };
}

const csvCell = (v: Cell): string => {
  const s = String(v);
  return /[",;\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 CSV with a UTF-8 BOM (so that spreadsheet programs read the diacritics) and CRLF lines. */
export function toCsv(table: { header: string[]; rows: Cell[][] }): string {
  return `\uFEFF${[table.header, ...table.rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** One worksheet per table, header bold and frozen, as an .xlsx file. */
export async function toXlsx(
  sheets: { name: string; title: string; header: string[]; rows: Cell[][] }[]
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'cadreflow';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 2 }] });
    ws.addRow([s.title]).font = { bold: true, size: 13 };
    ws.addRow(s.header).font = { bold: true };
    for (const r of s.rows) ws.addRow(r);
    ws.columns.forEach((c, i) => {
      c.width = i === 1 ? 40 : 14;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const dateVi = (iso: string): string => iso.split('-').reverse().join('/');

export async function attainmentCsv(models: Models, year: number, asOf: string): Promise<string> {
  return toCsv(attainmentTable(await attainmentReport(models, year, asOf)));
}

export async function attainmentXlsx(models: Models, year: number, asOf: string): Promise<Buffer> {
  const table = attainmentTable(await attainmentReport(models, year, asOf));
  return toXlsx([
    {
      name: 'Chỉ tiêu',
      title: `Kết quả phát triển đảng viên năm ${year} theo đơn vị và khối (đến ngày ${dateVi(asOf)})`,
      ...table,
    },
  ]);
}

// ---------------------------------------------------------------------------------------------------
// The quarterly briefing (giao ban quý).

export interface BriefingRow {
  committeeId: string;
  name: string;
  /** Open cases of the committee now. */
  openCases: number;
  onTime: number;
  overdue: number;
  /** Open cases escalated to Thường trực Tỉnh ủy. */
  escalated: number;
  target: number;
  attained: number;
  /** attained ÷ target, %. */
  pct: number;
  /** attained ÷ (target × elapsed fraction at the quarter's end), %. */
  proRataPct: number;
}

export interface QuarterlyBriefing {
  year: number;
  quarter: number;
  asOf: string;
  rows: BriefingRow[];
}

/** The last day of quarter `q` of `year`. */
export function quarterEnd(year: number, quarter: number): string {
  const month = quarter * 3;
  return `${year}-${String(month).padStart(2, '0')}-${daysInMonth(year, month)}`;
}

/** Counts of `cases` matching `match`, by committee: $match and $group with $sum only (FerretDB v1). */
async function countByCommittee(models: Models, match: Record<string, unknown>): Promise<Map<string, number>> {
  const docs = await models.Case.aggregate<{ _id: string; n: number }>([
    { $match: match },
    { $group: { _id: '$committeeId', n: { $sum: 1 } } },
  ]);
  return new Map(docs.map((d) => [d._id, d.n]));
}

/**
 * Per committee directly under the province: open cases now (on time: no due date or not yet due;
 * overdue: due before `now`; escalated: escalation level 'escalation'), and quota attainment at the end of
 * the quarter (or `now`, if the quarter is not over). Committees of the plan come first in plan order,
 * then any other committee with open cases.
 */
export async function quarterlyBriefing(
  models: Models,
  input: { year: number; quarter: number; now: number }
): Promise<QuarterlyBriefing> {
  const { year, quarter, now } = input;
  const end = quarterEnd(year, quarter);
  const today = new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
  const asOf = today < end && today >= `${year}-01-01` ? today : end;
  const [open, overdue, escalated, attainment] = await Promise.all([
    countByCommittee(models, { status: 'open' }),
    countByCommittee(models, { status: 'open', dueAt: { $lt: now } }),
    countByCommittee(models, { status: 'open', escalationLevel: 'escalation' }),
    computeAttainment(models, year, asOf),
  ]);
  const { plan, tallies } = attainment;
  const elapsed = dayNumber(asOf) - dayNumber(`${year}-01-01`) + 1;
  const yearDays = daysInYear(year);
  const committees = plan.units.filter((u) => u.parentUnitId === plan.rootUnitId);
  const rows: BriefingRow[] = committees.map((u) => {
    const attained = tallies[u.unitId]?.admissions ?? 0;
    const openCases = open.get(u.unitId) ?? 0;
    const late = overdue.get(u.unitId) ?? 0;
    return {
      committeeId: u.unitId,
      name: u.name,
      openCases,
      onTime: openCases - late,
      overdue: late,
      escalated: escalated.get(u.unitId) ?? 0,
      target: u.target,
      attained,
      pct: pct(attained, u.target),
      proRataPct: pct(attained * yearDays, u.target * elapsed),
    };
  });
  const known = new Set(rows.map((r) => r.committeeId));
  for (const [committeeId, openCases] of [...open].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (known.has(committeeId)) continue;
    const late = overdue.get(committeeId) ?? 0;
    rows.push({
      committeeId,
      name: committeeId,
      openCases,
      onTime: openCases - late,
      overdue: late,
      escalated: escalated.get(committeeId) ?? 0,
      target: 0,
      attained: 0,
      pct: 0,
      proRataPct: 0,
    });
  }
  return { year, quarter, asOf, rows };
}

export function briefingTable(b: QuarterlyBriefing): { header: string[]; rows: Cell[][] } {
  const header = [
    'Mã đơn vị',
    'Đơn vị',
    'Hồ sơ đang xử lý',
    'Trong hạn',
    'Quá hạn',
    'Đã báo cáo Thường trực Tỉnh ủy',
    'Chỉ tiêu kết nạp năm',
    'Đã kết nạp',
    'Tỷ lệ so với chỉ tiêu năm (%)',
    'Tỷ lệ so với tiến độ (%)',
  ];
  const rows = b.rows.map((r) => [
    r.committeeId,
    r.name,
    r.openCases,
    r.onTime,
    r.overdue,
    r.escalated,
    r.target,
    r.attained,
    r.pct,
    r.proRataPct,
  ]);
  const total = (i: number): number => rows.reduce((s, r) => s + (r[i] as number), 0);
  const target = total(6);
  const attained = total(7);
  rows.push(['', 'Toàn tỉnh', total(2), total(3), total(4), total(5), target, attained, pct(attained, target), '']);
  return { header, rows };
}

export async function briefingCsv(
  models: Models,
  input: { year: number; quarter: number; now: number }
): Promise<string> {
  return toCsv(briefingTable(await quarterlyBriefing(models, input)));
}

export async function briefingXlsx(
  models: Models,
  input: { year: number; quarter: number; now: number }
): Promise<Buffer> {
  const b = await quarterlyBriefing(models, input);
  return toXlsx([
    {
      name: `Quý ${b.quarter}`,
      title: `Giao ban quý ${b.quarter}/${b.year}: tiến độ hồ sơ và kết quả phát triển đảng viên (đến ngày ${dateVi(b.asOf)})`,
      ...briefingTable(b),
    },
  ]);
}

/** Attendance at cell meetings by committee over the months given ('YYYY-MM'). */
export async function attendanceReport(models: Models, months: readonly string[]): Promise<AttendanceStats[]> {
  const last = [...months].sort().at(-1);
  if (!last) return [];
  const onDate = `${last}-${daysInMonth(Number(last.slice(0, 4)), Number(last.slice(5, 7)))}`;
  const [org, records] = await Promise.all([loadOrg(models), loadMeetings(models, months)]);
  const cellCommittee = Object.fromEntries(cellIdsOn(org, onDate).map((id) => [id, committeeOf(org, id, onDate)]));
  return attendanceByCommittee(cellCommittee, records, months);
}
