/**
 * Process C: admitting a party member (DOMAIN.md §3, C1–C12) and the applicant's age check. The case's unit is
 * the applicant's chi bộ; up 1 is the grassroots committee (đảng ủy cơ sở), up 2 the superior committee whose
 * standing board decides. Sources in brackets are those of shared/design/domain-research.md §11.
 */
import { domainError } from '../errors';
import type { DeadlineRule, IsoDate, LegalBasis, VoteRule } from '../types';
import {
  LEGAL_DEADLINE_LADDER,
  NO_LADDER,
  caseUnit,
  ladderBasis,
  organizationBoard,
  standingBoard,
  superior,
} from './common';
import { formatDateVi, fullMonthsBetween, isIsoDate } from './dates';
import type { EligibilityRule, ProcessDefinition, ReturnReason, ReturnRule, RuleViolation } from './model';
import { deepFreeze } from './json';
import { END, REFUSED } from './model';

const EFFECTIVE_FROM = '2025-01-20';

const SRC = {
  S4: 'http://118.69.201.250:801/phap-luat/cap-uy-ket-nap-dang-vien-trong-thoi-han-bao-lau-ai-co-tham-quyen-quyet-dinh-ket-nap-dang-vien-chinh-699568-213056.html',
  S5: 'https://thuvienphapluat.vn/hoi-dap-phap-luat/35A5C-hd-thoi-han-tham-quyen-quyet-dinh-ket-nap-dang-vien-xet-cong-nhan-dang-vien-chinh-thuc.html',
  S6: 'https://lawnet.vn/ngan-hang-phap-luat/en/tu-van-phap-luat/bo-may-hanh-chinh/deadline-for-organizing-party-member-admission-ceremonies-considering-official-party-membership-reco-1008778',
  S9: 'https://thuvienphapluat.vn/hoi-dap-phap-luat/iframe/3CA3D-hd-nghi-quyet-cua-chi-bo-va-cap-uy-co-so-xet-ket-nap-nguoi-vao-dang.html',
  S10: 'https://luatvietnam.vn/can-bo-cong-chuc/ty-le-bieu-quyet-ket-nap-dang-vien-566-95035-article.html',
  S15: 'https://tintuc.thuvienphapluat.com/ho-tro-phap-luat/tu-van-phap-luat/63136/tham-tra-ly-lich-cua-nguoi-vao-dang-nhu-the-nao',
  S16: 'https://luatduonggia.vn/giay-chung-nhan-hoc-lop-nhan-thuc-ve-dang-co-gia-tri-trong-bao-lau',
  S17: 'https://lsx.vn/mau-giay-chung-nhan-cam-tinh-dang-co-thoi-han-bao-lau/',
  S18: 'https://ezlearning.edu.vn/topic/cach-viet-quy-nap',
  S22: 'https://luatlvn.com/2023/05/26/thu-tuc-de-nghi-ket-nap-dang-vien-moi-nam-2023/',
  S24: 'https://hoathanh.tayninh.gov.vn/vi/news/tin-dang-doan-the/h-a-th-nh-quan-t-m--n-c-ng-t-c-ph-t-tri-n--ng-vi-n-m-i-877.html',
  S106: 'http://truongchinhtrithainguyen.gov.vn/vi/gioi-thieu-van-ban-moi/gioi-thieu-van-ban-moi/quy-dinh-so-232-qd-tw-ngay-20-01-2025-cua-ban-chap-hanh-trung-uong-ve-thi-hanh-dieu-le-dang-182.html',
  S108: 'https://beta.thuvienphapluat.vn/phap-luat/nghi-quyet-de-nghi-ket-nap-dang-vien-mau-8-knd-cua-dang-uy-co-so-dang-uy-co-so-co-quyen-quyet-dinh--57507-182302.html',
  S110: 'https://brvtweb.edu.vn/ket-nap-dang-vien',
} as const;

const CHARTER: LegalBasis = {
  citation: 'Điều lệ Đảng (2011), Điều 4: thủ tục kết nạp đảng viên',
  source: SRC.S22,
  effectiveFrom: '2011-01-19',
  confirmed: true,
};

const FORMS: LegalBasis = {
  citation: 'Hướng dẫn 12-HD/BTCTW (18/01/2022) về nghiệp vụ công tác đảng viên, các mẫu 1-KNĐ đến 9-KNĐ',
  source: SRC.S18,
  effectiveFrom: '2022-01-18',
  confirmed: true,
};

