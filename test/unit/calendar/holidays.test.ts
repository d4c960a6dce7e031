import {
  COMPUTED_SCHEDULE_BASIS,
  OFFICIAL_SCHEDULES,
  computedYearSchedule,
  publicHolidays,
  weekday,
} from '../../../domain/calendar';

const dates = (year: number): string[] => publicHolidays(year).map((h) => h.date);

describe('publicHolidays: Labour Code 2019 Art. 112(1) with nghỉ bù (Art. 111(3)), computed', () => {
  it('2026: the computed default gives the weekdays off the press reported (except 02/01, a swap)', () => {
    // Tết Bính Ngọ is Tue 17/02/2026 and month 12 of Ất Tỵ has 29 days, so the 5 days of Tết are
    // Mon 16/02 (29 tháng Chạp) – Fri 20/02 (mùng 4): all weekdays, no nghỉ bù (S87).
    // Giỗ Tổ 10/3 Bính Ngọ is Sun 26/04, so Mon 27/04 is nghỉ bù (S89).
    expect(publicHolidays(2026)).toEqual([
      { date: '2026-01-01', name: 'Tết Dương lịch' },
      { date: '2026-02-16', name: 'Tết Nguyên đán' },
      { date: '2026-02-17', name: 'Tết Nguyên đán' },
      { date: '2026-02-18', name: 'Tết Nguyên đán' },
      { date: '2026-02-19', name: 'Tết Nguyên đán' },
      { date: '2026-02-20', name: 'Tết Nguyên đán' },
      { date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương' },
      { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương' },
      { date: '2026-04-30', name: 'Ngày Chiến thắng' },
      { date: '2026-05-01', name: 'Ngày Quốc tế Lao động' },
      { date: '2026-09-01', name: 'Quốc khánh' },
      { date: '2026-09-02', name: 'Quốc khánh' },
    ]);
  });

  it('2027: a Tết over a weekend gives two compensatory days, 1/5 on Saturday one', () => {
    // Tết Đinh Mùi is Sat 06/02/2027; the 5 days are Fri 05/02 (last day of Bính Ngọ) – Tue 09/02.
    // Sat 06/02 → the next day that is neither weekend nor holiday: Wed 10/02; Sun 07/02 → Thu 11/02.
    // 01/05/2027 is a Saturday → Mon 03/05. 01/01 is a Friday, 30/04 a Friday, 01/09–02/09 Wed–Thu.
    expect(dates(2027)).toEqual([
      '2027-01-01',
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-02-09',
      '2027-02-10',
      '2027-02-11',
      '2027-04-16',
      '2027-04-30',
      '2027-05-01',
      '2027-05-03',
      '2027-09-01',
      '2027-09-02',
    ]);
    expect(weekday('2027-02-06')).toBe(6);
    expect(weekday('2027-05-01')).toBe(6);
  });

  it('2028: nghỉ bù skips a day that is itself a holiday', () => {
    // 01/01/2028 is a Saturday → Mon 03/01. Tết Mậu Thân is Wed 26/01: the days are Tue 25/01 – Sat 29/01,
    // so Mon 31/01 is nghỉ bù. 30/04 is a Sunday, but Mon 01/05 is a holiday itself → Tue 02/05.
    // 02/09 is a Saturday (01/09 a Friday) → Mon 04/09.
    const holidays = publicHolidays(2028);
    expect(holidays.filter((h) => h.name.startsWith('Nghỉ bù'))).toEqual([
      { date: '2028-01-03', name: 'Nghỉ bù Tết Dương lịch' },
      { date: '2028-01-31', name: 'Nghỉ bù Tết Nguyên đán' },
      { date: '2028-05-02', name: 'Nghỉ bù Ngày Chiến thắng' },
      { date: '2028-09-04', name: 'Nghỉ bù Quốc khánh' },
    ]);
  });
});

describe('computedYearSchedule', () => {
  it('lists the weekdays off, and no swapped working day', () => {
    // 2025 computed: Tết Ất Tỵ is Wed 29/01, the days Tue 28/01 – Sat 01/02, nghỉ bù Mon 03/02.
    // (The official 2025 schedule instead gives Mon 27/01 – Fri 31/01: see working-calendar.test.ts.)
    expect(computedYearSchedule(2025)).toEqual({
      year: 2025,
      daysOff: [
        '2025-01-01',
        '2025-01-28',
        '2025-01-29',
        '2025-01-30',
        '2025-01-31',
        '2025-02-03',
        '2025-04-07',
        '2025-04-30',
        '2025-05-01',
        '2025-09-01',
        '2025-09-02',
      ],
      workingDays: [],
      basis: COMPUTED_SCHEDULE_BASIS,
    });
  });

  it('is marked unconfirmed: the adjacent day of Quốc khánh and the Tết days are choices of ours', () => {
    expect(COMPUTED_SCHEDULE_BASIS.confirmed).toBe(false);
    expect(COMPUTED_SCHEDULE_BASIS.note).toContain('01/9');
  });

  it('counts a day once when two holidays fall on it (10/3 lunar was 30/04 in 1947)', () => {
    const daysOff = computedYearSchedule(1947).daysOff;
    expect(daysOff.filter((d) => d === '1947-04-30')).toHaveLength(1);
    expect(new Set(daysOff).size).toBe(daysOff.length);
  });

  it('agrees with the official 2026 schedule but for the swap of Tết Dương lịch', () => {
    const official = OFFICIAL_SCHEDULES.find((s) => s.year === 2026)!;
    expect(official.daysOff.filter((d) => !computedYearSchedule(2026).daysOff.includes(d))).toEqual(['2026-01-02']);
  });
});
