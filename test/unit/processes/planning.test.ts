import fc from 'fast-check';
import type { ExistingPlanEntry, PlanningProposal } from '../../../domain/processes';
import { PLANNING_RULES, checkPlanningProposal } from '../../../domain/processes';

const TERM = '2025–2030';

function plan(cadreId: string, positionCode: string, overrides: Partial<ExistingPlanEntry> = {}): ExistingPlanEntry {
  return {
    cadreId,
    cadreName: `Nguyễn Văn ${cadreId}`,
    positionCode,
    positionLabelVi: `Chức danh ${positionCode}`,
    level: 'cấp xã',
    term: TERM,
    status: 'approved',
    ...overrides,
  };
}

function proposal(...entries: PlanningProposal['entries']): PlanningProposal {
  return { term: TERM, entries };
}

function entry(cadreId: string, positionCode: string, withAppointment?: boolean): PlanningProposal['entries'][number] {
  const { term: _term, status: _status, ...candidate } = plan(cadreId, positionCode);
  return withAppointment === undefined ? candidate : { ...candidate, withAppointment };
}

describe('checkPlanningProposal (Quy định 377-QĐ/TW)', () => {
  it('accepts a third cadre for a position and refuses a fourth', () => {
    // BT-XA already has A and B: C makes 3 (allowed), D would make 4.
    const existing = [plan('A', 'BT-XA'), plan('B', 'BT-XA')];
    expect(checkPlanningProposal(proposal(entry('C', 'BT-XA')), existing)).toEqual([]);
    expect(checkPlanningProposal(proposal(entry('C', 'BT-XA'), entry('D', 'BT-XA')), existing)).toEqual([
      {
        code: 'TOO_MANY_CADRES_FOR_POSITION',
        messageVi:
          'Chức danh «Chức danh BT-XA» (nhiệm kỳ 2025–2030) sẽ có 4 cán bộ trong quy hoạch, vượt quá tối đa 3 cán bộ cho một chức danh (Quy định 377-QĐ/TW).',
      },
    ]);
  });

  it('does not count removed plans, plans of another term, or the same cadre twice', () => {
    const existing = [
      plan('A', 'BT-XA'),
      plan('B', 'BT-XA', { status: 'removed' }),
      plan('E', 'BT-XA', { term: '2020–2025' }),
      plan('F', 'BT-XA', { status: 'proposed' }),
    ];
    // Counted: A, F, and the proposal's C (twice in the proposal, once already as A's colleague) → 3.
    expect(checkPlanningProposal(proposal(entry('C', 'BT-XA'), entry('C', 'BT-XA')), existing)).toEqual([]);
  });

  it('refuses a fourth position for one cadre at the same level, but not at another level', () => {
    const existing = [plan('A', 'BT-XA'), plan('A', 'PBT-XA'), plan('A', 'CT-UBND-XA')];
    const fourth = checkPlanningProposal(proposal(entry('A', 'CT-HDND-XA')), existing);
    expect(fourth).toEqual([
      {
        code: 'TOO_MANY_POSITIONS_FOR_CADRE',
        messageVi:
          'Cán bộ Nguyễn Văn A sẽ được quy hoạch vào 4 chức danh cấp xã (nhiệm kỳ 2025–2030), vượt quá tối đa 3 chức danh cùng cấp (Quy định 377-QĐ/TW).',
      },
    ]);
    const otherLevel = { ...entry('A', 'PGD-SO'), level: 'cấp tỉnh' };
    expect(checkPlanningProposal(proposal(otherLevel), existing)).toEqual([]);
  });

  it('reports a position or a cadre once even when several entries break the same limit', () => {
    const existing = [plan('A', 'BT-XA'), plan('B', 'BT-XA'), plan('C', 'BT-XA')];
    const result = checkPlanningProposal(proposal(entry('D', 'BT-XA'), entry('E', 'BT-XA')), existing);
    expect(result.map((v) => v.code)).toEqual(['TOO_MANY_CADRES_FOR_POSITION']);
    expect(result[0]!.messageVi).toContain('sẽ có 5 cán bộ');
  });

  it('leaves alone a position already over the limit that the proposal does not touch', () => {
    const existing = ['A', 'B', 'C', 'D'].map((id) => plan(id, 'BT-XA'));
    expect(checkPlanningProposal(proposal(entry('E', 'PBT-XA')), existing)).toEqual([]);
  });

  it('refuses planning together with an appointment proposal, unless the rule is switched off', () => {
    const result = checkPlanningProposal(proposal(entry('A', 'BT-XA', true), entry('B', 'BT-XA', false)), []);
    expect(result).toEqual([
      {
        code: 'PLANNED_WITH_APPOINTMENT',
        messageVi:
          'Không quy hoạch đồng thời với đề xuất bổ nhiệm, giới thiệu ứng cử: cán bộ Nguyễn Văn A, chức danh «Chức danh BT-XA» (Quy định 377-QĐ/TW).',
      },
    ]);
    expect(
      checkPlanningProposal(proposal(entry('A', 'BT-XA', true)), [], {
        ...PLANNING_RULES,
        forbidWithAppointment: false,
      })
    ).toEqual([]);
  });

  it('uses the limits of the version it is given', () => {
    const existing = [plan('A', 'BT-XA'), plan('B', 'BT-XA')];
    const rules = { ...PLANNING_RULES, maxCadresPerPosition: 2 };
    expect(checkPlanningProposal(proposal(entry('C', 'BT-XA')), existing, rules).map((v) => v.code)).toEqual([
      'TOO_MANY_CADRES_FOR_POSITION',
    ]);
  });

  it('finds a position violation exactly when more than 3 distinct cadres would hold it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('A', 'B', 'C', 'D', 'E'), { maxLength: 5 }),
        fc.uniqueArray(fc.constantFrom('A', 'B', 'C', 'D', 'E'), { minLength: 1, maxLength: 5 }),
        (existingIds, proposedIds) => {
          const existing = existingIds.map((id) => plan(id, 'BT-XA'));
          const result = checkPlanningProposal(proposal(...proposedIds.map((id) => entry(id, 'BT-XA'))), existing);
          const distinct = new Set([...existingIds, ...proposedIds]).size;
          expect(result.some((v) => v.code === 'TOO_MANY_CADRES_FOR_POSITION')).toBe(distinct > 3);
        }
      )
    );
  });
});
