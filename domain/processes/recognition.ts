/**
 * Official recognition of a probationary member (DOMAIN.md §3, C13–C17). The case starts on the day of the
 * admission ceremony; the case's unit is the member's chi bộ, as for admission. Sources in brackets are those
 * of shared/design/domain-research.md §11.
 */
import type { DeadlineRule, LegalBasis, VoteRule } from '../types';
import { LEGAL_DEADLINE_LADDER, NO_LADDER, caseUnit, ladderBasis, standingBoard, superior } from './common';
import type { ProcessDefinition, ReturnRule, VoteFailureRule } from './model';
import { deepFreeze } from './json';
import { END, REFUSED } from './model';

const EFFECTIVE_FROM = '2025-01-20';

const SRC = {
  S5: 'https://thuvienphapluat.vn/hoi-dap-phap-luat/35A5C-hd-thoi-han-tham-quyen-quyet-dinh-ket-nap-dang-vien-xet-cong-nhan-dang-vien-chinh-thuc.html',
  S6: 'https://lawnet.vn/ngan-hang-phap-luat/en/tu-van-phap-luat/bo-may-hanh-chinh/deadline-for-organizing-party-member-admission-ceremonies-considering-official-party-membership-reco-1008778',
  S7: 'https://thuvienphapluat.vn/hoi-dap-phap-luat/83A048F-hd-dang-vien-du-bi-duoc-cong-nhan-chinh-thuc-vao-thoi-diem-nao.html',
  S8: 'https://thuvienphapluat.vn/hoi-dap-phap-luat/4CFA4-hd-dang-vien-du-bi-co-duoc-cong-nhan-chinh-thuc-khi-chi-co-mot-phan-ba-cap-uy-vien-dong-y-khong.html',
  S26: 'https://luatvietnam.vn/can-bo-cong-chuc/tuoi-dang-tinh-tu-thoi-diem-nao-566-28649-article.html',
  S28: 'http://vanxuan.net/dangcs/ChuyenDangChinhThuc.html',
} as const;

const FORMS: LegalBasis = {
  citation: 'Hướng dẫn 12-HD/BTCTW (18/01/2022), các mẫu 10-KNĐ đến 15-KNĐ',
  source: SRC.S28,
  effectiveFrom: '2022-01-18',
  confirmed: true,
};

const TWO_THIRDS: LegalBasis = {
  citation:
    'Quy định 24-QĐ/TW (30/7/2021), mục 4.2: biểu quyết công nhận đảng viên chính thức như khi kết nạp (ít nhất hai phần ba)',
  source: SRC.S6,
  effectiveFrom: '2021-07-30',
  confirmed: true,
};

const THREE_ROUNDS: VoteFailureRule = {
  maxRounds: 3,
  then: 'escalateToSuperior',
  basis: {
    citation:
      'Quy định 24-QĐ/TW (30/7/2021), mục 4.2.3: ba lần biểu quyết không đạt hai phần ba thì báo cáo cấp ủy cấp trên trực tiếp và cấp ủy có thẩm quyền xem xét, quyết định',
    source: SRC.S8,
    effectiveFrom: '2021-07-30',
    confirmed: true,
  },
};

function twoThirdsVote(base: 'officialMembers' | 'committeeMembers'): VoteRule {
  return { base, threshold: { op: '>=', num: 2, den: 3 }, maxRounds: 3, basis: TWO_THIRDS };
}

const RETURN_LOOP: LegalBasis = {
  citation: 'Trả lại bổ sung hồ sơ (quy trình nội bộ của tỉnh)',
  effectiveFrom: EFFECTIVE_FROM,
  confirmed: false,
  note: 'Không tìm thấy văn bản quy định bước trả lại bổ sung hay thời hạn nộp lại (domain-research §3.5).',
};

function returnRule(returnTo: ReturnRule['returnTo']): ReturnRule {
  return {
    returnTo,
    reasonCodes: [
      { code: 'MISSING_DOCUMENT', labelVi: 'Hồ sơ thiếu giấy tờ hoặc biểu mẫu' },
      { code: 'REVIEW_INCOMPLETE', labelVi: 'Nhận xét, đánh giá đảng viên dự bị chưa đầy đủ', redoFrom: 'C15' },
    ],
    resubmitWithin: { unit: 'workingDays', n: 10 },
    basis: RETURN_LOOP,
  };
}

/** The recognition decision: 30 working days from the chi bộ resolution (C15), +30 in special cases. */
const DECISION_DEADLINE: DeadlineRule = {
  period: { unit: 'workingDays', n: 30 },
  from: { event: 'stepCompleted', step: 'C15' },
  maxExtension: { unit: 'workingDays', n: 30 },
  basis: {
    citation:
      'Quy định 232-QĐ/TW (20/01/2025), mục 4.3.1: quyết định công nhận đảng viên chính thức trong 30 ngày làm việc kể từ ngày chi bộ có nghị quyết; gia hạn không quá 30 ngày làm việc',
    source: SRC.S5,
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: true,
    note: 'Quy định 294-QĐ/TW thay thế từ 01/7/2025; chưa đối chiếu toàn văn.',
  },
};

