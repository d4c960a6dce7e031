import fc from 'fast-check';
import { isDomainError } from '../../domain/errors';
import type { Ballot, VoteRule, VoteTally } from '../../domain/types';
import { afterFailedRound, evaluateBallots, evaluateVote, tallyBallots, voteBase } from '../../domain/votes';

const basis = { citation: 'test', effectiveFrom: '2025-07-01', confirmed: true };

/** C8: the cell needs ≥ 2/3 of its official members; three failed rounds go to the superior committee. */
const admission: VoteRule = {
  base: 'officialMembers',
  baseExclusions: ['exemptFromActivities'],
  threshold: { op: '>=', num: 2, den: 3 },
  maxRounds: 3,
  basis,
};

/** Planning and by-election: more than half of those convened, with at least 2/3 present. */
const selection: VoteRule = {
  base: 'convened',
  threshold: { op: '>', num: 1, den: 2 },
  quorum: { op: '>=', num: 2, den: 3 },
  basis,
};

const committee: VoteRule = { ...admission, base: 'committeeMembers' };

function tally(base: number, present: number, approve: number, reject = 0, abstain = 0): VoteTally {
  return { base, present, approve, reject, abstain };
}

function errorOf(run: () => unknown): { code: string; messageVi: string } {
  try {
    run();
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, messageVi: error.messageVi };
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('evaluateVote: thresholds at the boundary', () => {
  it('14/21 passes ≥ 2/3: 14 * 3 = 42 >= 2 * 21 = 42 (exactly two thirds)', () => {
    const result = evaluateVote(admission, tally(21, 21, 14, 7));
    expect(result.passed).toBe(true);
    expect(result.quorumMet).toBe(true);
    // 14/21 = 66.666…%, rounded up because the comparison was reached.
    expect(result.explanation).toBe('Đạt: 14/21 đảng viên chính thức tán thành (66,67%) ≥ 2/3');
  });

  it('13/20 fails ≥ 2/3: 13 * 3 = 39 < 2 * 20 = 40', () => {
    const result = evaluateVote(admission, tally(20, 20, 13, 7));
    expect(result.passed).toBe(false);
    expect(result.explanation).toBe('Không đạt: 13/20 đảng viên chính thức tán thành (65%) < 2/3');
  });

  it('14/20 passes ≥ 2/3: 42 >= 40', () => {
    const result = evaluateVote(admission, tally(20, 18, 14, 2, 2));
    expect(result).toEqual({
      passed: true,
      quorumMet: true,
      approve: 14,
      base: 20,
      present: 18,
      share: 0.7,
      explanation: 'Đạt: 14/20 đảng viên chính thức tán thành (70%) ≥ 2/3',
    });
  });

  it('10/20 fails > 1/2: a tie is exactly one half, 10 * 2 = 20 is not > 1 * 20', () => {
    const result = evaluateVote(selection, tally(20, 20, 10, 10));
    expect(result.passed).toBe(false);
    expect(result.explanation).toBe('Không đạt: 10/20 đại biểu được triệu tập tán thành (50%) ≤ 1/2');
  });

  it('11/20 passes > 1/2: 22 > 20', () => {
    const result = evaluateVote(selection, tally(20, 20, 11, 9));
    expect(result.passed).toBe(true);
    expect(result.explanation).toBe('Đạt: 11/20 đại biểu được triệu tập tán thành (55%) > 1/2');
  });

  it('counts approvals against the base, not against ballots returned', () => {
    // 12 present out of 15 committee members, all 12 approve: 12/12 of the ballots but 12/15 = 80% of the
    // base, which passes; 9 approvals of 12 ballots would be 75% of the ballots but 9/15 = 60% < 2/3.
    expect(evaluateVote(committee, tally(15, 12, 12)).passed).toBe(true);
    const result = evaluateVote(committee, tally(15, 12, 9, 0, 3));
    expect(result.passed).toBe(false);
    expect(result.explanation).toBe('Không đạt: 9/15 cấp ủy viên tán thành (60%) < 2/3');
  });

  it('abstentions count as not approving', () => {
    // 13 approve, 0 reject, 7 abstain of 20: still 13/20 < 2/3.
    expect(evaluateVote(admission, tally(20, 20, 13, 0, 7)).passed).toBe(false);
  });

  it('rounds the percentage towards the side of the comparison, never contradicting the sign', () => {
    // 1999/3000 = 66.6333…% fails ≥ 2/3: shown rounded down (66,63%); 2001/3000 = 66.7% passes.
    expect(evaluateVote(admission, tally(3000, 3000, 1999)).explanation).toContain('(66,63%) < 2/3');
    expect(evaluateVote(admission, tally(3000, 3000, 2001)).explanation).toContain('(66,7%) ≥ 2/3');
    // 10001/20000 = 50.005% passes > 1/2 and is shown as 50,01%, not as a misleading 50%.
    expect(evaluateVote(selection, tally(20000, 20000, 10001)).explanation).toContain('(50,01%) > 1/2');
    // 1/3 = 33.33…% shown 33,33% when failing.
    expect(evaluateVote(admission, tally(3, 3, 1)).explanation).toContain('(33,33%) < 2/3');
    // 1/20 = 5% and 1/200 = 0.5%: a single decimal keeps its leading zero.
    expect(evaluateVote(admission, tally(200, 200, 1)).explanation).toContain('(0,5%)');
    expect(evaluateVote(admission, tally(10000, 10000, 1)).explanation).toContain('(0,01%)');
  });

  it('compares exactly where floats would not', () => {
    // (2^53 - 1) is a safe count; its products with 3 are not exact as doubles.
    const big = Number.MAX_SAFE_INTEGER;
    const twoThirds = (big - 1) / 3; // big - 1 is divisible by 3: 9007199254740990 / 3
    expect(evaluateVote(admission, tally(big - 1, big - 1, twoThirds * 2)).passed).toBe(true);
    expect(evaluateVote(admission, tally(big - 1, big - 1, twoThirds * 2 - 1)).passed).toBe(false);
  });
});

describe('evaluateVote: quorum', () => {
  it('fails without 2/3 present, whatever the approvals', () => {
    // 12 of 20 present = 60% < 2/3. The 12 approvals would be 12/20 = 60% > 1/2, but the vote is not valid.
    const result = evaluateVote(selection, tally(20, 12, 12));
    expect(result.passed).toBe(false);
    expect(result.quorumMet).toBe(false);
    expect(result.explanation).toBe('Không đủ số lượng: 12/20 có mặt (60%) < 2/3, biểu quyết không hợp lệ');
  });

  it('is met at exactly 2/3 present: 14 of 21', () => {
    const result = evaluateVote(selection, tally(21, 14, 11, 3));
    expect(result.quorumMet).toBe(true);
    expect(result.passed).toBe(true); // 11 * 2 = 22 > 21
  });

  it('a rule with a strict quorum says ≤ when it is not met', () => {
    const strict: VoteRule = { ...selection, quorum: { op: '>', num: 1, den: 2 } };
    expect(evaluateVote(strict, tally(20, 10, 10)).explanation).toBe(
      'Không đủ số lượng: 10/20 có mặt (50%) ≤ 1/2, biểu quyết không hợp lệ'
    );
  });

  it('without a quorum rule the quorum is always met', () => {
    expect(evaluateVote(admission, tally(20, 1, 0, 1)).quorumMet).toBe(true);
  });
});

describe('evaluateVote: invalid input', () => {
  it.each([
    ['a negative count', tally(20, 20, -1), 'số nguyên không âm'],
    ['a fraction', tally(20, 20, 1.5), 'số nguyên không âm'],
    ['NaN', tally(NaN, 20, 1), 'số nguyên không âm'],
    ['an empty base', tally(0, 0, 0), 'tổng số biểu quyết bằng 0'],
    ['more present than the base', tally(20, 21, 14), 'số có mặt (21) lớn hơn tổng số (20)'],
    ['more votes than present', tally(20, 15, 10, 4, 2), '(16) lớn hơn số có mặt (15)'],
  ])('rejects %s with VOTE_INVALID', (_name, bad, fragment) => {
    const error = errorOf(() => evaluateVote(admission, bad));
    expect(error.code).toBe('VOTE_INVALID');
    expect(error.messageVi).toContain(fragment);
  });

  it.each([
    ['a zero denominator', { op: '>=' as const, num: 1, den: 0 }],
    ['a fraction above one', { op: '>=' as const, num: 3, den: 2 }],
    ['a negative numerator', { op: '>' as const, num: -1, den: 2 }],
  ])('rejects a threshold with %s as DEFINITION_INVALID', (_name, threshold) => {
    expect(errorOf(() => evaluateVote({ ...admission, threshold }, tally(20, 20, 14))).code).toBe('DEFINITION_INVALID');
    expect(errorOf(() => evaluateVote({ ...selection, quorum: threshold }, tally(20, 20, 14))).code).toBe(
      'DEFINITION_INVALID'
    );
  });
});

describe('tallyBallots and evaluateBallots', () => {
  const present = ['a', 'b', 'c', 'd', 'e', 'f'];

  it('counts ballots by choice; present voters without a ballot count as not approving', () => {
    const ballots: Ballot[] = [
      { voterId: 'a', choice: 'approve' },
      { voterId: 'b', choice: 'approve' },
      { voterId: 'c', choice: 'approve' },
      { voterId: 'd', choice: 'approve' },
      { voterId: 'e', choice: 'reject' },
    ];
    // 'f' is present but gave no ballot. Base 6 official members: 4/6 = 2/3 exactly, passes.
    expect(tallyBallots({ ballots, presentVoterIds: present, base: 6 })).toEqual(tally(6, 6, 4, 1, 0));
    const result = evaluateBallots(admission, { ballots, presentVoterIds: present, base: 6 });
    expect(result.passed).toBe(true);
    expect(result.explanation).toBe('Đạt: 4/6 đảng viên chính thức tán thành (66,67%) ≥ 2/3');
    // With 'd' abstaining instead: 3/6 = 50% < 2/3.
    const abstaining = ballots.map((b) => (b.voterId === 'd' ? { ...b, choice: 'abstain' as const } : b));
    expect(evaluateBallots(admission, { ballots: abstaining, presentVoterIds: present, base: 6 }).passed).toBe(false);
  });

  it('rejects two ballots from one voter', () => {
    const ballots: Ballot[] = [
      { voterId: 'a', choice: 'approve' },
      { voterId: 'a', choice: 'reject' },
    ];
    const error = errorOf(() => tallyBallots({ ballots, presentVoterIds: present, base: 6 }));
    expect(error).toEqual({ code: 'VOTE_INVALID', messageVi: expect.stringContaining('«a» có hai phiếu') });
  });

  it('rejects a ballot from a voter who is not present', () => {
    const error = errorOf(() =>
      tallyBallots({ ballots: [{ voterId: 'z', choice: 'approve' }], presentVoterIds: present, base: 6 })
    );
    expect(error).toEqual({
      code: 'VOTE_INVALID',
      messageVi: expect.stringContaining('«z» không có tên trong danh sách có mặt'),
    });
  });

  it('rejects a voter listed twice as present', () => {
    const error = errorOf(() => tallyBallots({ ballots: [], presentVoterIds: ['a', 'a'], base: 6 }));
    expect(error).toEqual({ code: 'VOTE_INVALID', messageVi: expect.stringContaining('«a» được ghi hai lần') });
  });

  it('rejects more present than the base', () => {
    expect(errorOf(() => evaluateBallots(admission, { ballots: [], presentVoterIds: present, base: 5 })).code).toBe(
      'VOTE_INVALID'
    );
  });

  it('property: the order of the ballots does not change the result', () => {
    const choice = fc.constantFrom<Ballot['choice']>('approve', 'reject', 'abstain');
    const round = fc
      .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 40 })
      .chain((ids) =>
        fc.record({
          ids: fc.constant(ids),
          choices: fc.array(fc.option(choice, { nil: undefined }), { minLength: ids.length, maxLength: ids.length }),
          extraBase: fc.nat(10),
          seed: fc.array(fc.nat(), { minLength: ids.length, maxLength: ids.length }),
        })
      );
    fc.assert(
      fc.property(round, fc.constantFrom(admission, selection), ({ ids, choices, extraBase, seed }, rule) => {
        const ballots: Ballot[] = [];
        ids.forEach((voterId, i) => {
          const c = choices[i];
          if (c !== undefined) ballots.push({ voterId, choice: c });
        });
        // A permutation of the ballots driven by the generated seed.
        const shuffled = ballots
          .map((b, i) => ({ b, key: seed[i]! }))
          .sort((x, y) => x.key - y.key)
          .map((x) => x.b);
        const base = ids.length + extraBase;
        const a = evaluateBallots(rule, { ballots, presentVoterIds: ids, base });
        const b = evaluateBallots(rule, { ballots: shuffled, presentVoterIds: [...ids].reverse(), base });
        expect(b).toEqual(a);
      })
    );
  });
});

