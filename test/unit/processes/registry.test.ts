import fc from 'fast-check';
import type { ProcessDefinition, ProcessRegistry } from '../../../domain/processes';
import {
  SHIPPED_DEFINITIONS,
  admissionV1,
  createDefaultRegistry,
  createProcessRegistry,
  designationV1,
} from '../../../domain/processes';

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A JSON copy of a shipped definition with another version number and date. */
function version(base: ProcessDefinition, n: number, effectiveFrom: string): ProcessDefinition {
  return { ...(JSON.parse(JSON.stringify(base)) as ProcessDefinition), version: n, effectiveFrom };
}

function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}

describe('resolve by date', () => {
  // Designation v1 applies from 2025-07-01; an edit v2 from 2026-01-01.
  const registry = createProcessRegistry([version(designationV1, 2, '2026-01-01'), designationV1]);

  it.each([
    ['2025-07-01', 1], // the first day of v1
    ['2025-12-31', 1], // the last day before v2
    ['2026-01-01', 2], // v2's first day
    ['2030-05-05', 2],
  ])('on %s uses version %d', (onDate, expected) => {
    expect(registry.resolve('personnel-designation', onDate).version).toBe(expected);
  });

  it('has no version before the first one, nor for an unknown process', () => {
    expect(errorOf(() => registry.resolve('personnel-designation', '2025-06-30'))).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Không có quy trình «personnel-designation» áp dụng vào ngày 2025-06-30.',
    });
    expect(errorOf(() => registry.resolve('generic:none', '2026-01-01'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a date that is not a date', () => {
    expect(errorOf(() => registry.resolve('personnel-designation', '31/12/2025'))).toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('gets a pinned version, lists versions oldest first', () => {
    expect(registry.get('personnel-designation', 1)).toEqual(designationV1);
    expect(registry.versions('personnel-designation').map((d) => d.version)).toEqual([1, 2]);
    expect(registry.versions('planning')).toEqual([]);
    expect(errorOf(() => registry.get('personnel-designation', 3))).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Không có phiên bản 3 của quy trình «personnel-designation».',
    });
  });

  it('resolves the latest version with effectiveFrom <= date, for any dates', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3100 }),
        (offsets, probe) => {
          // Versions on distinct days after designation's bases (2025-07-01), numbered in date order.
          const day = (n: number) => {
            const y = 2026 + Math.floor(n / 360);
            const m = 1 + Math.floor((n % 360) / 30);
            const d = 1 + (n % 30);
            return `${y}-${String(m).padStart(2, '0')}-${String(Math.min(d, 28)).padStart(2, '0')}`;
          };
          const dates = [...new Set(offsets.map(day))].sort();
          const reg = createProcessRegistry(dates.map((date, i) => version(designationV1, i + 1, date)));
          const onDate = day(probe);
          const expected = dates.filter((date) => date <= onDate).length;
          if (expected === 0) {
            expect(errorOf(() => reg.resolve('personnel-designation', onDate))).toMatchObject({ code: 'NOT_FOUND' });
          } else {
            expect(reg.resolve('personnel-designation', onDate).version).toBe(expected);
          }
        }
      )
    );
  });
});

