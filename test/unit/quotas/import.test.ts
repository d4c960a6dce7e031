import { isDomainError } from '../../../domain/errors';
import {
  parseCsv,
  parseDateCell,
  parseMeetingsCsv,
  parseMeetingsJson,
  parseQuotaPlanCsv,
  validateQuotaPlan,
} from '../../../domain/quotas';

function problemsOf(fn: () => unknown): { messageVi: string; problems: { line: number; reason: string }[] } {
  try {
    fn();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    expect(e.code).toBe('INVALID_INPUT');
    return { messageVi: e.messageVi, problems: e.details?.problems as never };
  }
  throw new Error('the import was accepted');
}

test('CSV: quotes, separators inside quotes, escaped quotes, line breaks, BOM, CRLF, semicolons, blank lines', () => {
  expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n')).toEqual([
    { line: 1, cells: ['a', 'b'] },
    { line: 2, cells: ['x, y', 'say "hi"'] },
    { line: 4, cells: ['two\nlines', 'z'] },
  ]);
  expect(parseCsv('a;b\n1;2')).toEqual([
    { line: 1, cells: ['a', 'b'] },
    { line: 2, cells: ['1', '2'] },
  ]);
});

test('dates as YYYY-MM-DD or DD/MM/YYYY', () => {
  expect(parseDateCell('2026-03-05')).toBe('2026-03-05');
  expect(parseDateCell(' 5/3/2026 ')).toBe('2026-03-05');
  expect(parseDateCell('30/02/2026')).toBeUndefined();
  expect(parseDateCell('hôm qua')).toBeUndefined();
});

const knownCells = new Set(['K1', 'K2']);

test('a well-formed CSV export of the handbook is read, with Vietnamese headers too', () => {
  const csv = 'ma_chi_bo;ngay_hop;co_mat;tong_so\nK1;05/03/2026;18;20\nK2;2026-03-28;9;12\n';
  expect(parseMeetingsCsv(csv, { knownCells })).toEqual([
    { cellId: 'K1', date: '2026-03-05', present: 18, total: 20 },
    { cellId: 'K2', date: '2026-03-28', present: 9, total: 12 },
  ]);
});

test('a malformed CSV is refused whole, with every line and reason', () => {
  const csv = [
    'cellId,date,present,total',
    'K1,2026-03-05,18,20',
    'K3,2026-03-06,5,5',
    ',31/02/2026,x,0',
    'K2,2026-03-07,13,12',
    'K1,2026-03-20,10,20',
    'K2,2026-04-01,1',
  ].join('\n');
  const { problems, messageVi } = problemsOf(() => parseMeetingsCsv(csv, { knownCells }));
  expect(problems).toEqual([
    { line: 3, reason: 'không có chi bộ «K3»' },
    { line: 4, reason: 'thiếu mã chi bộ' },
    { line: 4, reason: 'ngày họp «31/02/2026» không hợp lệ' },
    { line: 4, reason: 'số có mặt «x» không hợp lệ' },
    { line: 4, reason: 'tổng số đảng viên «0» không hợp lệ' },
    { line: 5, reason: 'số có mặt 13 lớn hơn tổng số 12' },
    { line: 6, reason: 'chi bộ «K1» đã có buổi sinh hoạt tháng 2026-03 ở dòng 2' },
    { line: 7, reason: 'có 3 cột, tiêu đề có 4 cột' },
  ]);
  expect(messageVi).toMatch(
    /^Tệp biên bản sinh hoạt chi bộ không hợp lệ, chưa nhập dữ liệu nào: dòng 3: không có chi bộ «K3»/
  );
});

test('a CSV without the needed columns, an empty file, and more than 20 problems', () => {
  expect(problemsOf(() => parseMeetingsCsv('cellId,when\n')).problems).toEqual([
    { line: 1, reason: 'dòng tiêu đề thiếu cột date, present, total' },
  ]);
  expect(problemsOf(() => parseMeetingsCsv('')).problems).toEqual([{ line: 1, reason: 'tệp trống' }]);
  const many = ['cellId,date,present,total', ...Array.from({ length: 25 }, () => 'K1,bad,1,1')].join('\n');
  expect(problemsOf(() => parseMeetingsCsv(many)).messageVi).toContain('và 5 lỗi khác');
});

