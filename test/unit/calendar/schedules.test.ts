import { OFFICIAL_SCHEDULES, validateYearSchedule, weekday } from '../../../domain/calendar';
import type { YearSchedule } from '../../../domain/calendar';
import { calendarErrorCode } from './error-code';

const basis = { citation: 'Công văn thử nghiệm', effectiveFrom: '2027-01-01', confirmed: true };
const valid = (): YearSchedule => ({
  year: 2027,
  daysOff: ['2027-02-10', '2027-02-05'],
  workingDays: ['2027-02-20'],
  basis: { ...basis },
});

const codeOf = (input: unknown): string | undefined => calendarErrorCode(() => validateYearSchedule(input));

describe('the official schedules shipped as data', () => {
  const byYear = (year: number): YearSchedule => OFFICIAL_SCHEDULES.find((s) => s.year === year)!;

  it('are valid, already in normal form, and flagged as not checked against the official text', () => {
    for (const schedule of OFFICIAL_SCHEDULES) {
      expect(validateYearSchedule(schedule)).toEqual(schedule);
      expect(schedule.basis.confirmed).toBe(false);
      expect(schedule.basis.source).toBeDefined();
    }
  });

  it('2026 follows domain-research.md §6.2', () => {
    const s2026 = byYear(2026);
    // S88 (VPCP 12729/VPCP-KGVX as quoted by the press): Fri 02/01 off, Sat 10/01 worked.
    expect(s2026.daysOff).toEqual(expect.arrayContaining(['2026-01-01', '2026-01-02']));
    expect(s2026.workingDays).toEqual(['2026-01-10']);
    expect(weekday('2026-01-10')).toBe(6);
    // S87: Tết weekdays Mon 16/02 – Fri 20/02. S89: Giỗ Tổ nghỉ bù Mon 27/04; 30/04 Thu, 01/05 Fri.
    expect(s2026.daysOff).toEqual(
      expect.arrayContaining(['2026-02-16', '2026-02-20', '2026-04-27', '2026-04-30', '2026-05-01'])
    );
    // S90: the adjacent day of Quốc khánh is not known yet; 01/09 is assumed and the note says so.
    expect(s2026.daysOff).toEqual(expect.arrayContaining(['2026-09-01', '2026-09-02']));
    expect(s2026.basis.note).toContain('Quốc khánh 02/9/2026 chưa xác định');
    expect(s2026.basis.citation).toContain('12729/VPCP-KGVX');
  });

  it('2025 has Tết on 27–31/01 and the swap of Fri 02/05 with Sat 26/04 (press reports)', () => {
    const s2025 = byYear(2025);
    expect(s2025.daysOff).toEqual(
      expect.arrayContaining(['2025-01-27', '2025-01-31', '2025-04-07', '2025-05-02', '2025-09-01'])
    );
    expect(s2025.daysOff).not.toContain('2025-02-03');
    expect(s2025.workingDays).toEqual(['2025-04-26']);
    expect(s2025.basis.citation).toContain('8726/VPCP-KGVX');
  });
});

