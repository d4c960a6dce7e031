import fc from 'fast-check';
import { isDomainError } from '../../../domain/errors';
import type { StepDefinition } from '../../../domain/processes';
import {
  ADMISSION_ELIGIBILITY,
  addCalendarMonths,
  admissionV1,
  checkAdmissionEligibility,
  checkStepDocuments,
} from '../../../domain/processes';

const c8 = admissionV1.steps.find((s) => s.id === 'C8')!;

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('checkAdmissionEligibility (QĐ 232: from 18 to 60 years, in full months, on the day of C8)', () => {
  it('is 17 years 11 months the day before the 18th birthday, and eligible on it', () => {
    // Born 2008-03-15: on 2026-03-14 the 216th month is not complete yet (215 months).
    expect(checkAdmissionEligibility({ birthDate: '2008-03-15', voteDate: '2026-03-14' })).toEqual({
      ageMonths: 215,
      eligible: false,
      violations: [
        {
          code: 'UNDER_MIN_AGE',
          messageVi: 'Người vào Đảng mới 17 tuổi 11 tháng vào ngày chi bộ xét (14/03/2026); phải đủ 18 tuổi.',
        },
      ],
    });
    expect(checkAdmissionEligibility({ birthDate: '2008-03-15', voteDate: '2026-03-15' })).toEqual({
      ageMonths: 216,
      eligible: true,
      violations: [],
    });
  });

  it('counts a birthday on the 31st complete on the last day of a short month', () => {
    // Born 2008-01-31: 18 years on 2026-01-31 (216); 2026-02-28 completes the 217th month.
    expect(checkAdmissionEligibility({ birthDate: '2008-01-31', voteDate: '2026-02-28' }).ageMonths).toBe(217);
  });

  it('accepts exactly 60 years and refuses 60 years 1 month without the province’s written consent', () => {
    // Born 1966-05-20: 720 months on 2026-05-20, 721 on 2026-06-20.
    expect(checkAdmissionEligibility({ birthDate: '1966-05-20', voteDate: '2026-06-19' }).eligible).toBe(true);
    const over = checkAdmissionEligibility({ birthDate: '1966-05-20', voteDate: '2026-06-20' });
    expect(over.ageMonths).toBe(721);
    expect(over.violations).toEqual([
      {
        code: 'OVER_MAX_AGE',
        messageVi:
          'Người vào Đảng đã 60 tuổi 1 tháng vào ngày chi bộ xét (20/06/2026), quá 60 tuổi: cần Ban Thường vụ Tỉnh ủy đồng ý bằng văn bản trước khi quyết định kết nạp.',
      },
    ]);
    expect(
      checkAdmissionEligibility({ birthDate: '1966-05-20', voteDate: '2026-06-20', overAgeConsent: true }).eligible
    ).toBe(true);
  });

  it('shows 0 rather than a negative age for a birth date after the vote', () => {
    const result = checkAdmissionEligibility({ birthDate: '2027-01-01', voteDate: '2026-06-20' });
    expect(result.violations[0]!.messageVi).toContain('mới 0 tuổi');
  });

  it('uses the limits of the version it is given', () => {
    const rule = { ...ADMISSION_ELIGIBILITY, minAgeMonths: 17 * 12 + 6 };
    expect(checkAdmissionEligibility({ birthDate: '2008-03-15', voteDate: '2025-09-15' }, rule).eligible).toBe(true);
  });

  it('is eligible exactly when 216 <= full months <= 720 (or with consent above)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 27 }), (months, extraDays) => {
        const birthDate = '1960-01-01';
        // A vote day within the month after the anniversary keeps the count at `months`.
        const voteDate = addCalendarMonths(birthDate, months).replace(
          /-01$/,
          `-${String(1 + extraDays).padStart(2, '0')}`
        );
        const result = checkAdmissionEligibility({ birthDate, voteDate });
        expect(result.ageMonths).toBe(months);
        expect(result.eligible).toBe(months >= 216 && months <= 720);
      })
    );
  });

  it('refuses a date that is not a date', () => {
    const error = errorOf(() => checkAdmissionEligibility({ birthDate: '2008-02-30', voteDate: '2026-03-14' }));
    expect(isDomainError(error) && error.code).toBe('INVALID_INPUT');
    expect(errorOf(() => checkAdmissionEligibility({ birthDate: '2008-02-01', voteDate: '14/03/2026' }))).toMatchObject(
      {
        code: 'INVALID_INPUT',
      }
    );
  });
});

