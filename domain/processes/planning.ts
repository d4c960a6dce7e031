/**
 * Process A: cadre planning (quy hoạch cán bộ, DOMAIN.md §4). The chain is the 5-step template (review →
 * key-officials conference → tờ trình → Organization Board appraisal → standing board approval); the exact
 * steps and thresholds of Quy định 377-QĐ/TW were not found, so they are unconfirmed data. The case's unit is
 * the committee that proposes the plan. Sources in brackets are those of shared/design/domain-research.md §11.
 */
import type { ActorSpec, LegalBasis, VoteRule } from '../types';
import { SHORT_DEADLINE_LADDER, caseUnit, ladderBasis, provincialStepDeadline, standingBoard } from './common';
import type { PlanningRules, ProcessDefinition, ReturnRule, RuleViolation } from './model';
import { deepFreeze } from './json';
import { END, REFUSED } from './model';

const EFFECTIVE_FROM = '2025-10-08';

const SRC = {
  S52: 'https://lawnet.vn/en/laws/procedure-for-appointment-and-nomination-of-candidates-from-local-staff-source-how-is-it-implemented-167475.html',
  S54: 'https://baonghean.vn/en/quy-trinh-5-buoc-chon-nhan-su-cap-uy-cap-tinh-nhiem-ky-moi-10200290.html',
  S55: 'https://hatinh24h.com.vn/quy-dinh-ve-gioi-thieu-nhan-su-de-trung-uong-xem-xet-bau-tong-bi-thu-bo-chinh-tri-ban-bi-thu-a192003.html',
  S57: 'https://news.laodong.vn/thoi-su/can-bo-duoc-quy-hoach-nhiem-ky-ke-tiep-phai-du-tuoi-cong-tac-2-nhiem-ky-tro-len-1593264.ldo',
} as const;

const TEMPLATE: LegalBasis = {
  citation:
    'Quy trình 5 bước: cấp ủy rà soát, đánh giá → hội nghị cán bộ chủ chốt bỏ phiếu kín → tờ trình → Ban Tổ chức Tỉnh ủy thẩm định → Ban Thường vụ Tỉnh ủy phê duyệt',
  source: SRC.S54,
  effectiveFrom: EFFECTIVE_FROM,
  confirmed: false,
  note: 'Mẫu theo Chỉ thị 35-CT/TW (2019) và Quy định 80-QĐ/TW (2022); các bước cụ thể theo Quy định 377-QĐ/TW chưa xác nhận.',
};

/** More than half of those convened, with at least two thirds present. */
const MAJORITY_OF_CONVENED: VoteRule = {
  base: 'convened',
  threshold: { op: '>', num: 1, den: 2 },
  quorum: { op: '>=', num: 2, den: 3 },
  basis: {
    citation:
      'Được lựa chọn khi đạt trên 50% tổng số người được triệu tập; hội nghị hợp lệ khi có ít nhất 2/3 số được triệu tập có mặt',
    source: SRC.S52,
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: false,
    note: 'Ngưỡng theo Quy định 80-QĐ/TW (2022), Điều 21 và Chỉ thị 35-CT/TW (2019); chưa xác nhận với Quy định 377-QĐ/TW.',
  },
};

export const PLANNING_RULES: PlanningRules = {
  maxCadresPerPosition: 3,
  maxPositionsPerCadrePerLevel: 3,
  forbidWithAppointment: true,
  basis: {
    citation:
      'Quy định 377-QĐ/TW (08/10/2025): mỗi chức danh quy hoạch không quá 3 cán bộ, mỗi cán bộ quy hoạch không quá 3 chức danh cùng cấp; không quy hoạch đồng thời với đề xuất bổ nhiệm, giới thiệu ứng cử',
    source: SRC.S57,
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: true,
  },
};

