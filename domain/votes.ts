/**
 * Votes of a cell, a committee or a conference (DOMAIN.md §3–5): the base, the quorum, the threshold and
 * the rounds. Approvals are counted against the base (e.g. all official members of the cell less the
 * allowed exclusions), never against the ballots returned: an abstention, a reject and an absence all
 * count as "not approving". Every comparison is exact integer arithmetic (approve * den >= num * base);
 * floats are used only to display a percentage.
 */
import { domainError, type DomainError } from './errors';
import type { Ballot, Threshold, VoteBase, VoteRule, VoteTally } from './types';

export interface VoteResult {
  /** The quorum was met and the approvals reached the threshold. */
  passed: boolean;
  /** True when the rule has no quorum. */
  quorumMet: boolean;
  approve: number;
  base: number;
  present: number;
  /** approve / base, for display only (0..1). */
  share: number;
  /** One line in Vietnamese, e.g. 'Đạt: 14/20 đảng viên chính thức tán thành (70%) ≥ 2/3'. */
  explanation: string;
}

/** A member of the base before the exclusions: `exclusions` are codes such as 'exemptFromActivities'. */
export interface BaseMember {
  id: string;
  exclusions?: string[];
}

/** The individual ballots of one round, with who was present and the size of the base. */
export interface BallotRound {
  ballots: readonly Ballot[];
  /** Ids of the voters present; a ballot from anyone else is invalid. */
  presentVoterIds: readonly string[];
  /** The size of the base after the exclusions (see voteBase). */
  base: number;
}

/** What follows a failed round: another round, or the case goes to the superior committee. */
export type AfterFailedRound = 'retry' | 'escalateToSuperior';

/** How the base is named in an explanation. */
export const VOTE_BASE_LABEL_VI: Record<VoteBase, string> = {
  officialMembers: 'đảng viên chính thức',
  committeeMembers: 'cấp ủy viên',
  convened: 'đại biểu được triệu tập',
};

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function voteInvalid(message: string, messageVi: string, details?: Record<string, unknown>): DomainError {
  return domainError('VOTE_INVALID', message, messageVi, details);
}

function checkThreshold(threshold: Threshold, what: string): void {
  const { num, den } = threshold;
  if (!(isCount(num) && isCount(den) && den > 0 && num <= den)) {
    throw domainError(
      'DEFINITION_INVALID',
      `${what} ${num}/${den} is not a fraction between 0 and 1`,
      `Quy tắc biểu quyết không hợp lệ: tỷ lệ ${num}/${den} phải là phân số từ 0 đến 1.`,
      { num, den }
    );
  }
}

/**
 * Whether part/whole reaches the threshold: part * den against num * whole, in BigInt so that the
 * products stay exact whatever the sizes (no 0.6666… float on the boundary).
 */
function reaches(part: number, whole: number, threshold: Threshold): boolean {
  const lhs = BigInt(part) * BigInt(threshold.den);
  const rhs = BigInt(threshold.num) * BigInt(whole);
  return threshold.op === '>=' ? lhs >= rhs : lhs > rhs;
}

/**
 * A percentage of part/whole with at most two decimals and a Vietnamese decimal comma. It is rounded
 * towards the side the exact comparison came out on (up when reached, down when not), so the number
 * shown never contradicts the sign next to it: 2/3 shows 66,67% ≥ 2/3, never 66,66%.
 */
function percent(part: number, whole: number, reached: boolean): string {
  const exact = (part * 10000) / whole;
  const hundredths = reached ? Math.ceil(exact) : Math.floor(exact);
  const whole100 = Math.floor(hundredths / 100);
  const fraction = hundredths % 100;
  if (fraction === 0) return `${whole100}%`;
  return `${whole100},${String(fraction).padStart(2, '0').replace(/0$/, '')}%`;
}

function comparison(threshold: Threshold, reached: boolean): string {
  const fraction = `${threshold.num}/${threshold.den}`;
  if (threshold.op === '>=') return `${reached ? '≥' : '<'} ${fraction}`;
  return `${reached ? '>' : '≤'} ${fraction}`;
}

/**
 * Checks a tally: integers ≥ 0, a base of at least one, approve + reject + abstain ≤ present ≤ base.
 * Throws DomainError 'VOTE_INVALID'.
 */
export function validateTally(tally: VoteTally): void {
  const fields = ['base', 'present', 'approve', 'reject', 'abstain'] as const;
  for (const field of fields) {
    if (!isCount(tally[field])) {
      throw voteInvalid(
        `tally.${field} must be a whole number >= 0, got ${String(tally[field])}`,
        `Kết quả biểu quyết không hợp lệ: các con số phải là số nguyên không âm (nhận được ${String(tally[field])}).`,
        { field, value: tally[field] }
      );
    }
  }
  const { base, present, approve, reject, abstain } = tally;
  if (base === 0) {
    throw voteInvalid(
      'the base of a vote cannot be empty',
      'Kết quả biểu quyết không hợp lệ: tổng số biểu quyết bằng 0.'
    );
  }
  if (present > base) {
    throw voteInvalid(
      `present (${present}) exceeds the base (${base})`,
      `Kết quả biểu quyết không hợp lệ: số có mặt (${present}) lớn hơn tổng số (${base}).`,
      { present, base }
    );
  }
  const cast = approve + reject + abstain;
  if (cast > present) {
    throw voteInvalid(
      `approve + reject + abstain (${cast}) exceeds present (${present})`,
      `Kết quả biểu quyết không hợp lệ: số tán thành, không tán thành và không biểu quyết (${cast}) ` +
        `lớn hơn số có mặt (${present}).`,
      { cast, present }
    );
  }
}

