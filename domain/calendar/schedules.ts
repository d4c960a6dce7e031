/**
 * The yearly schedules of days off decided by the Government for civil servants (lịch nghỉ lễ, tết và
 * hoán đổi ngày làm việc). They are plain data: an administrator enters a new year's schedule when it
 * is published, without a code change, and it replaces the computed default for that whole year.
 */
import type { IsoDate, LegalBasis } from '../types';
import { daysFromCivil, fromDayNumber, parseIsoDate, weekdayOfDayNumber } from './days';
import { CalendarError } from './errors';
import { formatDateVi } from './format';
import { LUNAR_MAX_YEAR, LUNAR_MIN_YEAR } from './lunar';

export interface YearSchedule {
  year: number;
  /**
   * Every weekday off in the year: holidays, compensatory days (nghỉ bù) and weekdays swapped away
   * (hoán đổi). Saturdays and Sundays are off anyway; listing them changes nothing.
   */
  daysOff: IsoDate[];
  /** Saturdays or Sundays worked in exchange for a weekday off (ngày làm bù). */
  workingDays: IsoDate[];
  basis: LegalBasis;
}

/**
 * 2025, as announced: no source for it in domain-research.md, so only press reports back it.
 * - Tết Dương lịch: Wed 01/01 (one day, no swap).
 * - Tết Ất Tỵ: off Sat 25/01 – Sun 02/02 (9 days, no make-up day): the 5 days of Tết are Mon 27/01 – Fri
 *   31/01 (28 tháng Chạp – mùng 3), so the computed default (Tue 28/01 – Sat 01/02, nghỉ bù Mon 03/02)
 *   does not apply.
 * - Giỗ Tổ Hùng Vương: Mon 07/04 (10/3 Ất Tỵ).
 * - 30/4 – 1/5: off Wed 30/04 – Sun 04/05; Fri 02/05 swapped with Sat 26/04.
 * - Quốc khánh: off Sat 30/08 – Tue 02/09 (Mon 01/09 and Tue 02/09).
 */
const SCHEDULE_2025: YearSchedule = {
  year: 2025,
  daysOff: [
    '2025-01-01',
    '2025-01-27',
    '2025-01-28',
    '2025-01-29',
    '2025-01-30',
    '2025-01-31',
    '2025-04-07',
    '2025-04-30',
    '2025-05-01',
    '2025-05-02',
    '2025-09-01',
    '2025-09-02',
  ],
  workingDays: ['2025-04-26'],
  basis: {
    citation:
      'Công văn 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ ' +
      'về nghỉ Tết Âm lịch và một số dịp nghỉ lễ năm 2025',
    source:
      'https://pld.net.vn/tag/nghi-tet-nguyen-dan.html ; ' +
      'https://aeonmall-tanphuceladon-en.com/tin-tuc/nghi-le-30-04-01-05-lien-tiep-trong-5-ngay',
    effectiveFrom: '2025-01-01',
    confirmed: false,
    note:
      'Theo tin báo chí, chưa đối chiếu văn bản gốc. Chưa rõ hoán đổi 02/5 ↔ 26/4 và lịch Quốc khánh có nằm ' +
      'trong Công văn 8726/VPCP-KGVX hay trong văn bản riêng.',
  },
};

/**
 * 2026, from domain-research.md §6.2 (as reported by the press):
 * - Tết Dương lịch: Thu 01/01 – Sun 04/01; Fri 02/01 swapped with Sat 10/01 [S88].
 * - Tết Bính Ngọ: off Sat 14/02 – Sun 22/02, weekdays Mon 16/02 – Fri 20/02 (29 tháng Chạp – mùng 4) [S87].
 * - Giỗ Tổ Hùng Vương: Sun 26/04 → nghỉ bù Mon 27/04 [S89].
 * - 30/4 – 1/5: Thu 30/04 and Fri 01/05 [S89].
 * - Quốc khánh: Wed 02/09 and one adjacent day, not yet known; Tue 01/09 assumed [S90].
 */
const SCHEDULE_2026: YearSchedule = {
  year: 2026,
  daysOff: [
    '2026-01-01',
    '2026-01-02',
    '2026-02-16',
    '2026-02-17',
    '2026-02-18',
    '2026-02-19',
    '2026-02-20',
    '2026-04-27',
    '2026-04-30',
    '2026-05-01',
    '2026-09-01',
    '2026-09-02',
  ],
  workingDays: ['2026-01-10'],
  basis: {
    citation:
      'Lịch nghỉ lễ, Tết năm 2026 của cán bộ, công chức, viên chức; ' +
      'Tết Dương lịch: Công văn 12729/VPCP-KGVX ngày 25/12/2025',
    source:
      'http://www.congan.com.vn/?catid=702&id=388656&mod=detnews ; https://www.collector.com.tr//965292743 ; ' +
      'https://thanhnien.vn/gio-to-hung-vuong-304-15-quoc-khanh-29-nam-2026-duoc-nghi-may-ngay-185260223083506397.htm',
    effectiveFrom: '2026-01-01',
    confirmed: false,
    note:
      'Theo tin báo chí, chưa đối chiếu văn bản gốc. Ngày nghỉ liền kề Quốc khánh 02/9/2026 chưa xác định: ' +
      'tạm lấy thứ Ba 01/9 (Bộ Nội vụ từng đề xuất nghỉ 5 ngày). Ngày Văn hóa Việt Nam 24/11 chưa được luật ' +
      'hóa nên chưa đưa vào.',
  },
};

