import { committeeOf, tallyProgress, unitPath, type ProgressRecord } from '../../../domain/quotas';
import { BODY, buildOrg } from '../fixtures/org';
import { smallPlan } from './fixtures';

const org = buildOrg();

test('a unit path goes up the tree on the date; the committee is the body under the province', () => {
  expect(unitPath(org, BODY.cell, '2026-01-10')).toEqual([BODY.cell, BODY.grassroots, BODY.commune, BODY.province]);
  // Before the reform the fixture's bodies do not exist: the path stops at the unit.
  expect(unitPath(org, BODY.cell, '2025-01-01')).toEqual([BODY.cell]);
  expect(committeeOf(org, BODY.cell, '2026-01-10')).toBe(BODY.commune);
  expect(committeeOf(org, BODY.province, '2026-01-10')).toBe(BODY.province);
  const cyclic = {
    ...org,
    bodies: [...org.bodies, { id: 'A', name: 'A', kind: 'cell' as const, parentId: 'A', validFrom: '2025-07-01' }],
  };
  expect(unitPath(cyclic, 'A', '2026-01-10')).toEqual(['A']);
});

test('admissions, recognitions and removals count for the unit and every plan unit above it, in the period', () => {
  const records: ProgressRecord[] = [
    {
      kind: 'admission',
      id: 'a1',
      unitId: BODY.cell,
      decidedOn: '2026-02-03',
      sector: 'nonStateEnterprise',
      groups: ['women', 'women', 'youthUnion'],
    },
    { kind: 'admission', id: 'a2', unitId: BODY.cell, decidedOn: '2026-03-31' },
    { kind: 'admission', id: 'a3', unitId: BODY.commune, decidedOn: '2026-03-01', sector: 'pupilsStudents' },
    { kind: 'admission', id: 'late', unitId: BODY.cell, decidedOn: '2026-04-01', sector: 'youth' },
    { kind: 'admission', id: 'early', unitId: BODY.cell, decidedOn: '2025-12-31', sector: 'youth' },
    { kind: 'recognition', id: 'r1', unitId: BODY.cell, decidedOn: '2026-01-15' },
    { kind: 'removal', id: 'd1', unitId: BODY.grassroots, decidedOn: '2026-03-15' },
  ];
  const t = tallyProgress(smallPlan(), org, records, '2026-01-01', '2026-03-31');
  // G: a1, a2 (cell under G); X: a1, a2, a3; P: the same 3; Y: nothing.
  expect(t.G).toMatchObject({ admissions: 2, recognitions: 1, removals: 1 });
  expect(t.G!.bySector).toMatchObject({ nonStateEnterprise: 1, unspecified: 1, youth: 0 });
  expect(t.G!.byGroup).toEqual({ women: 1, ethnicMinority: 0, religious: 0, youthUnion: 1 });
  expect(t.X).toMatchObject({ admissions: 3, recognitions: 1, removals: 1 });
  expect(t.X!.bySector.pupilsStudents).toBe(1);
  expect(t.P!.admissions).toBe(3);
  expect(t.Y).toMatchObject({ admissions: 0, recognitions: 0, removals: 0 });
});