/**
 * The result of one round. The quorum (if the rule has one) is checked first: without it the vote is
 * not valid and does not pass, whatever the approvals. Throws 'VOTE_INVALID' for an inconsistent tally
 * and 'DEFINITION_INVALID' for a threshold that is not a fraction in [0, 1].
 */
export function evaluateVote(rule: VoteRule, tally: VoteTally): VoteResult {
  checkThreshold(rule.threshold, 'threshold');
  if (rule.quorum) checkThreshold(rule.quorum, 'quorum');
  validateTally(tally);

  const { base, present, approve } = tally;
  const share = approve / base;
  const label = VOTE_BASE_LABEL_VI[rule.base];

  if (rule.quorum && !reaches(present, base, rule.quorum)) {
    return {
      passed: false,
      quorumMet: false,
      approve,
      base,
      present,
      share,
      explanation:
        `Không đủ số lượng: ${present}/${base} có mặt (${percent(present, base, false)}) ` +
        `${comparison(rule.quorum, false)}, biểu quyết không hợp lệ`,
    };
  }

  const passed = reaches(approve, base, rule.threshold);
  return {
    passed,
    quorumMet: true,
    approve,
    base,
    present,
    share,
    explanation:
      `${passed ? 'Đạt' : 'Không đạt'}: ${approve}/${base} ${label} tán thành ` +
      `(${percent(approve, base, passed)}) ${comparison(rule.threshold, passed)}`,
  };
}

/**
 * Counts individual ballots into a tally. Present voters who returned no ballot count as not approving.
 * Throws 'VOTE_INVALID' for a voter listed twice as present, two ballots from one voter, or a ballot
 * from a voter who is not present.
 */
export function tallyBallots(round: BallotRound): VoteTally {
  const present = new Set<string>();
  for (const voterId of round.presentVoterIds) {
    if (present.has(voterId)) {
      throw voteInvalid(
        `voter ${voterId} is listed twice as present`,
        `Danh sách có mặt không hợp lệ: người biểu quyết «${voterId}» được ghi hai lần.`,
        { voterId }
      );
    }
    present.add(voterId);
  }

  const seen = new Set<string>();
  const tally: VoteTally = { base: round.base, present: present.size, approve: 0, reject: 0, abstain: 0 };
  for (const ballot of round.ballots) {
    if (seen.has(ballot.voterId)) {
      throw voteInvalid(
        `two ballots from voter ${ballot.voterId}`,
        `Phiếu biểu quyết không hợp lệ: người biểu quyết «${ballot.voterId}» có hai phiếu.`,
        { voterId: ballot.voterId }
      );
    }
    if (!present.has(ballot.voterId)) {
      throw voteInvalid(
        `ballot from voter ${ballot.voterId} who is not present`,
        `Phiếu biểu quyết không hợp lệ: người biểu quyết «${ballot.voterId}» không có tên trong danh sách có mặt.`,
        { voterId: ballot.voterId }
      );
    }
    seen.add(ballot.voterId);
    tally[ballot.choice] += 1;
  }
  return tally;
}

/** tallyBallots then evaluateVote. */
export function evaluateBallots(rule: VoteRule, round: BallotRound): VoteResult {
  return evaluateVote(rule, tallyBallots(round));
}

/**
 * The size of the base: the members less those carrying an exclusion the rule allows. An exclusion the
 * rule does not list (say 'onLeave' when only 'exemptFromActivities' is allowed) keeps the member in the
 * base. Throws 'VOTE_INVALID' for a member listed twice.
 */
export function voteBase(rule: VoteRule, members: readonly BaseMember[]): number {
  const allowed = new Set(rule.baseExclusions ?? []);
  const ids = new Set<string>();
  let size = 0;
  for (const member of members) {
    if (ids.has(member.id)) {
      throw voteInvalid(
        `member ${member.id} is listed twice in the base`,
        `Danh sách tính tổng số biểu quyết không hợp lệ: «${member.id}» được ghi hai lần.`,
        { memberId: member.id }
      );
    }
    ids.add(member.id);
    if (!(member.exclusions ?? []).some((code) => allowed.has(code))) size += 1;
  }
  return size;
}

/**
 * What follows a failed round: after `maxRounds` failed rounds the case goes to the superior committee
 * (three for admission and recognition, DOMAIN.md §3); without `maxRounds` the rounds are unbounded.
 */
export function afterFailedRound(failedRounds: number, maxRounds: number | undefined): AfterFailedRound {
  if (!isCount(failedRounds) || (maxRounds !== undefined && !(isCount(maxRounds) && maxRounds > 0))) {
    throw domainError(
      'INVALID_INPUT',
      `failedRounds must be a whole number >= 0 and maxRounds >= 1, got ${failedRounds} and ${String(maxRounds)}`,
      'Số lần biểu quyết không hợp lệ.',
      { failedRounds, maxRounds }
    );
  }
  return maxRounds !== undefined && failedRounds >= maxRounds ? 'escalateToSuperior' : 'retry';
}