/** Quy định 232-QĐ/TW, mục 4.3.1 and 4.3.2; QĐ 294-QĐ/TW replaced it on 01/7/2025 (full text not read). */
const DECISION_NOTE = 'Quy định 294-QĐ/TW thay thế từ 01/7/2025; chưa đối chiếu toàn văn, thời hạn được nêu như cũ.';

const STALE_12_MONTHS: LegalBasis = {
  citation:
    'Hướng dẫn 01-HD/TW (28/9/2021), mục 3: quá 12 tháng chi bộ chưa xét thì phải làm lại giới thiệu, nghị quyết đoàn thể, tổng hợp ý kiến',
  source: SRC.S16,
  effectiveFrom: '2021-09-28',
  confirmed: true,
  note: 'Chưa xác nhận Hướng dẫn 06-HD/TW (2025) có thay đổi thời hạn này hay không.',
};

const CERTIFICATE_60_MONTHS: LegalBasis = {
  citation: 'Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng có giá trị 60 tháng (Hướng dẫn 154-HD/BTGTW, 2020)',
  source: SRC.S17,
  effectiveFrom: '2020-01-01',
  confirmed: true,
  note: 'Ngày hiệu lực ghi theo năm ban hành; thời hạn theo [S17][S18].',
};

/** A return for supplement is not a step found in the texts (domain-research §3.5): the loop is a design choice. */
const RETURN_LOOP: LegalBasis = {
  citation: 'Trả lại bổ sung hồ sơ (quy trình nội bộ của tỉnh)',
  effectiveFrom: EFFECTIVE_FROM,
  confirmed: false,
  note: 'Không tìm thấy văn bản quy định bước trả lại bổ sung hay thời hạn nộp lại; thời hạn 60 ngày làm việc tính từ nghị quyết chi bộ (C8) vẫn chạy, trừ khi chi bộ ra nghị quyết mới.',
};

const REASON_MISSING: ReturnReason = { code: 'MISSING_DOCUMENT', labelVi: 'Hồ sơ thiếu giấy tờ hoặc biểu mẫu' };
const REASON_VERIFICATION: ReturnReason = {
  code: 'VERIFICATION_INCOMPLETE',
  labelVi: 'Thẩm tra lý lịch chưa đầy đủ',
  redoFrom: 'C5',
};
const REASON_STALE: ReturnReason = {
  code: 'STALE_DOCUMENTS',
  labelVi: 'Giới thiệu, nghị quyết đoàn thể, tổng hợp ý kiến quá 12 tháng phải làm lại',
  redoFrom: 'C6',
};
const REASON_CERTIFICATE: ReturnReason = {
  code: 'EXPIRED_CERTIFICATE',
  labelVi: 'Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng quá 60 tháng',
  redoFrom: 'C2',
};
const REASON_POLITICAL: ReturnReason = {
  code: 'POLITICAL_STANDARD',
  labelVi: 'Cần làm rõ tiêu chuẩn chính trị',
};

function returnRule(to: 'cell' | 'chiUy' | 'grassroots', reasonCodes: ReturnReason[]): ReturnRule {
  const returnTo = {
    cell: caseUnit('Chi bộ'),
    chiUy: caseUnit('Chi ủy', ['secretary', 'deputySecretary', 'committeeMember']),
    grassroots: superior(1, 'Đảng ủy cơ sở'),
  }[to];
  return { returnTo, reasonCodes, resubmitWithin: { unit: 'workingDays', n: 10 }, basis: RETURN_LOOP };
}

function twoThirdsVote(base: 'officialMembers' | 'committeeMembers', maxRounds: number, basis: LegalBasis): VoteRule {
  return { base, threshold: { op: '>=', num: 2, den: 3 }, maxRounds, basis };
}

/** The decision deadline: 60 working days from the chi bộ resolution (C8), +30 in special cases. */
const DECISION_DEADLINE: DeadlineRule = {
  period: { unit: 'workingDays', n: 60 },
  from: { event: 'stepCompleted', step: 'C8' },
  maxExtension: { unit: 'workingDays', n: 30 },
  basis: {
    citation:
      'Quy định 232-QĐ/TW (20/01/2025), mục 4.3.1: quyết định kết nạp trong 60 ngày làm việc kể từ ngày chi bộ có nghị quyết; trường hợp đặc biệt gia hạn không quá 30 ngày làm việc',
    source: SRC.S4,
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: true,
    note: DECISION_NOTE,
  },
};

