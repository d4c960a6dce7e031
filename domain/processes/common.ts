/**
 * Building blocks shared by the shipped definitions: actors relative to the case's unit, ladders, and the
 * provincial default deadline. Sources in brackets ([S5]) are those of shared/design/domain-research.md §11.
 */
import type { ActorSpec, DeadlineRule, IsoDate, LadderConfig, LegalBasis, RoleCode } from '../types';

const LEADERS: RoleCode[] = ['secretary', 'deputySecretary'];

/** The case's unit itself (the chi bộ for admission, the committee for planning and personnel). */
export function caseUnit(label: string, roles: RoleCode[] = LEADERS): ActorSpec {
  return { body: { anchor: 'caseUnit' }, roles, label };
}

/** The committee `up` levels above the case's unit (1: directly superior). */
export function superior(up: number, label: string): ActorSpec {
  return { body: { anchor: 'caseUnit', up }, roles: LEADERS, label };
}

/** The standing board (Ban Thường vụ) of the committee `up` levels above the case's unit; 0 is the unit's own. */
export function standingBoard(up: number, label: string): ActorSpec {
  return { body: { anchor: 'caseUnit', up, inner: 'standingBoard' }, roles: LEADERS, label };
}

/** The Organization Board (Ban Tổ chức) of the committee `up` levels above the case's unit. */
export function organizationBoard(up: number, label: string): ActorSpec {
  return {
    body: { anchor: 'caseUnit', up, inner: 'organizationBoard' },
    roles: ['head', 'deputyHead', 'specialist'],
    label,
  };
}

/** No due date, so nothing to remind or escalate; "report obstacle" still reaches level 3. */
export const NO_LADDER: LadderConfig = { noticeAtDue: false, maxRounds: 0 };

/** For deadlines of weeks (60 or 30 working days): remind a week ahead, escalate a week late, weekly, 3 times. */
export const LEGAL_DEADLINE_LADDER: LadderConfig = {
  reminderBefore: { unit: 'workingDays', n: 5 },
  noticeAtDue: true,
  escalateAfter: { unit: 'workingDays', n: 5 },
  repeatEvery: { unit: 'workingDays', n: 5 },
  maxRounds: 3,
};

/** For the provincial default of 10 working days a step. */
export const SHORT_DEADLINE_LADDER: LadderConfig = {
  reminderBefore: { unit: 'workingDays', n: 2 },
  noticeAtDue: true,
  escalateAfter: { unit: 'workingDays', n: 3 },
  repeatEvery: { unit: 'workingDays', n: 3 },
  maxRounds: 3,
};

/** The ladders are a province's configuration (DOMAIN.md §8), not a central rule. */
export function ladderBasis(effectiveFrom: IsoDate): LegalBasis {
  return {
    citation:
      'Quy chế làm việc của Tỉnh ủy (thang nhắc việc và cảnh báo); chậm không có lý do chính đáng phải kiểm điểm trước cấp ủy cấp trên (Quy định 232-QĐ/TW, mục 4.3.1)',
    source:
      'https://thuvienphapluat.vn/hoi-dap-phap-luat/35A5C-hd-thoi-han-tham-quyen-quyet-dinh-ket-nap-dang-vien-xet-cong-nhan-dang-vien-chinh-thuc.html',
    effectiveFrom,
    confirmed: false,
    note: 'Số ngày nhắc trước hạn, cảnh báo sau hạn và số lần nhắc lại là giá trị mặc định; quản trị viên điều chỉnh theo quy chế của tỉnh.',
  };
}

/**
 * The provincial default: 10 working days a step, extendable to 15 (+5). No Party-wide deadline was found for
 * these steps (domain-research §4.5); the figures follow a city committee's rule [S115].
 */
export function provincialStepDeadline(effectiveFrom: IsoDate): DeadlineRule {
  return {
    period: { unit: 'workingDays', n: 10 },
    from: { event: 'stepOpened' },
    maxExtension: { unit: 'workingDays', n: 5 },
    basis: {
      citation: 'Quy chế làm việc của Tỉnh ủy: mỗi bước 10 ngày làm việc, gia hạn đến 15 ngày làm việc',
      source: 'https://huggingface.co/datasets/Turbo-AI/data-doc2query-generate/viewer/default/train?p=6076',
      effectiveFrom,
      confirmed: false,
      note: 'Không tìm thấy thời hạn chung trong văn bản của Đảng; giá trị mặc định theo quy chế của một thành ủy, tỉnh tự cấu hình.',
    },
  };
}
