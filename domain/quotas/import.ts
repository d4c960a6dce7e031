/**
 * Parsing and validation of what is imported: the cell meetings exported from the electronic handbook
 * (CSV or JSON), and a quota plan drawn up in a spreadsheet (CSV). Everything is checked before anything
 * is written: a malformed file is refused whole with every line and reason, in Vietnamese.
 */
import { domainError } from '../errors';
import { parseIsoDate, toIsoDate } from '../calendar/days';
import type { IsoDate } from '../types';
import { monthOf, type MeetingRecord } from './meetings';
import { GROUPS, SECTORS, type Group, type QuotaPlan, type Sector, type UnitAllocation } from './model';

export interface ImportProblem {
  /** The line of the file (1 = the header of a CSV), or the item's position in a JSON array. */
  line: number;
  reason: string;
}

/** Refuses an import with every problem: 'INVALID_INPUT', `details.problems` = [{ line, reason }]. */
function refuse(what: string, unit: 'dòng' | 'mục', problems: ImportProblem[]): never {
  const shown = problems.slice(0, 20).map((p) => `${unit} ${p.line}: ${p.reason}`);
  const more = problems.length > 20 ? `; và ${problems.length - 20} lỗi khác` : '';
  throw domainError(
    'INVALID_INPUT',
    `${what}: ${problems.length} problem(s), first at ${unit === 'dòng' ? 'line' : 'item'} ${problems[0]?.line}`,
    `Tệp ${what} không hợp lệ, chưa nhập dữ liệu nào: ${shown.join('; ')}${more}.`,
    { problems }
  );
}

/**
 * RFC 4180 CSV: fields separated by `,` or `;` (whichever the header uses, as spreadsheets in Vietnam
 * often write `;`), quoted fields may hold separators, quotes ("") and line breaks; a BOM and CRLF are
 * accepted. Returns the rows with the line each starts on; blank lines are skipped.
 */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.split(/\r?\n/, 1)[0] ?? '';
  const sep = (firstLine.match(/;/g) ?? []).length > (firstLine.match(/,/g) ?? []).length ? ';' : ',';
  const rows: { line: number; cells: string[] }[] = [];
  let line = 1;
  let rowLine = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  const endRow = (): void => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0]?.trim() === '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === sep) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

/** A date written as YYYY-MM-DD or DD/MM/YYYY (as in the handbook's export), or undefined. */
export function parseDateCell(value: string): IsoDate | undefined {
  const v = value.trim();
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  const iso = vn ? toIsoDate({ year: Number(vn[3]), month: Number(vn[2]), day: Number(vn[1]) }) : v;
  try {
    parseIsoDate(iso);
    return iso;
  } catch {
    return undefined;
  }
}

const wholeNumber = (value: unknown): number | undefined => {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^\d{1,9}$/.test(s) ? Number(s) : undefined;
};

/** A value as the person wrote it, for a message. */
const show = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : v === undefined ? '' : JSON.stringify(v);

/** Header names accepted for each column of a meetings export (English keys, the handbook's Vietnamese). */
const MEETING_COLUMNS: Record<keyof MeetingRecord, string[]> = {
  cellId: ['cellid', 'ma_chi_bo', 'mã chi bộ', 'chi_bo'],
  date: ['date', 'ngay', 'ngày', 'ngay_hop', 'ngày họp'],
  present: ['present', 'co_mat', 'có mặt', 'so_co_mat', 'số có mặt'],
  total: ['total', 'tong_so', 'tổng số', 'so_dang_vien', 'số đảng viên'],
};

export interface MeetingImportOptions {
  /** Cells that exist: any other cell id is refused. */
  knownCells?: ReadonlySet<string>;
}

function checkMeeting(
  raw: { cellId: unknown; date: unknown; present: unknown; total: unknown },
  line: number,
  opts: MeetingImportOptions,
  seen: Map<string, number>,
  problems: ImportProblem[]
): MeetingRecord | undefined {
  const before = problems.length;
  const cellId = typeof raw.cellId === 'string' ? raw.cellId.trim() : '';
  if (cellId === '') problems.push({ line, reason: 'thiếu mã chi bộ' });
  else if (opts.knownCells && !opts.knownCells.has(cellId)) {
    problems.push({ line, reason: `không có chi bộ «${cellId}»` });
  }
  const date = typeof raw.date === 'string' ? parseDateCell(raw.date) : undefined;
  if (!date) problems.push({ line, reason: `ngày họp «${show(raw.date)}» không hợp lệ` });
  const present = wholeNumber(raw.present);
  const total = wholeNumber(raw.total);
  if (present === undefined) problems.push({ line, reason: `số có mặt «${show(raw.present)}» không hợp lệ` });
  if (total === undefined || total === 0) {
    problems.push({ line, reason: `tổng số đảng viên «${show(raw.total)}» không hợp lệ` });
  }
  if (present !== undefined && total !== undefined && present > total) {
    problems.push({ line, reason: `số có mặt ${present} lớn hơn tổng số ${total}` });
  }
  if (problems.length > before || !date) return undefined;
  const key = `${cellId}|${monthOf(date)}`;
  const first = seen.get(key);
  if (first !== undefined) {
    problems.push({ line, reason: `chi bộ «${cellId}» đã có buổi sinh hoạt tháng ${monthOf(date)} ở dòng ${first}` });
    return undefined;
  }
  seen.set(key, line);
  return { cellId, date, present: present as number, total: total as number };
}