/** C9 and C10 have no deadline of their own; they share the C11 clock so that a stalled appraisal escalates. */
const SHARED_DECISION_CLOCK: DeadlineRule = {
  period: { unit: 'workingDays', n: 60 },
  from: { event: 'stepCompleted', step: 'C8' },
  basis: {
    citation: 'Không có thời hạn riêng; dùng thời hạn 60 ngày làm việc của quyết định kết nạp (C11)',
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: false,
    note: 'Không tìm thấy thời hạn cho nghị quyết của đảng ủy cơ sở và cho thẩm định của Ban Tổ chức (domain-research §10.5).',
  },
};

export const ADMISSION_ELIGIBILITY: EligibilityRule = {
  minAgeMonths: 18 * 12,
  maxAgeMonths: 60 * 12,
  measuredAt: 'C8',
  overMaxConsentVi: 'Ban Thường vụ Tỉnh ủy đồng ý bằng văn bản trước khi quyết định kết nạp',
  basis: {
    citation:
      'Quy định 232-QĐ/TW (20/01/2025): tuổi đời từ đủ 18 đến 60 tuổi, tính theo tháng, đến ngày chi bộ xét; trên 60 tuổi do cấp ủy trực thuộc Trung ương xem xét',
    source: SRC.S106,
    effectiveFrom: EFFECTIVE_FROM,
    confirmed: true,
  },
};