describe('voteBase', () => {
  it('removes only the exclusions the rule allows', () => {
    // 5 members: m4 is exempt from activities (allowed), m5 is on leave (not allowed) → base 4.
    const members = [
      { id: 'm1' },
      { id: 'm2' },
      { id: 'm3', exclusions: [] },
      { id: 'm4', exclusions: ['exemptFromActivities'] },
      { id: 'm5', exclusions: ['onLeave'] },
    ];
    expect(voteBase(admission, members)).toBe(4);
    // A rule without exclusions counts everyone.
    expect(voteBase(selection, members)).toBe(5);
  });

  it('rejects a member listed twice', () => {
    expect(errorOf(() => voteBase(admission, [{ id: 'm1' }, { id: 'm1' }])).code).toBe('VOTE_INVALID');
  });
});

describe('afterFailedRound', () => {
  it('retries until maxRounds failed rounds, then goes to the superior committee', () => {
    expect(afterFailedRound(1, 3)).toBe('retry');
    expect(afterFailedRound(2, 3)).toBe('retry');
    expect(afterFailedRound(3, 3)).toBe('escalateToSuperior');
    expect(afterFailedRound(4, 3)).toBe('escalateToSuperior');
    // C9: short of 2/3 once, the full result goes up.
    expect(afterFailedRound(1, 1)).toBe('escalateToSuperior');
  });

  it('retries forever without maxRounds', () => {
    expect(afterFailedRound(0, undefined)).toBe('retry');
    expect(afterFailedRound(100, undefined)).toBe('retry');
  });

  it.each([
    [-1, 3],
    [1.5, 3],
    [1, 0],
    [1, 2.5],
  ])('rejects failedRounds %p with maxRounds %p', (failed, max) => {
    expect(errorOf(() => afterFailedRound(failed, max)).code).toBe('INVALID_INPUT');
  });
});