/** Meeting records from a CSV export with a header row (see MEETING_COLUMNS); refused whole if malformed. */
export function parseMeetingsCsv(text: string, opts: MeetingImportOptions = {}): MeetingRecord[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) refuse('biên bản sinh hoạt chi bộ', 'dòng', [{ line: 1, reason: 'tệp trống' }]);
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const index = {} as Record<keyof MeetingRecord, number>;
  const missing: string[] = [];
  for (const [key, aliases] of Object.entries(MEETING_COLUMNS) as [keyof MeetingRecord, string[]][]) {
    const i = names.findIndex((n) => aliases.includes(n));
    if (i < 0) missing.push(aliases[0] as string);
    index[key] = i;
  }
  if (missing.length > 0) {
    refuse('biên bản sinh hoạt chi bộ', 'dòng', [
      { line: header.line, reason: `dòng tiêu đề thiếu cột ${missing.join(', ')}` },
    ]);
  }
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  const out: MeetingRecord[] = [];
  for (const row of rows.slice(1)) {
    if (row.cells.length !== header.cells.length) {
      problems.push({ line: row.line, reason: `có ${row.cells.length} cột, tiêu đề có ${header.cells.length} cột` });
      continue;
    }
    const get = (k: keyof MeetingRecord): string => row.cells[index[k]] as string;
    const r = checkMeeting(
      { cellId: get('cellId'), date: get('date'), present: get('present'), total: get('total') },
      row.line,
      opts,
      seen,
      problems
    );
    if (r) out.push(r);
  }
  if (problems.length > 0) refuse('biên bản sinh hoạt chi bộ', 'dòng', problems);
  return out;
}

/**
 * Meeting records from a JSON export: an array of { cellId, date, present, total } (or { meetings: [...] });
 * problems are reported by the item's position (1-based), or line 1 when the text is not JSON at all.
 */
export function parseMeetingsJson(text: string, opts: MeetingImportOptions = {}): MeetingRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    refuse('biên bản sinh hoạt chi bộ', 'dòng', [{ line: 1, reason: `không phải JSON (${(e as Error).message})` }]);
  }
  const items = Array.isArray(data) ? data : (data as { meetings?: unknown } | null)?.meetings;
  if (!Array.isArray(items)) {
    refuse('biên bản sinh hoạt chi bộ', 'mục', [{ line: 1, reason: 'cần một danh sách các buổi sinh hoạt' }]);
  }
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  const out: MeetingRecord[] = [];
  items.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) {
      problems.push({ line: i + 1, reason: 'không phải một bản ghi' });
      return;
    }
    const o = item as Record<string, unknown>;
    const r = checkMeeting(
      { cellId: o.cellId, date: o.date, present: o.present, total: o.total },
      i + 1,
      opts,
      seen,
      problems
    );
    if (r) out.push(r);
  });
  if (problems.length > 0) refuse('biên bản sinh hoạt chi bộ', 'mục', problems);
  return out;
}

/**
 * A quota plan from a CSV with the header `unitId,parentUnitId,name,target,<sector…>,<group…>` (sector and
 * group columns by their keys, any subset, empty = 0). Checks the cells only; the plan's sums are checked
 * by validateQuotaPlan.
 */
export function parseQuotaPlanCsv(text: string, year: number): QuotaPlan {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) refuse('kế hoạch chỉ tiêu', 'dòng', [{ line: 1, reason: 'tệp trống' }]);
  const names = header.cells.map((c) => c.trim());
  const problems: ImportProblem[] = [];
  for (const required of ['unitId', 'parentUnitId', 'name', 'target']) {
    if (!names.includes(required)) problems.push({ line: header.line, reason: `dòng tiêu đề thiếu cột ${required}` });
  }
  names.forEach((n) => {
    if (!['unitId', 'parentUnitId', 'name', 'target', ...SECTORS, ...GROUPS].includes(n)) {
      problems.push({ line: header.line, reason: `cột «${n}» không phải khối hoặc đối tượng nào` });
    }
  });
  if (problems.length > 0) refuse('kế hoạch chỉ tiêu', 'dòng', problems);
  const units: UnitAllocation[] = [];
  const roots: string[] = [];
  for (const row of rows.slice(1)) {
    if (row.cells.length !== names.length) {
      problems.push({ line: row.line, reason: `có ${row.cells.length} cột, tiêu đề có ${names.length} cột` });
      continue;
    }
    const cell = (n: string): string => (row.cells[names.indexOf(n)] as string).trim();
    const number = (n: string): number => {
      const v = cell(n);
      const parsed = v === '' ? 0 : wholeNumber(v);
      if (parsed === undefined)
        problems.push({ line: row.line, reason: `cột ${n}: «${v}» không phải số nguyên không âm` });
      return parsed ?? 0;
    };
    const unitId = cell('unitId');
    if (unitId === '') problems.push({ line: row.line, reason: 'thiếu mã đơn vị' });
    const sectors: Partial<Record<Sector, number>> = {};
    const groups: Partial<Record<Group, number>> = {};
    for (const s of SECTORS) if (names.includes(s)) sectors[s] = number(s);
    for (const g of GROUPS) if (names.includes(g) && cell(g) !== '') groups[g] = number(g);
    const unit: UnitAllocation = { unitId, name: cell('name') || unitId, target: number('target'), sectors, groups };
    const parent = cell('parentUnitId');
    if (parent === '') roots.push(unitId);
    else unit.parentUnitId = parent;
    units.push(unit);
  }
  if (roots.length !== 1) {
    problems.push({
      line: header.line,
      reason: `cần đúng một đơn vị gốc (không có đơn vị cấp trên), có ${roots.length}`,
    });
  }
  if (problems.length > 0) refuse('kế hoạch chỉ tiêu', 'dòng', problems);
  return { year, rootUnitId: roots[0] as string, units };
}
