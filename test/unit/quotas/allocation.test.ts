import fc from 'fast-check';
import { isDomainError } from '../../../domain/errors';
import { childrenOf, planProblems, validateQuotaPlan, SECTORS, type QuotaPlan } from '../../../domain/quotas';
import { smallPlan } from './fixtures';

function refusal(plan: QuotaPlan): {
  messageVi: string;
  problems: { unitId: string; sector?: string; expected?: number; got?: number }[];
} {
  try {
    validateQuotaPlan(plan);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    expect(e.code).toBe('INVALID_INPUT');
    return { messageVi: e.messageVi, problems: e.details?.problems as never };
  }
  throw new Error('the plan was accepted');
}

test('a plan that adds up at every level is accepted', () => {
  expect(() => validateQuotaPlan(smallPlan())).not.toThrow();
  expect(childrenOf(smallPlan(), 'P').map((u) => u.unitId)).toEqual(['X', 'Y']);
});

test('a sector that does not add up is refused naming the unit, the sector, expected and got', () => {
  const plan = smallPlan();
  // Y gives 5 to state enterprises instead of 10, and 25 to pupils instead of 20: Y still totals 40.
  plan.units[2]!.sectors = { stateEnterprise: 5, nonStateEnterprise: 10, pupilsStudents: 25 };
  const { messageVi, problems } = refusal(plan);
  expect(problems).toEqual([
    expect.objectContaining({ unitId: 'P', sector: 'stateEnterprise', expected: 20, got: 15 }),
    expect.objectContaining({ unitId: 'P', sector: 'pupilsStudents', expected: 50, got: 55 }),
  ]);
  expect(messageVi).toContain(
    'Tỉnh ủy Quảng Nam (P), khối Doanh nghiệp nhà nước: các đơn vị trực thuộc được giao tổng cộng 15, phải bằng 20'
  );
});

test('children whose totals do not add up, and a unit whose sectors miss its target, are refused', () => {
  const plan = smallPlan();
  plan.units[1]!.target = 55;
  const { problems, messageVi } = refusal(plan);
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ unitId: 'P', expected: 100, got: 95 }),
      expect.objectContaining({ unitId: 'X', expected: 55, got: 60 }),
    ])
  );
  expect(messageVi).toContain(
    'Đảng ủy xã Duy Xuyên (X): tổng chỉ tiêu theo khối là 60, phải bằng chỉ tiêu của đơn vị là 55'
  );
});

test('groups must be handed down when the parent sets them, and never exceed the target', () => {
  const plan = smallPlan();
  plan.units[2]!.groups = { women: 10, youthUnion: 41 };
  const { problems } = refusal(plan);
  expect(problems).toEqual([
    expect.objectContaining({ unitId: 'P', group: 'women', expected: 40, got: 35 }),
    expect.objectContaining({ unitId: 'Y', group: 'youthUnion', expected: 40, got: 41 }),
  ]);
});

test('structural problems: duplicates, unknown parents, unknown sectors and groups, bad numbers, cycles, bad year', () => {
  const plan: QuotaPlan = {
    year: 1999,
    rootUnitId: 'R',
    units: [
      { unitId: 'P', name: 'P', target: 1, sectors: { youth: 1 }, parentUnitId: 'Q' },
      { unitId: 'Q', name: 'Q', target: 1, sectors: { youth: 1 }, parentUnitId: 'P' },
      { unitId: 'P', name: 'P bis', target: 1, sectors: { youth: 1 }, parentUnitId: 'Q' },
      { unitId: '', name: 'no id', target: 1, sectors: {} },
      { unitId: 'Z', name: 'Z', target: -1, sectors: {}, parentUnitId: 'nowhere' },
      {
        unitId: 'W',
        name: 'W',
        target: 2,
        sectors: { army: 1, youth: 1.5 } as never,
        groups: { aliens: 1 } as never,
        parentUnitId: 'P',
      },
    ],
  };
  const messages = planProblems(plan).map((p) => p.messageVi);
  expect(messages).toEqual(
    expect.arrayContaining([
      'Năm kế hoạch «1999» không hợp lệ',
      'Không có đơn vị gốc «R» trong kế hoạch',
      'Đơn vị P bis (P) được ghi hai lần',
      'Có đơn vị không có mã',
      'Z (Z): đơn vị cấp trên «nowhere» không có trong kế hoạch',
      'Z (Z): chỉ tiêu «-1» phải là số nguyên không âm',
      'W (W): không có khối «army»',
      'W (W), khối Thanh niên: chỉ tiêu «1.5» phải là số nguyên không âm',
      'W (W): không có đối tượng «aliens»',
    ])
  );
  const cyclic: QuotaPlan = {
    year: 2026,
    rootUnitId: 'R',
    units: [
      { unitId: 'R', name: 'R', target: 0, sectors: {} },
      { unitId: 'A', name: 'A', target: 0, sectors: {}, parentUnitId: 'B' },
      { unitId: 'B', name: 'B', target: 0, sectors: {}, parentUnitId: 'A' },
    ],
  };
  expect(planProblems(cyclic).map((p) => p.messageVi)).toEqual([
    'A (A) nằm trong một vòng lặp cấp trên',
    'B (B) nằm trong một vòng lặp cấp trên',
  ]);
  const rootWithParent: QuotaPlan = {
    year: 2026,
    rootUnitId: 'R',
    units: [{ unitId: 'R', name: 'R', target: 0, sectors: {}, parentUnitId: 'X' }],
  };
  expect(planProblems(rootWithParent).map((p) => p.messageVi)).toContain('Đơn vị gốc R không được có đơn vị cấp trên');
});

test('property: a plan built by splitting every sector of the root at random is accepted; moving one admission is refused', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat(50), { minLength: SECTORS.length, maxLength: SECTORS.length }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: SECTORS.length, maxLength: SECTORS.length }),
      (amounts, shares) => {
        const root: Partial<Record<(typeof SECTORS)[number], number>> = {};
        const a: typeof root = {};
        const b: typeof root = {};
        SECTORS.forEach((s, i) => {
          const n = amounts[i]!;
          root[s] = n;
          a[s] = Math.floor(n * shares[i]!);
          b[s] = n - a[s];
        });
        const sum = (o: typeof root): number => Object.values(o).reduce((x, y) => x + (y ?? 0), 0);
        const plan: QuotaPlan = {
          year: 2026,
          rootUnitId: 'P',
          units: [
            { unitId: 'P', name: 'P', target: sum(root), sectors: root },
            { unitId: 'A', name: 'A', parentUnitId: 'P', target: sum(a), sectors: a },
            { unitId: 'B', name: 'B', parentUnitId: 'P', target: sum(b), sectors: b },
          ],
        };
        expect(planProblems(plan)).toEqual([]);
        const moved = structuredClone(plan);
        moved.units[1]!.sectors.youth = (moved.units[1]!.sectors.youth ?? 0) + 1;
        moved.units[1]!.target += 1;
        expect(planProblems(moved).length).toBeGreaterThan(0);
      }
    )
  );
});