describe('checkStepDocuments at C8 (HD 01-HD/TW: 12 months; certificate 60 months)', () => {
  const complete = [
    { code: 'AWARENESS_CERTIFICATE', issuedOn: '2022-03-11' },
    { code: 'APPLICATION', issuedOn: '2025-03-01' },
    { code: 'PERSONAL_HISTORY', issuedOn: '2025-03-01' },
    { code: 'VERIFICATION', issuedOn: '2025-05-01' },
    { code: 'INTRODUCTION', issuedOn: '2025-03-10' },
    { code: 'COMPILED_OPINIONS', issuedOn: '2025-06-01' },
  ];

  it('accepts documents on the last day of their validity', () => {
    // Introduction of 2025-03-10 + 12 months = 2026-03-10; certificate of 2022-03-11 + 60 months = 2027-03-11.
    const result = checkStepDocuments(c8, complete, '2026-03-10');
    expect(result).toEqual({ ok: true, missing: [], stale: [], returnReasons: [], messagesVi: [] });
  });

  it('finds the introduction too old the day after, and calls for redoing it (STALE_DOCUMENTS → C6)', () => {
    const result = checkStepDocuments(c8, complete, '2026-03-11');
    expect(result.ok).toBe(false);
    expect(result.stale.map((s) => [s.document.code, s.validUntil])).toEqual([['INTRODUCTION', '2026-03-10']]);
    expect(result.returnReasons).toEqual(['STALE_DOCUMENTS']);
    expect(result.messagesVi).toEqual([
      'Giấy giới thiệu người vào Đảng (mẫu 3-KNĐ) ban hành ngày 10/03/2025 đã quá 12 tháng (hết giá trị sau ngày 10/03/2026), phải làm lại.',
    ]);
  });

  it('lists each return reason once, in step order', () => {
    // On 2027-06-02: certificate (valid to 2027-03-11), introduction and opinions (to 2026-06-01) are all too old.
    const result = checkStepDocuments(c8, complete, '2027-06-02');
    expect(result.stale.map((s) => s.document.code)).toEqual([
      'AWARENESS_CERTIFICATE',
      'INTRODUCTION',
      'COMPILED_OPINIONS',
    ]);
    expect(result.returnReasons).toEqual(['EXPIRED_CERTIFICATE', 'STALE_DOCUMENTS']);
  });

  it('uses the newest of several copies, and never reports a conditional document missing', () => {
    const redone = [
      ...complete,
      { code: 'INTRODUCTION', issuedOn: '2026-01-05' },
      { code: 'INTRODUCTION', issuedOn: '2025-01-01' },
    ];
    expect(checkStepDocuments(c8, redone, '2026-03-11').ok).toBe(true);
    // The union resolution (4-KNĐ) is needed only for union-age applicants; when given, its age is checked.
    const withUnion = [...complete, { code: 'UNION_RESOLUTION', issuedOn: '2024-12-01' }];
    expect(checkStepDocuments(c8, withUnion, '2026-03-10').stale.map((s) => s.document.code)).toEqual([
      'UNION_RESOLUTION',
    ]);
  });

  it('reports missing documents', () => {
    const result = checkStepDocuments(c8, complete.slice(1), '2026-03-10');
    expect(result.missing.map((d) => d.code)).toEqual(['AWARENESS_CERTIFICATE']);
    expect(result.messagesVi).toEqual(['Thiếu Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.']);
  });

  it('reports a stale document without a return reason, and a step without documents is always complete', () => {
    const c2 = admissionV1.steps.find((s) => s.id === 'C2')!;
    const result = checkStepDocuments(c2, [{ code: 'AWARENESS_CERTIFICATE', issuedOn: '2020-01-01' }], '2026-01-01');
    expect(result.stale).toHaveLength(1);
    expect(result.returnReasons).toEqual([]);
    const bare: StepDefinition = { ...c2, documents: undefined };
    expect(checkStepDocuments(bare, [], '2026-01-01').ok).toBe(true);
  });

  it('refuses invalid dates', () => {
    expect(errorOf(() => checkStepDocuments(c8, complete, '2026-02-30'))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(
      errorOf(() => checkStepDocuments(c8, [{ code: 'APPLICATION', issuedOn: 'hôm qua' }], '2026-03-10'))
    ).toMatchObject({
      code: 'INVALID_INPUT',
      messageVi: 'Ngày xét hoặc ngày ban hành giấy tờ không phải ngày hợp lệ (YYYY-MM-DD).',
    });
  });
});