describe('createProcessRegistry', () => {
  it('stores deep-frozen copies, leaving the caller’s objects alone', () => {
    const mine = version(designationV1, 1, '2025-07-01');
    const registry = createProcessRegistry([mine]);
    const stored = registry.get('personnel-designation', 1);
    expect(stored).not.toBe(mine);
    expect(Object.isFrozen(mine)).toBe(false);
    expect(isDeeplyFrozen(stored)).toBe(true);
  });

  it('refuses an invalid definition', () => {
    const broken = { ...version(designationV1, 1, '2025-07-01'), startStep: 'D9' };
    expect(errorOf(() => createProcessRegistry([broken]))).toMatchObject({ code: 'DEFINITION_INVALID' });
  });

  it('refuses gaps, duplicates and versions whose dates go backwards', () => {
    const conflicts: ProcessDefinition[][] = [
      [designationV1, version(designationV1, 3, '2026-01-01')],
      [designationV1, version(designationV1, 1, '2026-01-01')],
      [designationV1, version(designationV1, 2, '2025-07-01')],
    ];
    for (const definitions of conflicts) {
      expect(errorOf(() => createProcessRegistry(definitions))).toMatchObject({ code: 'CONFLICT' });
    }
    expect(errorOf(() => createProcessRegistry([version(designationV1, 2, '2026-01-01')]))).toMatchObject({
      messageVi: expect.stringContaining('phải đánh số 1, 2, ... liên tiếp') as unknown,
    });
  });

  it('holds every shipped definition', () => {
    const registry = createDefaultRegistry();
    for (const def of SHIPPED_DEFINITIONS) expect(registry.resolve(def.key, '2026-01-01')).toEqual(def);
  });
});