export const admissionV1: ProcessDefinition = deepFreeze({
  key: 'admission',
  version: 1,
  titleVi: 'Kết nạp đảng viên',
  effectiveFrom: EFFECTIVE_FROM,
  basis: CHARTER,
  ladderBasis: ladderBasis(EFFECTIVE_FROM),
  startStep: 'C1',
  steps: [
    {
      id: 'C1',
      title: 'Chi bộ xét danh sách quần chúng ưu tú, cử đi học lớp bồi dưỡng nhận thức về Đảng',
      actor: caseUnit('Chi bộ'),
      act: 'signature',
      basis: {
        citation: 'Hướng dẫn 12-HD/BTCTW (18/01/2022): chi bộ xét danh sách quần chúng ưu tú hằng tháng',
        source: SRC.S110,
        effectiveFrom: '2022-01-18',
        confirmed: true,
        note: 'Nhịp xét hằng tháng, không phải thời hạn của hồ sơ.',
      },
      canRefuse: true,
      next: { approved: 'C2', refused: REFUSED },
      ladder: NO_LADDER,
    },
    {
      id: 'C2',
      title: 'Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng',
      actor: {
        body: { anchor: 'caseUnit', up: 2, inner: 'politicalCentre' },
        roles: ['head', 'deputyHead'],
        label: 'Trung tâm chính trị',
      },
      act: 'documentCheck',
      basis: {
        ...CERTIFICATE_60_MONTHS,
        confirmed: false,
        note: 'Chưa xác nhận trung tâm nào cấp giấy chứng nhận từ khi bỏ cấp huyện (domain-research §10.6); cơ quan cấp là dữ liệu tổ chức.',
      },
      canRefuse: false,
      documents: [
        {
          code: 'AWARENESS_CERTIFICATE',
          labelVi: 'Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng',
          maxAgeMonths: 60,
          basis: CERTIFICATE_60_MONTHS,
        },
      ],
      next: { approved: 'C3' },
      ladder: NO_LADDER,
    },
    {
      id: 'C3',
      title: 'Đơn xin vào Đảng (mẫu 1-KNĐ)',
      actor: caseUnit('Người vào Đảng', ['applicant']),
      act: 'submission',
      basis: FORMS,
      canRefuse: false,
      documents: [{ code: 'APPLICATION', labelVi: 'Đơn xin vào Đảng (mẫu 1-KNĐ)' }],
      next: { approved: 'C4' },
      ladder: NO_LADDER,
    },
    {
      id: 'C4',
      title: 'Lý lịch của người xin vào Đảng (mẫu 2-KNĐ)',
      actor: caseUnit('Người vào Đảng', ['applicant']),
      act: 'submission',
      basis: FORMS,
      canRefuse: false,
      documents: [{ code: 'PERSONAL_HISTORY', labelVi: 'Lý lịch của người xin vào Đảng (mẫu 2-KNĐ)' }],
      next: { approved: 'C5' },
      ladder: NO_LADDER,
    },
    {
      id: 'C5',
      title: 'Thẩm tra, xác minh và kết luận lý lịch',
      actor: superior(1, 'Đảng ủy cơ sở'),
      act: 'signature',
      basis: {
        citation: 'Hướng dẫn 01-HD/TW (28/9/2021), mục 3.3–3.4: cấp ủy cơ sở thẩm tra lý lịch người vào Đảng',
        source: SRC.S15,
        effectiveFrom: '2021-09-28',
        confirmed: true,
        note: 'Không có thời hạn trong văn bản; tỉnh có thể đặt thời hạn bằng một phiên bản mới.',
      },
      canRefuse: true,
      documents: [{ code: 'VERIFICATION', labelVi: 'Kết luận thẩm tra lý lịch của cấp ủy cơ sở' }],
      next: { approved: 'C6', refused: REFUSED },
      ladder: NO_LADDER,
    },
    {
      id: 'C6',
      title: 'Giới thiệu người vào Đảng (mẫu 3-KNĐ; hoặc nghị quyết giới thiệu của Đoàn, mẫu 4-KNĐ)',
      actor: caseUnit('Đảng viên chính thức giới thiệu', ['officialMember']),
      act: 'signature',
      basis: {
        ...CHARTER,
        citation:
          'Điều lệ Đảng (2011), Điều 4: hai đảng viên chính thức giới thiệu (đã cùng công tác ít nhất 1 năm), hoặc nghị quyết giới thiệu của Đoàn và một đảng viên chính thức',
      },
      canRefuse: false,
      documents: [
        { code: 'INTRODUCTION', labelVi: 'Giấy giới thiệu người vào Đảng (mẫu 3-KNĐ)' },
        {
          code: 'UNION_RESOLUTION',
          labelVi: 'Nghị quyết giới thiệu đoàn viên vào Đảng (mẫu 4-KNĐ)',
          conditionVi: 'Người vào Đảng trong độ tuổi đoàn viên, nơi có tổ chức Đoàn',
        },
      ],
      next: { approved: 'C7' },
      ladder: NO_LADDER,
    },
    {
      id: 'C7',
      title: 'Tổng hợp ý kiến nhận xét của đoàn thể và chi bộ nơi cư trú (mẫu 5-KNĐ)',
      actor: caseUnit('Chi ủy', ['secretary', 'deputySecretary', 'committeeMember']),
      act: 'submission',
      basis: FORMS,
      canRefuse: false,
      documents: [{ code: 'COMPILED_OPINIONS', labelVi: 'Tổng hợp ý kiến nhận xét (mẫu 5-KNĐ)' }],
      next: { approved: 'C8' },
      ladder: NO_LADDER,
    },
    {
      id: 'C8',
      title: 'Nghị quyết chi bộ đề nghị kết nạp (mẫu 6-KNĐ)',
      actor: caseUnit('Chi bộ'),
      act: 'vote',
      basis: FORMS,
      vote: twoThirdsVote('officialMembers', 3, {
        citation: 'Hướng dẫn 01-HD/TW (28/9/2021), mục 3.6: ít nhất hai phần ba số đảng viên chính thức tán thành',
        source: SRC.S9,
        effectiveFrom: '2021-09-28',
        confirmed: true,
        note: 'Các trường hợp trừ khỏi tổng số (miễn sinh hoạt, đình chỉ) chưa được xác nhận nên chưa áp dụng.',
      }),
      onVoteFailed: {
        maxRounds: 3,
        then: 'escalateToSuperior',
        basis: {
          citation:
            'Quy định 24-QĐ/TW (30/7/2021), mục 4.2.3: ba lần biểu quyết không đạt hai phần ba thì báo cáo cấp ủy cấp trên trực tiếp xem xét, quyết định',
          source: SRC.S6,
          effectiveFrom: '2021-07-30',
          confirmed: false,
          note: 'Văn bản nêu quy tắc ba lần cho công nhận đảng viên chính thức; áp dụng cho kết nạp theo DOMAIN.md §3, chưa xác nhận.',
        },
      },
      onReturn: returnRule('chiUy', [REASON_MISSING, REASON_STALE, REASON_CERTIFICATE]),
      canRefuse: true,
      documents: [
        {
          code: 'AWARENESS_CERTIFICATE',
          labelVi: 'Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng',
          maxAgeMonths: 60,
          onStale: 'EXPIRED_CERTIFICATE',
          basis: CERTIFICATE_60_MONTHS,
        },
        { code: 'APPLICATION', labelVi: 'Đơn xin vào Đảng (mẫu 1-KNĐ)' },
        { code: 'PERSONAL_HISTORY', labelVi: 'Lý lịch của người xin vào Đảng (mẫu 2-KNĐ)' },
        { code: 'VERIFICATION', labelVi: 'Kết luận thẩm tra lý lịch của cấp ủy cơ sở' },
        {
          code: 'INTRODUCTION',
          labelVi: 'Giấy giới thiệu người vào Đảng (mẫu 3-KNĐ)',
          maxAgeMonths: 12,
          onStale: 'STALE_DOCUMENTS',
          basis: STALE_12_MONTHS,
        },
        {
          code: 'UNION_RESOLUTION',
          labelVi: 'Nghị quyết giới thiệu đoàn viên vào Đảng (mẫu 4-KNĐ)',
          conditionVi: 'Người vào Đảng trong độ tuổi đoàn viên, nơi có tổ chức Đoàn',
          maxAgeMonths: 12,
          onStale: 'STALE_DOCUMENTS',
          basis: STALE_12_MONTHS,
        },
        {
          code: 'COMPILED_OPINIONS',
          labelVi: 'Tổng hợp ý kiến nhận xét (mẫu 5-KNĐ)',
          maxAgeMonths: 12,
          onStale: 'STALE_DOCUMENTS',
          basis: STALE_12_MONTHS,
        },
      ],
      next: { approved: 'C9', refused: REFUSED, escalated: 'C9' },
      ladder: NO_LADDER,
    },
    {
      id: 'C9',
      title: 'Nghị quyết của đảng ủy cơ sở đề nghị kết nạp (mẫu 8-KNĐ)',
      actor: superior(1, 'Đảng ủy cơ sở'),
      act: 'vote',
      basis: { ...FORMS, source: SRC.S108 },
      vote: twoThirdsVote('committeeMembers', 1, {
        citation: 'Hướng dẫn 01-HD/TW (28/9/2021), mục 3.6c: ít nhất hai phần ba số cấp ủy viên tán thành',
        source: SRC.S10,
        effectiveFrom: '2021-09-28',
        confirmed: true,
      }),
      onVoteFailed: {
        maxRounds: 1,
        then: 'escalateToSuperior',
        basis: {
          citation:
            'Hướng dẫn 01-HD/TW (28/9/2021), mục 3.6c: không đạt hai phần ba thì báo cáo đầy đủ kết quả lên cấp ủy cấp trên xem xét',
          source: SRC.S10,
          effectiveFrom: '2021-09-28',
          confirmed: true,
        },
      },
      deadline: SHARED_DECISION_CLOCK,
      onReturn: returnRule('cell', [REASON_MISSING, REASON_VERIFICATION, REASON_STALE]),
      canRefuse: false,
      next: { approved: 'C10', escalated: 'C10' },
      ladder: LEGAL_DEADLINE_LADDER,
    },
    {
      id: 'C10',
      title: 'Ban Tổ chức cấp ủy cấp trên thẩm định hồ sơ',
      actor: organizationBoard(2, 'Ban Tổ chức cấp ủy cấp trên'),
      act: 'appraisal',
      basis: {
        citation:
          'Ban Tổ chức cấp ủy cấp trên thẩm định hồ sơ, đề nghị Ban Thường vụ: đề nghị kết nạp, xin ý kiến, hoặc để lại sưu tra chính trị nội bộ',
        source: SRC.S24,
        effectiveFrom: EFFECTIVE_FROM,
        confirmed: false,
        note: 'Mô tả theo thực tiễn của một huyện ủy [S24]; không tìm thấy văn bản quy định bước và thời hạn thẩm định.',
      },
      deadline: SHARED_DECISION_CLOCK,
      onReturn: returnRule('grassroots', [REASON_MISSING, REASON_VERIFICATION, REASON_STALE, REASON_CERTIFICATE]),
      canRefuse: false,
      next: { approved: 'C11', referred: 'C11', held: 'C10' },
      ladder: LEGAL_DEADLINE_LADDER,
    },
    {
      id: 'C11',
      title: 'Quyết định kết nạp đảng viên (mẫu 9-KNĐ)',
      actor: standingBoard(2, 'Ban Thường vụ cấp ủy cấp trên'),
      act: 'signature',
      basis: {
        citation:
          'Quy định 232-QĐ/TW (20/01/2025), mục 4.3.2: ban thường vụ cấp ủy cấp trên trực tiếp của tổ chức cơ sở đảng tập thể xem xét, quyết định; bí thư hoặc phó bí thư ký',
        source: SRC.S5,
        effectiveFrom: EFFECTIVE_FROM,
        confirmed: false,
        note: 'Từ 01/7/2025 cấp trên trực tiếp của tổ chức cơ sở đảng được cho là đảng ủy xã, phường; chưa đối chiếu Quy định 294-QĐ/TW mục 4.3.2.',
      },
      deadline: DECISION_DEADLINE,
      onReturn: returnRule('grassroots', [REASON_MISSING, REASON_VERIFICATION, REASON_STALE, REASON_POLITICAL]),
      canRefuse: true,
      next: { approved: 'C12', refused: REFUSED },
      ladder: LEGAL_DEADLINE_LADDER,
    },
    {
      id: 'C12',
      title: 'Tổ chức lễ kết nạp đảng viên',
      actor: caseUnit('Chi bộ'),
      act: 'ceremony',
      basis: FORMS,
      deadline: {
        period: { unit: 'workingDays', n: 30 },
        from: { event: 'stepCompleted', step: 'C11' },
        basis: {
          citation:
            'Quy định 232-QĐ/TW (20/01/2025), mục 4.1: tổ chức lễ kết nạp trong 30 ngày làm việc kể từ ngày nhận quyết định',
          source: SRC.S4,
          effectiveFrom: EFFECTIVE_FROM,
          confirmed: true,
          note: 'Tính từ khi có quyết định (C11 hoàn thành); văn bản tính từ ngày chi bộ nhận quyết định.',
        },
      },
      afterDeadline: {
        requiresConsentOf: superior(1, 'Cấp ủy cấp trên trực tiếp của chi bộ'),
        basis: {
          citation:
            'Quy định 24-QĐ/TW (30/7/2021), mục 4.1: quá thời hạn phải báo cáo và được cấp ủy cấp trên trực tiếp đồng ý',
          source: SRC.S6,
          effectiveFrom: '2021-07-30',
          confirmed: true,
        },
      },
      canRefuse: false,
      next: { approved: END },
      ladder: LEGAL_DEADLINE_LADDER,
    },
  ],
  rules: { eligibility: ADMISSION_ELIGIBILITY },
});