export const recognitionV1: ProcessDefinition = deepFreeze({
  key: 'recognition',
  version: 1,
  titleVi: 'Công nhận đảng viên chính thức',
  effectiveFrom: EFFECTIVE_FROM,
  basis: {
    citation: 'Điều lệ Đảng (2011), Điều 5: thời kỳ dự bị 12 tháng tính từ ngày chi bộ tổ chức lễ kết nạp',
    source: SRC.S26,
    effectiveFrom: '2011-01-19',
    confirmed: true,
  },
  ladderBasis: ladderBasis(EFFECTIVE_FROM),
  startStep: 'C13',
  steps: [
    {
      id: 'C13',
      title: 'Thời kỳ dự bị 12 tháng; chi bộ phân công đảng viên chính thức giúp đỡ',
      actor: caseUnit('Chi bộ'),
      act: 'waitingPeriod',
      basis: {
        citation: 'Điều lệ Đảng (2011), Điều 5',
        source: SRC.S26,
        effectiveFrom: '2011-01-19',
        confirmed: true,
      },
      deadline: {
        period: { unit: 'calendarMonths', n: 12 },
        from: { event: 'stepOpened' },
        basis: {
          citation: 'Điều lệ Đảng (2011), Điều 5: thời kỳ dự bị 12 tháng tính từ ngày lễ kết nạp',
          source: SRC.S26,
          effectiveFrom: '2011-01-19',
          confirmed: true,
          note: 'Bước mở vào ngày lễ kết nạp.',
        },
      },
      canRefuse: false,
      next: { approved: 'C15' },
      ladder: NO_LADDER,
    },
    {
      id: 'C15',
      title: 'Chi bộ xét, đề nghị công nhận đảng viên chính thức (mẫu 10, 11, 12, 13-KNĐ)',
      actor: caseUnit('Chi bộ'),
      act: 'vote',
      basis: FORMS,
      vote: twoThirdsVote('officialMembers'),
      onVoteFailed: THREE_ROUNDS,
      deadline: {
        period: { unit: 'workingDays', n: 30 },
        from: { event: 'stepCompleted', step: 'C13' },
        basis: {
          citation:
            'Quy định 24-QĐ/TW (30/7/2021), mục 4.2.1: chi bộ xét công nhận chính thức trong 30 ngày làm việc kể từ khi hết 12 tháng dự bị',
          source: SRC.S6,
          effectiveFrom: '2021-07-30',
          confirmed: true,
        },
      },
      canRefuse: true,
      documents: [
        { code: 'SELF_REVIEW', labelVi: 'Bản tự kiểm điểm của đảng viên dự bị (mẫu 10-KNĐ)' },
        { code: 'HELPER_ASSESSMENT', labelVi: 'Bản nhận xét của đảng viên giúp đỡ (mẫu 11-KNĐ)' },
        {
          code: 'COMPILED_OPINIONS',
          labelVi: 'Tổng hợp ý kiến nhận xét của đoàn thể và chi bộ nơi cư trú (mẫu 12-KNĐ)',
        },
        {
          code: 'NEW_MEMBER_CERTIFICATE',
          labelVi: 'Giấy chứng nhận học lớp bồi dưỡng lý luận chính trị cho đảng viên mới',
        },
      ],
      // A refusal here is the chi bộ's proposal to strike the member from the probationary list.
      next: { approved: 'C16', refused: REFUSED, escalated: 'C16' },
      ladder: LEGAL_DEADLINE_LADDER,
    },
    {
      id: 'C16',
      title: 'Nghị quyết của đảng ủy cơ sở đề nghị công nhận đảng viên chính thức (mẫu 15-KNĐ)',
      actor: superior(1, 'Đảng ủy cơ sở'),
      act: 'vote',
      basis: FORMS,
      vote: twoThirdsVote('committeeMembers'),
      onVoteFailed: THREE_ROUNDS,
      deadline: {
        period: { unit: 'workingDays', n: 30 },
        from: { event: 'stepCompleted', step: 'C15' },
        basis: {
          citation: 'Không có thời hạn riêng; dùng thời hạn 30 ngày làm việc của quyết định công nhận (C17)',
          effectiveFrom: EFFECTIVE_FROM,
          confirmed: false,
          note: 'Không tìm thấy thời hạn cho nghị quyết của đảng ủy cơ sở (domain-research §10.5).',
        },
      },
      onReturn: returnRule(caseUnit('Chi bộ')),
      canRefuse: false,
      next: { approved: 'C17', escalated: 'C17' },
      ladder: LEGAL_DEADLINE_LADDER,
    },
    {
      id: 'C17',
      title: 'Quyết định công nhận đảng viên chính thức',
      actor: standingBoard(2, 'Ban Thường vụ cấp ủy cấp trên'),
      act: 'signature',
      basis: {
        citation: 'Quy định 232-QĐ/TW (20/01/2025), mục 4.3.2: cùng thẩm quyền với quyết định kết nạp',
        source: SRC.S5,
        effectiveFrom: EFFECTIVE_FROM,
        confirmed: false,
        note: 'Từ 01/7/2025 cấp trên trực tiếp của tổ chức cơ sở đảng được cho là đảng ủy xã, phường; chưa đối chiếu Quy định 294-QĐ/TW.',
      },
      deadline: DECISION_DEADLINE,
      onReturn: returnRule(superior(1, 'Đảng ủy cơ sở')),
      canRefuse: true,
      next: { approved: END, refused: REFUSED },
      ladder: LEGAL_DEADLINE_LADDER,
    },
  ],
  rules: {
    recognition: {
      officialFrom: 'probationEnd',
      basis: {
        citation:
          'Quy định 24-QĐ/TW (30/7/2021), mục 4.2: đảng viên dự bị đủ điều kiện được công nhận chính thức từ khi hết 12 tháng dự bị, kể cả khi chi bộ hoặc cấp ủy xét chậm',
        source: SRC.S7,
        effectiveFrom: '2021-07-30',
        confirmed: true,
      },
    },
  },
});
