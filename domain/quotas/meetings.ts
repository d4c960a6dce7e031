/**
 * Monthly cell meetings (sinh hoạt chi bộ thường kỳ, held with the electronic party-member handbook): the
 * chi bộ meets once a month, so a cell with no meeting recorded in a month is flagged and its committee
 * told; attendance is summed by committee.
 */
import type { IsoDate } from '../types';

/** One monthly meeting of a cell, as the handbook exports it. */
export interface MeetingRecord {
  cellId: string;
  date: IsoDate;
  present: number;
  total: number;
}

/** 'YYYY-MM' of a date. */
export const monthOf = (date: IsoDate): string => date.slice(0, 7);

/** The cells of `cellIds` with no meeting recorded in `month` ('YYYY-MM'), in the order given. */
export function cellsWithoutMeeting(
  cellIds: readonly string[],
  records: readonly MeetingRecord[],
  month: string
): string[] {
  const met = new Set(records.filter((r) => monthOf(r.date) === month).map((r) => r.cellId));
  return cellIds.filter((id) => !met.has(id));
}

export interface AttendanceStats {
  committeeId: string;
  /** Cells of the committee expected to meet each month. */
  cells: number;
  /** Cell-months expected in the period (cells × months). */
  expectedMeetings: number;
  meetings: number;
  /** Cell-months with no meeting. */
  missed: number;
  present: number;
  total: number;
  /** present ÷ total in %, one decimal; 0 when nobody was expected. */
  attendancePct: number;
}

/**
 * Attendance by committee over `months`: meetings held, cell-months missed, members present out of those
 * expected. `committeeOf` maps each cell to its committee; records of cells it does not know are ignored.
 */
export function attendanceByCommittee(
  cellCommittee: Readonly<Record<string, string>>,
  records: readonly MeetingRecord[],
  months: readonly string[]
): AttendanceStats[] {
  const stats = new Map<string, AttendanceStats>();
  const statOf = (committeeId: string): AttendanceStats => {
    let s = stats.get(committeeId);
    if (!s) {
      s = {
        committeeId,
        cells: 0,
        expectedMeetings: 0,
        meetings: 0,
        missed: 0,
        present: 0,
        total: 0,
        attendancePct: 0,
      };
      stats.set(committeeId, s);
    }
    return s;
  };
  for (const committeeId of Object.values(cellCommittee)) {
    const s = statOf(committeeId);
    s.cells += 1;
    s.expectedMeetings += months.length;
  }
  const seen = new Set<string>();
  for (const r of records) {
    const committeeId = cellCommittee[r.cellId];
    if (committeeId === undefined || !months.includes(monthOf(r.date))) continue;
    const key = `${r.cellId}|${monthOf(r.date)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const s = statOf(committeeId);
    s.meetings += 1;
    s.present += r.present;
    s.total += r.total;
  }
  for (const s of stats.values()) {
    s.missed = s.expectedMeetings - s.meetings;
    s.attendancePct = s.total === 0 ? 0 : Math.round((s.present * 1000) / s.total) / 10;
  }
  return [...stats.values()].sort((a, b) =>
    a.committeeId < b.committeeId ? -1 : a.committeeId > b.committeeId ? 1 : 0
  );
}
