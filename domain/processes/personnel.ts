/**
 * Process B: consolidating committee personnel (kiện toàn nhân sự cấp ủy, DOMAIN.md §5), by designation
 * (chỉ định bổ sung) or by by-election (bầu bổ sung) with ratification (chuẩn y); and the freeze windows before
 * a congress that gate the start of either. The case's unit is the committee whose personnel is consolidated;
 * up 1 is its directly superior committee. Sources in brackets are those of shared/design/domain-research.md §11.
 */
import { domainError } from '../errors';
import type { ActorSpec, IsoDate, LegalBasis, VoteRule } from '../types';
import { SHORT_DEADLINE_LADDER, ladderBasis, organizationBoard, provincialStepDeadline, standingBoard } from './common';
import { addCalendarMonths, formatDateVi, isIsoDate, previousDay } from './dates';
import type { FreezeWindowRule, ProcessDefinition, ReturnRule } from './model';
import { deepFreeze } from './json';
import { END, REFUSED } from './model';

const EFFECTIVE_FROM = '2025-07-01';

const SRC = {
  S36: 'http://camau.dcs.vn/chi-tiet-hoi-dap-26',
  S39: 'https://hethongphapluat.com/quyet-dinh-190-qd-tw-nam-2024-ve-quy-che-bau-cu-trong-dang-do-ban-chap-hanh-trung-uong-ban-hanh/dieu-28',
  S40: 'https://phapluat.suckhoedoisong.vn/huong-dan-tinh-ket-qua-bau-cu-trong-dang-theo-quyet-dinh-190-qd-tw-nam-2024-104977.html',
  S43: 'https://www.vietnam.vn/id/quy-che-bau-cu-trong-dang',
} as const;

const CHARTER_13_2: LegalBasis = {
  citation:
    'Điều lệ Đảng (2011), Điều 13 khoản 2: việc bổ sung cấp ủy viên thiếu do cấp ủy đề nghị, cấp ủy cấp trên trực tiếp quyết định',
  source: SRC.S36,
  effectiveFrom: '2011-01-19',
  confirmed: true,
};

const ELECTION_RULES: LegalBasis = {
  citation: 'Quy định 190-QĐ/TW (10/10/2024), Quy chế bầu cử trong Đảng, Điều 28: bầu bổ sung tại hội nghị cấp ủy',
  source: SRC.S39,
  effectiveFrom: '2024-10-10',
  confirmed: true,
};

/**
 * Chỉ thị 35-CT/TW (2019) stopped additions 6 months before the congress; whether Chỉ thị 45-CT/TW (2025) keeps
 * it for the next term was not confirmed, so the window is data.
 */
export const CONGRESS_FREEZE: FreezeWindowRule = {
  kind: 'beforeCongress',
  months: 6,
  labelVi: 'Dừng kiện toàn, bổ sung cấp ủy trong 6 tháng trước đại hội',
  basis: {
    citation:
      'Chỉ thị 35-CT/TW (30/5/2019): không kiện toàn, bổ sung cấp ủy trong 6 tháng trước đại hội, trừ trường hợp đặc biệt do cấp có thẩm quyền quyết định',
    source: SRC.S36,
    effectiveFrom: '2019-05-30',
    confirmed: false,
    note: 'Quy định cho nhiệm kỳ 2020–2025; chưa đối chiếu Chỉ thị 45-CT/TW (2025) cho nhiệm kỳ sau.',
  },
};

const deadline = provincialStepDeadline(EFFECTIVE_FROM);
const COMMITTEE_STANDING = standingBoard(0, 'Ban Thường vụ cấp ủy');
const SUPERIOR_STANDING = standingBoard(1, 'Ban Thường vụ cấp ủy cấp trên trực tiếp');
const PLENUM: ActorSpec = {
  body: { anchor: 'caseUnit', inner: 'executiveCommittee' },
  roles: ['secretary', 'deputySecretary'],
  label: 'Hội nghị Ban Chấp hành',
};

const RETURN: ReturnRule = {
  returnTo: COMMITTEE_STANDING,
  reasonCodes: [
    { code: 'MISSING_DOCUMENT', labelVi: 'Hồ sơ nhân sự thiếu giấy tờ' },
    { code: 'STANDARDS_UNCLEAR', labelVi: 'Cần làm rõ tiêu chuẩn, điều kiện của nhân sự' },
  ],
  resubmitWithin: { unit: 'workingDays', n: 10 },
  basis: {
    citation: 'Trả lại bổ sung hồ sơ (quy chế làm việc của Tỉnh ủy)',
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: false,
    note: 'Không tìm thấy văn bản quy định bước trả lại và thời hạn nộp lại.',
  },
};