const COMMITTEE_STANDING = standingBoard(0, 'Ban Thường vụ cấp ủy đề xuất');
const PROVINCE_STANDING: ActorSpec = {
  body: { anchor: 'province', inner: 'standingBoard' },
  roles: ['secretary', 'deputySecretary'],
  label: 'Ban Thường vụ Tỉnh ủy',
};

const RETURN: ReturnRule = {
  returnTo: COMMITTEE_STANDING,
  reasonCodes: [
    { code: 'MISSING_DOCUMENT', labelVi: 'Hồ sơ quy hoạch thiếu giấy tờ' },
    { code: 'PLANNING_LIMITS', labelVi: 'Vượt giới hạn số cán bộ cho một chức danh hoặc số chức danh cho một cán bộ' },
    { code: 'VOTE_RECORD', labelVi: 'Biên bản, kết quả kiểm phiếu chưa đầy đủ', redoFrom: 'P2' },
  ],
  resubmitWithin: { unit: 'workingDays', n: 10 },
  basis: {
    citation: 'Trả lại bổ sung hồ sơ (quy chế làm việc của Tỉnh ủy)',
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: false,
    note: 'Không tìm thấy văn bản quy định bước trả lại và thời hạn nộp lại.',
  },
};

const deadline = provincialStepDeadline(EFFECTIVE_FROM);