/** The official schedules known when this was written. Later years are added as data by an administrator. */
export const OFFICIAL_SCHEDULES: readonly YearSchedule[] = [SCHEDULE_2025, SCHEDULE_2026];

function invalid(message: string): CalendarError {
  return new CalendarError('INVALID_SCHEDULE', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The day numbers of a list of dates of the schedule's year, sorted, duplicates dropped. */
function readDates(value: unknown, year: number, field: string): number[] {
  if (!Array.isArray(value)) throw invalid(`Lịch nghỉ năm ${year}: "${field}" phải là một danh sách ngày.`);
  const days = value.map((date: unknown) => {
    let parsed;
    try {
      parsed = parseIsoDate(date as IsoDate);
    } catch {
      throw new CalendarError(
        'INVALID_DATE',
        `Lịch nghỉ năm ${year}: ngày không hợp lệ "${String(date)}" trong "${field}" ` +
          '(cần một ngày có thật, dạng YYYY-MM-DD).'
      );
    }
    if (parsed.year !== year) {
      throw new CalendarError(
        'SCHEDULE_DATE_OUTSIDE_YEAR',
        `Lịch nghỉ năm ${year}: ngày ${formatDateVi(date as IsoDate)} trong "${field}" không thuộc năm ${year}.`
      );
    }
    return daysFromCivil(parsed.year, parsed.month, parsed.day);
  });
  return [...new Set(days)].sort((a, b) => a - b);
}

function readBasis(value: unknown, year: number): LegalBasis {
  if (
    !isRecord(value) ||
    typeof value.citation !== 'string' ||
    value.citation.trim() === '' ||
    typeof value.confirmed !== 'boolean' ||
    typeof value.effectiveFrom !== 'string' ||
    (value.source !== undefined && typeof value.source !== 'string') ||
    (value.note !== undefined && typeof value.note !== 'string')
  ) {
    throw invalid(
      `Lịch nghỉ năm ${year}: thiếu căn cứ pháp lý (basis) hợp lệ: cần trích dẫn (citation), ngày áp dụng ` +
        `(effectiveFrom) và trạng thái đã đối chiếu (confirmed).`
    );
  }
  parseIsoDate(value.effectiveFrom);
  const { citation, source, effectiveFrom, confirmed, note } = value;
  return {
    citation,
    effectiveFrom,
    confirmed,
    ...(source === undefined ? {} : { source }),
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * Checks a schedule coming from outside (an administrator's form, the database) and returns a clean copy
 * with sorted lists. Throws a CalendarError, with a message in Vietnamese, on the first fault.
 */
export function validateYearSchedule(input: unknown): YearSchedule {
  if (!isRecord(input)) {
    throw invalid('Lịch nghỉ năm không hợp lệ: cần một đối tượng { year, daysOff, workingDays, basis }.');
  }
  const { year } = input;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < LUNAR_MIN_YEAR || year > LUNAR_MAX_YEAR) {
    throw invalid(
      `Lịch nghỉ năm không hợp lệ: năm "${String(year)}" phải là số nguyên từ ${LUNAR_MIN_YEAR} đến ${LUNAR_MAX_YEAR}.`
    );
  }
  const daysOff = readDates(input.daysOff, year, 'daysOff');
  const workingDays = readDates(input.workingDays, year, 'workingDays');
  for (const day of workingDays) {
    const date = formatDateVi(fromDayNumber(day));
    if (daysOff.includes(day)) {
      throw new CalendarError(
        'SCHEDULE_DATE_CONFLICT',
        `Lịch nghỉ năm ${year}: ngày ${date} vừa là ngày nghỉ vừa là ngày làm việc.`
      );
    }
    const wd = weekdayOfDayNumber(day);
    if (wd !== 0 && wd !== 6) {
      throw new CalendarError(
        'SCHEDULE_WORKING_DAY_NOT_WEEKEND',
        `Lịch nghỉ năm ${year}: ngày làm bù ${date} phải là thứ Bảy hoặc Chủ nhật (ngày thường vốn là ngày làm việc).`
      );
    }
  }
  return {
    year,
    daysOff: daysOff.map(fromDayNumber),
    workingDays: workingDays.map(fromDayNumber),
    basis: readBasis(input.basis, year),
  };
}