export interface EligibilityCheck {
  /** Full months of age on the day of the chi bộ vote. */
  ageMonths: number;
  eligible: boolean;
  violations: RuleViolation[];
}

function ageVi(months: number): string {
  const years = Math.floor(months / 12);
  const rest = months % 12;
  return rest === 0 ? `${years} tuổi` : `${years} tuổi ${rest} tháng`;
}

/**
 * The applicant's age on the day the chi bộ votes (C8), in full months. 18 years is 216 months and 60 years is
 * 720: someone born on 2008-03-15 is 17 years 11 months (215) on 2026-03-14 and 18 years (216) on 2026-03-15.
 * Older than `maxAgeMonths` needs the written consent named in the rule.
 */
export function checkAdmissionEligibility(
  input: { birthDate: IsoDate; voteDate: IsoDate; overAgeConsent?: boolean },
  rule: EligibilityRule = ADMISSION_ELIGIBILITY
): EligibilityCheck {
  if (!isIsoDate(input.birthDate) || !isIsoDate(input.voteDate)) {
    throw domainError(
      'INVALID_INPUT',
      `invalid date: birthDate=${input.birthDate}, voteDate=${input.voteDate}`,
      'Ngày sinh hoặc ngày chi bộ xét không phải ngày hợp lệ (YYYY-MM-DD).'
    );
  }
  const ageMonths = fullMonthsBetween(input.birthDate, input.voteDate);
  const on = formatDateVi(input.voteDate);
  const violations: RuleViolation[] = [];
  if (ageMonths < rule.minAgeMonths) {
    violations.push({
      code: 'UNDER_MIN_AGE',
      messageVi: `Người vào Đảng mới ${ageVi(Math.max(ageMonths, 0))} vào ngày chi bộ xét (${on}); phải đủ ${ageVi(rule.minAgeMonths)}.`,
    });
  } else if (ageMonths > rule.maxAgeMonths && !input.overAgeConsent) {
    violations.push({
      code: 'OVER_MAX_AGE',
      messageVi: `Người vào Đảng đã ${ageVi(ageMonths)} vào ngày chi bộ xét (${on}), quá ${ageVi(rule.maxAgeMonths)}: cần ${rule.overMaxConsentVi}.`,
    });
  }
  return { ageMonths, eligible: violations.length === 0, violations };
}
