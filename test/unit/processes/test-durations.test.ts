import type { Period } from '../../../domain/types';
import type { ProcessDefinition } from '../../../domain/processes';
import { SHIPPED_DEFINITIONS, admissionV1, listDefinitionProblems, withTestDurations } from '../../../domain/processes';

/** Every Period of a definition's deadlines, returns and ladders. */
function periods(def: ProcessDefinition): Period[] {
  return def.steps.flatMap((s) =>
    [
      s.deadline?.period,
      s.deadline?.maxExtension,
      s.onReturn?.resubmitWithin,
      s.ladder.reminderBefore,
      s.ladder.escalateAfter,
      s.ladder.repeatEvery,
    ].filter((p): p is Period => p !== undefined)
  );
}

describe('withTestDurations', () => {
  it('turns every period of every shipped definition into seconds, and stays valid', () => {
    for (const def of SHIPPED_DEFINITIONS) {
      const fast = withTestDurations(def, 6);
      expect(periods(fast).length).toBe(periods(def).length);
      for (const p of periods(fast))
        expect(p).toEqual({ unit: 'duration', iso: expect.stringMatching(/^PT[36]S$/) as unknown });
      expect(listDefinitionProblems(fast)).toEqual([]);
    }
  });

  it('keeps anchors and transitions: C11 is due seconds after C8 completes', () => {
    // 4 s deadlines; the ladder defaults to half of it: remind 2 s before, escalate 2 s late, every 2 s.
    const fast = withTestDurations(admissionV1, 4);
    const c11 = fast.steps.find((s) => s.id === 'C11')!;
    expect(c11.deadline).toMatchObject({
      period: { unit: 'duration', iso: 'PT4S' },
      maxExtension: { unit: 'duration', iso: 'PT4S' },
      from: { event: 'stepCompleted', step: 'C8' },
    });
    expect(c11.onReturn!.resubmitWithin).toEqual({ unit: 'duration', iso: 'PT4S' });
    expect(c11.ladder).toEqual({
      reminderBefore: { unit: 'duration', iso: 'PT2S' },
      noticeAtDue: true,
      escalateAfter: { unit: 'duration', iso: 'PT2S' },
      repeatEvery: { unit: 'duration', iso: 'PT2S' },
      maxRounds: 3,
    });
    expect(fast.steps.map((s) => s.next)).toEqual(admissionV1.steps.map((s) => s.next));
  });

  it('leaves steps without deadline, ladder or resubmission period as they are', () => {
    const fast = withTestDurations(admissionV1, 4, 1);
    const c5 = fast.steps.find((s) => s.id === 'C5')!;
    expect(c5.deadline).toBeUndefined();
    expect(c5.ladder).toEqual({ noticeAtDue: false, maxRounds: 0 });
    const c12 = fast.steps.find((s) => s.id === 'C12')!;
    expect(c12.deadline!.maxExtension).toBeUndefined();
    expect(c12.ladder.reminderBefore).toEqual({ unit: 'duration', iso: 'PT1S' });
  });

  it('never modifies the definition it is given', () => {
    const before = JSON.stringify(admissionV1);
    withTestDurations(admissionV1, 2);
    expect(JSON.stringify(admissionV1)).toBe(before);
  });

  it('keeps at least a second of ladder for a 1-second deadline', () => {
    const c11 = withTestDurations(admissionV1, 1).steps.find((s) => s.id === 'C11')!;
    expect(c11.ladder.reminderBefore).toEqual({ unit: 'duration', iso: 'PT1S' });
  });

  it.each([
    [0, 1],
    [1.5, 1],
    [5, 0],
    [5, 0.5],
  ])('refuses %s s deadlines with %s s ladders', (deadline, ladder) => {
    expect(() => withTestDurations(admissionV1, deadline, ladder)).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        messageVi: 'Thời lượng thử nghiệm phải là số giây nguyên dương.',
      }) as Error
    );
  });
});