test('JSON: an array or { meetings }, problems by item position', () => {
  expect(parseMeetingsJson('[{"cellId":"K1","date":"2026-03-05","present":18,"total":20}]', { knownCells })).toEqual([
    { cellId: 'K1', date: '2026-03-05', present: 18, total: 20 },
  ]);
  expect(parseMeetingsJson('{"meetings":[]}')).toEqual([]);
  const bad = problemsOf(() =>
    parseMeetingsJson(
      JSON.stringify([
        { cellId: 'K1', date: '2026-03-05', present: 1, total: 2 },
        7,
        { cellId: 'K2', date: { d: 1 }, present: -1 },
      ])
    )
  );
  expect(bad.problems).toEqual([
    { line: 2, reason: 'không phải một bản ghi' },
    { line: 3, reason: 'ngày họp «{"d":1}» không hợp lệ' },
    { line: 3, reason: 'số có mặt «-1» không hợp lệ' },
    { line: 3, reason: 'tổng số đảng viên «» không hợp lệ' },
  ]);
  expect(bad.messageVi).toContain('mục 2: không phải một bản ghi');
  expect(problemsOf(() => parseMeetingsJson('{oops')).problems[0]!.reason).toMatch(/^không phải JSON/);
  expect(problemsOf(() => parseMeetingsJson('{"x":1}')).problems).toEqual([
    { line: 1, reason: 'cần một danh sách các buổi sinh hoạt' },
  ]);
});

test('a quota plan from CSV, then validated', () => {
  const csv = [
    'unitId,parentUnitId,name,target,stateEnterprise,pupilsStudents,women',
    'P,,Tỉnh ủy,30,10,20,12',
    'X,P,"Đảng ủy xã Duy Xuyên",30,10,20,',
  ].join('\n');
  const plan = parseQuotaPlanCsv(csv, 2026);
  expect(plan.rootUnitId).toBe('P');
  expect(plan.units[1]).toEqual({
    unitId: 'X',
    parentUnitId: 'P',
    name: 'Đảng ủy xã Duy Xuyên',
    target: 30,
    sectors: { stateEnterprise: 10, pupilsStudents: 20 },
    groups: {},
  });
  // P sets 12 women, X none: the plan's sums are checked by validateQuotaPlan.
  let messageVi = '';
  try {
    validateQuotaPlan(plan);
  } catch (e) {
    messageVi = isDomainError(e) ? e.messageVi : '';
  }
  expect(messageVi).toContain('đối tượng Nữ: các đơn vị trực thuộc được giao tổng cộng 0, phải bằng 12');
});

test('a malformed quota plan CSV is refused with lines and reasons', () => {
  expect(problemsOf(() => parseQuotaPlanCsv('unitId,name,army\n', 2026)).problems).toEqual([
    { line: 1, reason: 'dòng tiêu đề thiếu cột parentUnitId' },
    { line: 1, reason: 'dòng tiêu đề thiếu cột target' },
    { line: 1, reason: 'cột «army» không phải khối hoặc đối tượng nào' },
  ]);
  expect(problemsOf(() => parseQuotaPlanCsv('', 2026)).problems).toEqual([{ line: 1, reason: 'tệp trống' }]);
  const csv = ['unitId,parentUnitId,name,target,youth', ',,,x,1', 'A,,A,1', 'B,,B,1,1'].join('\n');
  expect(problemsOf(() => parseQuotaPlanCsv(csv, 2026)).problems).toEqual([
    { line: 2, reason: 'thiếu mã đơn vị' },
    { line: 2, reason: 'cột target: «x» không phải số nguyên không âm' },
    { line: 3, reason: 'có 4 cột, tiêu đề có 5 cột' },
    { line: 1, reason: 'cần đúng một đơn vị gốc (không có đơn vị cấp trên), có 2' },
  ]);
});
