import { attendanceByCommittee, cellsWithoutMeeting, monthOf, type MeetingRecord } from '../../../domain/quotas';

const records: MeetingRecord[] = [
  { cellId: 'K1', date: '2026-03-05', present: 18, total: 20 },
  { cellId: 'K2', date: '2026-03-28', present: 9, total: 12 },
  { cellId: 'K1', date: '2026-04-04', present: 20, total: 20 },
  { cellId: 'K1', date: '2026-04-20', present: 1, total: 20 }, // a second record in a month counts once
  { cellId: 'K9', date: '2026-03-01', present: 5, total: 5 }, // an unknown cell is ignored
];

test('cells with no meeting in a month are flagged', () => {
  expect(monthOf('2026-03-05')).toBe('2026-03');
  expect(cellsWithoutMeeting(['K1', 'K2', 'K3'], records, '2026-03')).toEqual(['K3']);
  expect(cellsWithoutMeeting(['K1', 'K2', 'K3'], records, '2026-04')).toEqual(['K2', 'K3']);
});

test('attendance by committee, hand-computed', () => {
  const stats = attendanceByCommittee({ K1: 'X', K2: 'X', K3: 'Y' }, records, ['2026-03', '2026-04']);
  // X: 2 cells × 2 months = 4 expected; held K1-03, K2-03, K1-04 = 3; present 18+9+20 = 47 of 20+12+20 = 52 → 90.4 %.
  expect(stats).toEqual([
    {
      committeeId: 'X',
      cells: 2,
      expectedMeetings: 4,
      meetings: 3,
      missed: 1,
      present: 47,
      total: 52,
      attendancePct: 90.4,
    },
    { committeeId: 'Y', cells: 1, expectedMeetings: 2, meetings: 0, missed: 2, present: 0, total: 0, attendancePct: 0 },
  ]);
});
