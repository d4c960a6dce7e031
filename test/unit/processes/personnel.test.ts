import type { FreezeWindowRule } from '../../../domain/processes';
import { CONGRESS_FREEZE, checkFreezeWindow, designationV1 } from '../../../domain/processes';

/** The 6-month window of Chỉ thị 35-CT/TW (2019) [S36], unconfirmed for the 2025–2030 term. */
const windows = designationV1.rules!.freezeWindows!;

/** Kết luận 118 (18/1/2025) stopped additions to standing committees until the congress [S45]. */
const conclusion118: FreezeWindowRule = {
  kind: 'fixed',
  from: '2025-01-18',
  labelVi: 'Dừng bổ sung ủy viên ban thường vụ đến đại hội',
  basis: { citation: 'Kết luận 118-KL/TW (18/01/2025)', effectiveFrom: '2025-01-18', confirmed: false, note: '[S45]' },
};

describe('checkFreezeWindow', () => {
  it('ships the 6-month window as an unconfirmed rule', () => {
    expect(windows).toEqual([CONGRESS_FREEZE]);
    expect(CONGRESS_FREEZE).toMatchObject({ kind: 'beforeCongress', months: 6, basis: { confirmed: false } });
  });

  it('freezes from 6 calendar months before the congress until the day before it', () => {
    // Congress on 2025-10-15: 2025-10-15 − 6 months = 2025-04-15; the last frozen day is 2025-10-14.
    const congressDate = '2025-10-15';
    expect(checkFreezeWindow({ startDate: '2025-04-14', congressDate, windows })).toEqual({ allowed: true });
    const first = checkFreezeWindow({ startDate: '2025-04-15', congressDate, windows });
    expect(first).toEqual({
      allowed: false,
      window: {
        labelVi: CONGRESS_FREEZE.labelVi,
        basis: CONGRESS_FREEZE.basis,
        from: '2025-04-15',
        until: '2025-10-14',
      },
      messageVi: `Ngày 15/04/2025 nằm trong thời gian «Dừng kiện toàn, bổ sung cấp ủy trong 6 tháng trước đại hội» (từ 15/04/2025 đến 14/10/2025, theo ${CONGRESS_FREEZE.basis.citation}): chỉ được bắt đầu khi cấp có thẩm quyền đồng ý trường hợp đặc biệt.`,
    });
    expect(checkFreezeWindow({ startDate: '2025-10-14', congressDate, windows }).allowed).toBe(false);
    expect(checkFreezeWindow({ startDate: '2025-10-15', congressDate, windows })).toEqual({ allowed: true });
  });

  it('counts back to the last day of a shorter month', () => {
    // Congress on 2025-08-31: 6 months earlier is February, which has no 31st → 2025-02-28.
    expect(checkFreezeWindow({ startDate: '2025-02-27', congressDate: '2025-08-31', windows }).allowed).toBe(true);
    expect(checkFreezeWindow({ startDate: '2025-02-28', congressDate: '2025-08-31', windows }).allowed).toBe(false);
  });

  it('lets a special case approved by the competent level through, and says so', () => {
    const specialCase = { reference: '123-CV/TU', approvedOn: '2025-05-02' };
    const result = checkFreezeWindow({ startDate: '2025-05-05', congressDate: '2025-10-15', windows, specialCase });
    expect(result).toEqual({
      allowed: true,
      specialCase,
      window: expect.objectContaining({ from: '2025-04-15', until: '2025-10-14' }) as unknown,
    });
  });

  it('cannot apply a window before a congress whose date is unknown', () => {
    expect(checkFreezeWindow({ startDate: '2025-05-05', windows })).toEqual({ allowed: true });
  });

  it('applies a fixed window until the congress, or until further notice when its date is unknown', () => {
    const fixedWindows = [conclusion118];
    expect(checkFreezeWindow({ startDate: '2025-01-17', windows: fixedWindows }).allowed).toBe(true);
    const open = checkFreezeWindow({ startDate: '2025-06-01', windows: fixedWindows });
    expect(open.allowed).toBe(false);
    expect(!open.allowed && open.messageVi).toContain('(từ 18/01/2025 đến khi có thông báo mới,');
    const beforeCongress = { startDate: '2025-06-01', congressDate: '2025-09-20', windows: fixedWindows };
    expect(checkFreezeWindow(beforeCongress)).toMatchObject({ allowed: false, window: { until: '2025-09-19' } });
    expect(checkFreezeWindow({ ...beforeCongress, startDate: '2025-09-20' }).allowed).toBe(true);
  });

  it('applies a fixed window with its own end', () => {
    const bounded: FreezeWindowRule = { ...conclusion118, until: '2025-03-31' };
    expect(checkFreezeWindow({ startDate: '2025-03-31', windows: [bounded] }).allowed).toBe(false);
    expect(checkFreezeWindow({ startDate: '2025-04-01', windows: [bounded] }).allowed).toBe(true);
  });

  it('refuses invalid dates', () => {
    expect(() => checkFreezeWindow({ startDate: '2025-02-30', windows })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }) as Error
    );
    expect(() => checkFreezeWindow({ startDate: '2025-02-03', congressDate: 'sau Tết', windows })).toThrow(
      expect.objectContaining({
        messageVi: 'Ngày bắt đầu hoặc ngày đại hội không phải ngày hợp lệ (YYYY-MM-DD).',
      }) as Error
    );
  });
});