export const planningV1: ProcessDefinition = deepFreeze({
  key: 'planning',
  version: 1,
  titleVi: 'Phê duyệt quy hoạch cán bộ',
  effectiveFrom: EFFECTIVE_FROM,
  basis: {
    citation: 'Quy định 377-QĐ/TW (08/10/2025) về phân cấp quản lý cán bộ và quy hoạch, bổ nhiệm, giới thiệu ứng cử',
    source: SRC.S55,
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: true,
  },
  ladderBasis: ladderBasis(EFFECTIVE_FROM),
  startStep: 'P1',
  steps: [
    {
      id: 'P1',
      title: 'Cấp ủy rà soát, đánh giá cán bộ và nguồn quy hoạch',
      actor: COMMITTEE_STANDING,
      act: 'submission',
      basis: TEMPLATE,
      deadline,
      canRefuse: false,
      next: { approved: 'P2' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'P2',
      title: 'Hội nghị cán bộ chủ chốt giới thiệu nguồn quy hoạch (bỏ phiếu kín)',
      actor: caseUnit('Cấp ủy đề xuất'),
      act: 'vote',
      basis: TEMPLATE,
      vote: MAJORITY_OF_CONVENED,
      deadline,
      canRefuse: false,
      next: { approved: 'P3', refused: REFUSED },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'P3',
      title: 'Tờ trình đề nghị phê duyệt quy hoạch gửi Tỉnh ủy',
      actor: COMMITTEE_STANDING,
      act: 'submission',
      basis: TEMPLATE,
      deadline,
      canRefuse: false,
      next: { approved: 'P4' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'P4',
      title: 'Ban Tổ chức Tỉnh ủy thẩm định',
      actor: {
        body: { anchor: 'province', inner: 'organizationBoard' },
        roles: ['head', 'deputyHead', 'specialist'],
        label: 'Ban Tổ chức Tỉnh ủy',
      },
      act: 'appraisal',
      basis: TEMPLATE,
      deadline,
      onReturn: RETURN,
      canRefuse: false,
      next: { approved: 'P5', referred: 'P5', held: 'P4' },
      ladder: SHORT_DEADLINE_LADDER,
    },
    {
      id: 'P5',
      title: 'Ban Thường vụ Tỉnh ủy phê duyệt quy hoạch',
      actor: PROVINCE_STANDING,
      act: 'vote',
      basis: TEMPLATE,
      vote: MAJORITY_OF_CONVENED,
      deadline,
      onReturn: RETURN,
      canRefuse: true,
      next: { approved: END, refused: REFUSED },
      ladder: SHORT_DEADLINE_LADDER,
    },
  ],
  rules: { planning: PLANNING_RULES },
});

/** A cadre proposed for (or planned for) a position. `positionCode` names one concrete post. */
export interface PlanningCandidate {
  cadreId: string;
  cadreName: string;
  positionCode: string;
  positionLabelVi: string;
  /** The level of the position as people name it ('cấp tỉnh', 'cấp xã'); compared as is. */
  level: string;
}

export interface PlanningProposal {
  /** The planning term, e.g. '2025–2030'. */
  term: string;
  entries: (PlanningCandidate & {
    /** The same cadre is also being proposed for appointment or nomination (bổ nhiệm, giới thiệu ứng cử). */
    withAppointment?: boolean;
  })[];
}

export interface ExistingPlanEntry extends PlanningCandidate {
  term: string;
  status: 'proposed' | 'approved' | 'removed';
}

/**
 * The planning limits a proposal would break, counting the plans already in force for the same term (removed
 * ones do not count) together with the proposal. Only positions and cadres the proposal touches are reported:
 * a position that is already over the limit is not this proposal's fault.
 */
export function checkPlanningProposal(
  proposal: PlanningProposal,
  existingPlans: ExistingPlanEntry[],
  rules: PlanningRules = PLANNING_RULES
): RuleViolation[] {
  const all: PlanningCandidate[] = [
    ...existingPlans.filter((plan) => plan.term === proposal.term && plan.status !== 'removed'),
    ...proposal.entries,
  ];
  const cadresByPosition = new Map<string, Set<string>>();
  const positionsByCadreLevel = new Map<string, Set<string>>();
  for (const entry of all) {
    addTo(cadresByPosition, entry.positionCode, entry.cadreId);
    addTo(positionsByCadreLevel, cadreLevelKey(entry), entry.positionCode);
  }

  const violations: RuleViolation[] = [];
  const reportedPositions = new Set<string>();
  const reportedCadreLevels = new Set<string>();
  const citation = 'Quy định 377-QĐ/TW';
  for (const entry of proposal.entries) {
    const cadres = cadresByPosition.get(entry.positionCode)!;
    if (cadres.size > rules.maxCadresPerPosition && !reportedPositions.has(entry.positionCode)) {
      reportedPositions.add(entry.positionCode);
      violations.push({
        code: 'TOO_MANY_CADRES_FOR_POSITION',
        messageVi: `Chức danh «${entry.positionLabelVi}» (nhiệm kỳ ${proposal.term}) sẽ có ${cadres.size} cán bộ trong quy hoạch, vượt quá tối đa ${rules.maxCadresPerPosition} cán bộ cho một chức danh (${citation}).`,
      });
    }
    const key = cadreLevelKey(entry);
    const positions = positionsByCadreLevel.get(key)!;
    if (positions.size > rules.maxPositionsPerCadrePerLevel && !reportedCadreLevels.has(key)) {
      reportedCadreLevels.add(key);
      violations.push({
        code: 'TOO_MANY_POSITIONS_FOR_CADRE',
        messageVi: `Cán bộ ${entry.cadreName} sẽ được quy hoạch vào ${positions.size} chức danh ${entry.level} (nhiệm kỳ ${proposal.term}), vượt quá tối đa ${rules.maxPositionsPerCadrePerLevel} chức danh cùng cấp (${citation}).`,
      });
    }
    if (rules.forbidWithAppointment && entry.withAppointment) {
      violations.push({
        code: 'PLANNED_WITH_APPOINTMENT',
        messageVi: `Không quy hoạch đồng thời với đề xuất bổ nhiệm, giới thiệu ứng cử: cán bộ ${entry.cadreName}, chức danh «${entry.positionLabelVi}» (${citation}).`,
      });
    }
  }
  return violations;
}

function cadreLevelKey(entry: PlanningCandidate): string {
  // JSON of a pair: no separator character can collide with the content of the ids.
  return JSON.stringify([entry.cadreId, entry.level]);
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}