describe('withNewVersion: an administrator edits an unconfirmed rule', () => {
  const registry = createDefaultRegistry();
  const snapshot = JSON.parse(JSON.stringify(registry.get('admission', 1))) as ProcessDefinition;

  // The C5 background verification has no legal deadline (domain-research §3.2, unconfirmed): the province
  // sets 30 working days from 2026-03-01.
  const c5Deadline = {
    period: { unit: 'workingDays' as const, n: 30 },
    from: { event: 'stepOpened' as const },
    basis: {
      citation: 'Quy chế làm việc của Tỉnh ủy (sửa đổi 2026)',
      effectiveFrom: '2026-03-01',
      confirmed: false,
      note: 'Thời hạn do tỉnh quy định.',
    },
  };
  const ladder = { reminderBefore: { unit: 'workingDays' as const, n: 3 }, noticeAtDue: true, maxRounds: 0 };
  let next: { registry: ProcessRegistry; definition: ProcessDefinition };

  beforeAll(() => {
    next = registry.withNewVersion('admission', { steps: { C5: { deadline: c5Deadline, ladder } } }, '2026-03-01');
  });

  it('creates version 2 from the given date, with the edit', () => {
    expect(next.definition.version).toBe(2);
    expect(next.definition.effectiveFrom).toBe('2026-03-01');
    expect(next.definition.steps.find((s) => s.id === 'C5')!.deadline).toEqual(c5Deadline);
    expect(next.registry.get('admission', 2)).toBe(next.definition);
    expect(isDeeplyFrozen(next.definition)).toBe(true);
  });

  it('leaves version 1 untouched: a case started under it keeps its rules', () => {
    const v1 = next.registry.get('admission', 1);
    expect(v1).toBe(registry.get('admission', 1));
    expect(v1).toEqual(snapshot);
    expect(v1.steps.find((s) => s.id === 'C5')!.deadline).toBeUndefined();
    expect(isDeeplyFrozen(v1)).toBe(true);
    // A case that started on 2026-02-27 pinned version 1; one starting on 2026-03-02 gets version 2.
    expect(next.registry.resolve('admission', '2026-02-27').version).toBe(1);
    expect(next.registry.resolve('admission', '2026-03-02').version).toBe(2);
  });

  it('leaves the original registry as it was', () => {
    expect(registry.versions('admission')).toHaveLength(1);
    expect(registry.resolve('admission', '2026-03-02').version).toBe(1);
  });

  it('keeps later edits of the caller’s objects out of the stored version', () => {
    c5Deadline.period.n = 99;
    expect(next.definition.steps.find((s) => s.id === 'C5')!.deadline!.period).toEqual({ unit: 'workingDays', n: 30 });
  });

  it('removes optional fields and rules, removes and adds steps, and changes the head of the definition', () => {
    const newBasis = { ...admissionV1.basis, citation: 'Điều lệ Đảng (sửa đổi)' };
    const c1 = admissionV1.steps[0]!;
    const { definition } = registry.withNewVersion(
      'admission',
      {
        titleVi: 'Kết nạp đảng viên (2026)',
        basis: newBasis,
        ladderBasis: { ...admissionV1.ladderBasis, note: 'Tỉnh điều chỉnh' },
        startStep: 'C0',
        rules: { eligibility: null, recognition: null },
        steps: { C8: { onReturn: null, documents: null }, C2: { next: { approved: 'C4' } } },
        removeSteps: ['C3'],
        addSteps: [{ after: 'C2', step: { ...c1, id: 'C0', next: { approved: 'C1', refused: 'REFUSED' } } }],
      },
      '2026-06-01'
    );
    expect(definition.titleVi).toBe('Kết nạp đảng viên (2026)');
    expect(definition.basis).toEqual(newBasis);
    expect(definition.ladderBasis.note).toBe('Tỉnh điều chỉnh');
    expect(definition.startStep).toBe('C0');
    expect(definition.rules).toEqual({});
    const c8 = definition.steps.find((s) => s.id === 'C8')!;
    expect('onReturn' in c8 || 'documents' in c8).toBe(false);
    expect(definition.steps.map((s) => s.id).slice(0, 4)).toEqual(['C1', 'C2', 'C0', 'C4']);
  });

  it('adds a rule to a definition that had none', () => {
    const windows = designationV1.rules!.freezeWindows!;
    const { definition } = createProcessRegistry([admissionV1]).withNewVersion(
      'admission',
      { rules: { freezeWindows: windows } },
      '2026-06-01'
    );
    expect(definition.rules).toEqual({ eligibility: admissionV1.rules!.eligibility, freezeWindows: windows });
    const bare = createProcessRegistry([{ ...version(admissionV1, 1, '2025-01-20'), rules: undefined }]);
    expect(
      bare.withNewVersion('admission', { rules: { freezeWindows: windows } }, '2026-06-01').definition.rules
    ).toEqual({
      freezeWindows: windows,
    });
  });

  it('refuses an edit that makes the definition inconsistent, and the registry stays as it was', () => {
    expect(
      errorOf(() =>
        registry.withNewVersion('admission', { steps: { C11: { next: { approved: 'C99' } } } }, '2026-03-01')
      )
    ).toMatchObject({ code: 'DEFINITION_INVALID' });
    expect(registry.versions('admission')).toHaveLength(1);
  });

  it('refuses edits of steps that do not exist', () => {
    const error = errorOf(() =>
      registry.withNewVersion(
        'admission',
        {
          steps: { C99: { title: 'x' } },
          removeSteps: ['C98'],
          addSteps: [{ after: 'C97', step: { ...admissionV1.steps[0]!, id: 'N1' } }],
        },
        '2026-03-01'
      )
    );
    expect(error).toMatchObject({
      code: 'DEFINITION_INVALID',
      messageVi:
        'Không tạo được phiên bản mới của quy trình «Kết nạp đảng viên»: Không có bước «C99» để sửa. Không có bước «C98» để xóa. Không có bước «C97» để thêm bước «N1» vào sau.',
    });
  });

  it('refuses a date that is not after the latest version, or not a date', () => {
    // The same day as version 1 would make two versions in force at once; an earlier day would rewrite the past.
    for (const date of ['2025-01-20', '2024-12-31']) {
      expect(errorOf(() => registry.withNewVersion('admission', {}, date))).toMatchObject({ code: 'CONFLICT' });
    }
    expect(errorOf(() => registry.withNewVersion('admission', {}, 'mai'))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(errorOf(() => next.registry.withNewVersion('admission', {}, '2026-02-28'))).toMatchObject({
      messageVi:
        'Phiên bản mới của quy trình «Kết nạp đảng viên» phải áp dụng từ một ngày sau 2026-03-01 (ngày áp dụng của phiên bản 2).',
    });
  });

  it('refuses a new version of an unknown process', () => {
    expect(errorOf(() => registry.withNewVersion('generic:none', {}, '2026-03-01'))).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Không có quy trình «generic:none».',
    });
  });
});