export const designationV1: ProcessDefinition = deepFreeze({
  key: 'personnel-designation',
  version: 1,
  titleVi: 'Kiện toàn cấp ủy: chỉ định bổ sung',
  effectiveFrom: EFFECTIVE_FROM,
  basis: CHARTER_13_2,
  ladderBasis: ladderBasis(EFFECTIVE_FROM),
  startStep: 'D1',
  steps: [
    {
      id: 'D1',
      title: 'Cấp ủy đề nghị chỉ định bổ sung cấp ủy viên (tờ trình)',
      actor: COMMITTEE_STANDING,
      act: 'submission',
      basis: CHARTER_13_2,
      deadline,
      canRefuse: false,
      next: { approved: 'D2' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'D2',
      title: 'Ban Tổ chức cấp ủy cấp trên thẩm định nhân sự',
      actor: organizationBoard(1, 'Ban Tổ chức cấp ủy cấp trên'),
      act: 'appraisal',
      basis: {
        citation: 'Ban Tổ chức cấp ủy cấp trên thẩm định nhân sự trước khi cấp ủy cấp trên quyết định',
        effectiveFrom: EFFECTIVE_FROM,
        confirmed: false,
        note: 'Thực tiễn, chưa xác nhận là một bước chính thức (DOMAIN.md §5).',
      },
      deadline,
      onReturn: RETURN,
      canRefuse: false,
      next: { approved: 'D3', referred: 'D3', held: 'D2' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'D3',
      title: 'Cấp ủy cấp trên trực tiếp quyết định chỉ định bổ sung',
      actor: SUPERIOR_STANDING,
      act: 'signature',
      basis: {
        ...CHARTER_13_2,
        confirmed: false,
        note: 'Chưa xác nhận Ban Thường vụ hay Ban Chấp hành cấp ủy cấp trên ký quyết định (domain-research §4.3).',
      },
      deadline,
      onReturn: RETURN,
      canRefuse: true,
      next: { approved: END, refused: REFUSED },
      ladder: SHORT_DEADLINE_LADDER,
    },
  ],
  rules: { freezeWindows: [CONGRESS_FREEZE] },
});

/** More than half; the base of a plenum by-election (Điều 30) was not read, "those convened" is assumed. */
const MORE_THAN_HALF: VoteRule = {
  base: 'convened',
  threshold: { op: '>', num: 1, den: 2 },
  basis: {
    citation: 'Quy định 190-QĐ/TW (10/10/2024), Điều 30: trúng cử khi được quá một nửa số phiếu',
    source: SRC.S40,
    effectiveFrom: '2024-10-10',
    confirmed: false,
    note: 'Chưa xác nhận cơ số của bầu bổ sung tại hội nghị (domain-research §10.4); tạm tính trên số được triệu tập.',
  },
};

export const byElectionV1: ProcessDefinition = deepFreeze({
  key: 'personnel-byelection',
  version: 1,
  titleVi: 'Kiện toàn cấp ủy: bầu bổ sung',
  effectiveFrom: EFFECTIVE_FROM,
  basis: ELECTION_RULES,
  ladderBasis: ladderBasis(EFFECTIVE_FROM),
  startStep: 'B1',
  steps: [
    {
      id: 'B1',
      title: 'Ban Thường vụ báo cáo yêu cầu bầu bổ sung',
      actor: COMMITTEE_STANDING,
      act: 'submission',
      basis: ELECTION_RULES,
      deadline,
      canRefuse: false,
      next: { approved: 'B2' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'B2',
      title: 'Ban Thường vụ báo cáo danh sách nhân sự được giới thiệu',
      actor: COMMITTEE_STANDING,
      act: 'submission',
      basis: ELECTION_RULES,
      deadline,
      canRefuse: false,
      next: { approved: 'B3' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'B3',
      title: 'Ứng cử, đề cử tại hội nghị',
      actor: PLENUM,
      act: 'submission',
      basis: ELECTION_RULES,
      deadline,
      canRefuse: false,
      next: { approved: 'B4' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'B4',
      title: 'Hội nghị biểu quyết số lượng bầu bổ sung và danh sách bầu cử',
      actor: PLENUM,
      act: 'vote',
      basis: ELECTION_RULES,
      vote: MORE_THAN_HALF,
      deadline,
      canRefuse: false,
      // A list the plenum does not adopt goes back to the standing board to be drawn up again.
      next: { approved: 'B5', refused: 'B2' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'B5',
      title: 'Bầu cử bằng phiếu kín, kiểm phiếu và công bố kết quả',
      actor: PLENUM,
      act: 'vote',
      basis: ELECTION_RULES,
      vote: MORE_THAN_HALF,
      deadline,
      canRefuse: false,
      next: { approved: 'B6', refused: REFUSED },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'B6',
      title: 'Cấp ủy cấp trên trực tiếp chuẩn y kết quả bầu bổ sung',
      actor: SUPERIOR_STANDING,
      act: 'signature',
      basis: {
        citation:
          'Quy định 190-QĐ/TW (10/10/2024): kết quả bầu cử ở cấp dưới Trung ương phải được cấp có thẩm quyền chuẩn y',
        source: SRC.S43,
        effectiveFrom: '2024-10-10',
        confirmed: true,
      },
      deadline,
      onReturn: RETURN,
      canRefuse: true,
      next: { approved: END, refused: REFUSED },
      ladder: SHORT_DEADLINE_LADDER,
    },
  ],
  rules: { freezeWindows: [CONGRESS_FREEZE] },
});

/** A freeze window laid on the calendar: frozen from `from` to `until`, both inclusive. */
export interface FreezeSpan {
  labelVi: string;
  from: IsoDate;
  /** Absent: until further notice (a fixed window up to a congress whose date is not known yet). */
  until?: IsoDate;
  basis: LegalBasis;
}

/** The competent level's approval of a special case inside a freeze window. */
export interface SpecialCaseApproval {
  /** The number of the approving document. */
  reference: string;
  approvedOn: IsoDate;
}

export type FreezeCheck =
  | { allowed: true; window?: FreezeSpan; specialCase?: SpecialCaseApproval }
  | { allowed: false; window: FreezeSpan; messageVi: string };

function spanOf(rule: FreezeWindowRule, congressDate: IsoDate | undefined): FreezeSpan | undefined {
  const { labelVi, basis } = rule;
  const dayBeforeCongress = congressDate === undefined ? undefined : previousDay(congressDate);
  if (rule.kind === 'beforeCongress') {
    // Without a congress date there is nothing to count back from: the window cannot apply yet.
    if (congressDate === undefined) return undefined;
    return { labelVi, basis, from: addCalendarMonths(congressDate, -rule.months), until: dayBeforeCongress };
  }
  return { labelVi, basis, from: rule.from, until: rule.until ?? dayBeforeCongress };
}

/**
 * The start gate of a consolidation flow: may a flow start on `startDate`, given the committee's next congress
 * and the freeze windows of the definition? Inside a window, only with a special-case approval. Example: a
 * congress on 2025-10-15 and a 6-month window freeze 2025-04-15 to 2025-10-14; a start on 2025-04-14 is allowed.
 */
export function checkFreezeWindow(input: {
  startDate: IsoDate;
  congressDate?: IsoDate;
  windows: FreezeWindowRule[];
  specialCase?: SpecialCaseApproval;
}): FreezeCheck {
  const { startDate, congressDate } = input;
  if (!isIsoDate(startDate) || (congressDate !== undefined && !isIsoDate(congressDate))) {
    throw domainError(
      'INVALID_INPUT',
      `invalid date: startDate=${startDate}, congressDate=${congressDate}`,
      'Ngày bắt đầu hoặc ngày đại hội không phải ngày hợp lệ (YYYY-MM-DD).'
    );
  }
  for (const rule of input.windows) {
    const span = spanOf(rule, congressDate);
    if (!span || startDate < span.from || (span.until !== undefined && startDate > span.until)) continue;
    if (input.specialCase) return { allowed: true, window: span, specialCase: input.specialCase };
    const until = span.until === undefined ? 'khi có thông báo mới' : formatDateVi(span.until);
    return {
      allowed: false,
      window: span,
      messageVi: `Ngày ${formatDateVi(startDate)} nằm trong thời gian «${span.labelVi}» (từ ${formatDateVi(span.from)} đến ${until}, theo ${span.basis.citation}): chỉ được bắt đầu khi cấp có thẩm quyền đồng ý trường hợp đặc biệt.`,
    };
  }
  return { allowed: true };
}
