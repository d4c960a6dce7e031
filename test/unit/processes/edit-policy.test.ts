import { checkEditAllowed, confirmedRuleChanges } from '../../../domain/processes/edit-policy';
import { admissionV1 } from '../../../domain/processes';
import type { StepDefinition } from '../../../domain/processes/model';
import { DomainError } from '../../../domain/errors';

const step = (id: string): StepDefinition => admissionV1.steps.find((s) => s.id === id) as StepDefinition;

describe('what an administrator may change in a new version', () => {
  test('an unconfirmed rule may change: C11’s resubmission window (a provincial choice)', () => {
    // C11's return loop is marked unconfirmed (no text found for it), so the province sets it.
    const onReturn = { ...step('C11').onReturn!, resubmitWithin: { unit: 'workingDays' as const, n: 15 } };
    expect(confirmedRuleChanges(admissionV1, { steps: { C11: { onReturn } } })).toEqual([]);
    expect(() => checkEditAllowed(admissionV1, { steps: { C11: { onReturn } } })).not.toThrow();
  });

  test('a confirmed rule may not change under its old citation: C11’s 60 working days', () => {
    // Quy định 232-QĐ/TW 4.3.1: 60 working days from the chi bộ resolution — confirmed.
    const deadline = { ...step('C11').deadline!, period: { unit: 'workingDays' as const, n: 90 } };
    const problems = confirmedRuleChanges(admissionV1, { steps: { C11: { deadline } } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Bước C11: thời hạn đã được xác nhận/);
    expect(() => checkEditAllowed(admissionV1, { steps: { C11: { deadline } } })).toThrow(DomainError);
  });

  test('a confirmed rule changes with a new legal basis cited in the same edit', () => {
    const old = step('C11').deadline!;
    const deadline = {
      ...old,
      period: { unit: 'workingDays' as const, n: 45 },
      basis: {
        ...old.basis,
        citation: 'Quy định mới (giả định) về thi hành Điều lệ Đảng',
        effectiveFrom: '2027-01-01',
      },
    };
    expect(confirmedRuleChanges(admissionV1, { steps: { C11: { deadline } } })).toEqual([]);
  });

  test('removing a rule counts as changing it; unchanged fields and unknown steps are left to the validator', () => {
    expect(confirmedRuleChanges(admissionV1, { steps: { C8: { vote: null } } })).toHaveLength(1);
    expect(confirmedRuleChanges(admissionV1, { steps: { C8: { vote: step('C8').vote } } })).toEqual([]);
    expect(confirmedRuleChanges(admissionV1, { steps: { C99: { title: 'x' } } })).toEqual([]);
    expect(confirmedRuleChanges(admissionV1, { steps: { C8: { title: 'Nghị quyết chi bộ' } } })).toEqual([]);
  });

  test('a step with a confirmed basis may not be removed; an unconfirmed one may', () => {
    expect(confirmedRuleChanges(admissionV1, { removeSteps: ['C12'] })[0]).toMatch(
      /^Bước C12 có căn cứ đã được xác nhận/
    );
    expect(confirmedRuleChanges(admissionV1, { removeSteps: ['C10'] })).toEqual([]);
  });

  test('process-wide rules: the confirmed age limits need a new basis to change', () => {
    const eligibility = admissionV1.rules!.eligibility!;
    expect(
      confirmedRuleChanges(admissionV1, { rules: { eligibility: { ...eligibility, maxAgeMonths: 780 } } })
    ).toHaveLength(1);
    expect(confirmedRuleChanges(admissionV1, { rules: { eligibility: null } })).toHaveLength(1);
    expect(confirmedRuleChanges(admissionV1, { rules: { eligibility } })).toEqual([]);
    expect(
      confirmedRuleChanges(admissionV1, {
        rules: {
          eligibility: { ...eligibility, maxAgeMonths: 780, basis: { ...eligibility.basis, citation: 'Văn bản mới' } },
        },
      })
    ).toEqual([]);
  });
});