describe('validateYearSchedule', () => {
  it('returns a clean copy: sorted, without duplicates, weekend days off allowed', () => {
    const input = { ...valid(), daysOff: ['2027-02-10', '2027-02-05', '2027-02-10', '2027-02-06'] };
    expect(validateYearSchedule(input)).toEqual({
      year: 2027,
      daysOff: ['2027-02-05', '2027-02-06', '2027-02-10'],
      workingDays: ['2027-02-20'],
      basis,
    });
    const withExtras = { ...valid(), basis: { ...basis, source: 'https://example.vn', note: 'ghi chú' } };
    expect(validateYearSchedule(withExtras).basis).toEqual(withExtras.basis);
  });

  it('rejects what is not a schedule', () => {
    for (const input of [null, [], 'lịch', 2027]) expect(codeOf(input)).toBe('INVALID_SCHEDULE');
    expect(() => validateYearSchedule(null)).toThrow('cần một đối tượng { year, daysOff, workingDays, basis }');
  });

  it('rejects a year that is not an integer of 1900–2100', () => {
    for (const year of ['2027', 2027.5, 1899, 2101, undefined])
      expect(codeOf({ ...valid(), year })).toBe('INVALID_SCHEDULE');
    expect(() => validateYearSchedule({ ...valid(), year: 1899 })).toThrow(
      'năm "1899" phải là số nguyên từ 1900 đến 2100'
    );
  });

  it('rejects date lists that are not lists', () => {
    expect(codeOf({ ...valid(), daysOff: '2027-02-05' })).toBe('INVALID_SCHEDULE');
    expect(() => validateYearSchedule({ ...valid(), workingDays: undefined })).toThrow(
      'Lịch nghỉ năm 2027: "workingDays" phải là một danh sách ngày.'
    );
  });

  it('rejects malformed dates', () => {
    expect(codeOf({ ...valid(), daysOff: ['2027-02-30'] })).toBe('INVALID_DATE');
    expect(codeOf({ ...valid(), workingDays: [20270220] })).toBe('INVALID_DATE');
    expect(() => validateYearSchedule({ ...valid(), daysOff: ['05/02/2027'] })).toThrow(
      'Lịch nghỉ năm 2027: ngày không hợp lệ "05/02/2027" trong "daysOff"'
    );
  });

  it('rejects a date outside the year', () => {
    expect(codeOf({ ...valid(), daysOff: ['2026-12-31'] })).toBe('SCHEDULE_DATE_OUTSIDE_YEAR');
    expect(() => validateYearSchedule({ ...valid(), workingDays: ['2028-01-01'] })).toThrow(
      'Lịch nghỉ năm 2027: ngày 01/01/2028 trong "workingDays" không thuộc năm 2027.'
    );
  });

  it('rejects a date that is both off and worked', () => {
    expect(codeOf({ ...valid(), daysOff: ['2027-02-20'] })).toBe('SCHEDULE_DATE_CONFLICT');
    expect(() => validateYearSchedule({ ...valid(), daysOff: ['2027-02-20'] })).toThrow(
      'Lịch nghỉ năm 2027: ngày 20/02/2027 vừa là ngày nghỉ vừa là ngày làm việc.'
    );
  });

  it('rejects a swapped working day that is not a Saturday or Sunday', () => {
    // 19/02/2027 is a Friday: a weekday is a working day already.
    expect(codeOf({ ...valid(), workingDays: ['2027-02-19'] })).toBe('SCHEDULE_WORKING_DAY_NOT_WEEKEND');
    expect(() => validateYearSchedule({ ...valid(), workingDays: ['2027-02-19'] })).toThrow(
      'ngày làm bù 19/02/2027 phải là thứ Bảy hoặc Chủ nhật'
    );
    expect(codeOf({ ...valid(), workingDays: ['2027-02-21'] })).toBeUndefined(); // a Sunday may be swapped
  });

  it('requires a legal basis', () => {
    const withBasis = (b: unknown): unknown => ({ ...valid(), basis: b });
    expect(codeOf(withBasis(undefined))).toBe('INVALID_SCHEDULE');
    expect(codeOf(withBasis({ ...basis, citation: '  ' }))).toBe('INVALID_SCHEDULE');
    expect(codeOf(withBasis({ ...basis, citation: 3 }))).toBe('INVALID_SCHEDULE');
    expect(codeOf(withBasis({ ...basis, confirmed: 'yes' }))).toBe('INVALID_SCHEDULE');
    expect(codeOf(withBasis({ ...basis, effectiveFrom: 20270101 }))).toBe('INVALID_SCHEDULE');
    expect(codeOf(withBasis({ ...basis, source: 1 }))).toBe('INVALID_SCHEDULE');
    expect(codeOf(withBasis({ ...basis, note: false }))).toBe('INVALID_SCHEDULE');
    expect(codeOf(withBasis({ ...basis, effectiveFrom: '2027-13-01' }))).toBe('INVALID_DATE');
    expect(() => validateYearSchedule(withBasis(undefined))).toThrow('thiếu căn cứ pháp lý (basis) hợp lệ');
  });
});
