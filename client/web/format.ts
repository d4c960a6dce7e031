/** How the web pages say things: dates dd/mm/yyyy, deadlines both ways, statuses, badges. */
import { vnDateOf } from '../../domain/calendar/days';
import { formatDateVi } from '../../domain/calendar/format';
import type { VietnamWorkingCalendar } from '../../domain/calendar/working-calendar';
import type { RoleCode } from '../../domain/types';
import { html, type SafeHtml } from './html';

export const dateVi = (ms: number): string => formatDateVi(vnDateOf(ms));

/** '03/03/2026 14:05' (Vietnam time). */
export function dateTimeVi(ms: number): string {
  const d = new Date(ms + 7 * 3_600_000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${dateVi(ms)} ${hh}:${mm}`;
}

/** '2026-03-03' → '03/03/2026', leaving anything else as it is. */
export const isoDateVi = (iso: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? formatDateVi(iso) : iso);

export const CASE_STATUS_VI: Record<string, string> = {
  open: 'Đang xử lý',
  returned: 'Bị trả lại bổ sung',
  completed: 'Đã hoàn thành',
  refused: 'Không được chấp thuận',
  withdrawn: 'Đã rút hồ sơ',
  escalatedToSuperior: 'Chuyển cấp ủy cấp trên',
};

export const STEP_STATUS_VI: Record<string, string> = {
  open: 'Đang chờ xử lý',
  returned: 'Đang chờ bổ sung',
  done: 'Đã xong',
};

export const OUTCOME_VI: Record<string, string> = {
  approved: 'Thông qua',
  refused: 'Không thông qua',
  escalated: 'Chuyển cấp trên',
  referred: 'Xin ý kiến Ban Thường vụ',
  held: 'Tạm dừng để thẩm tra chính trị',
};

export const AUDIT_TYPE_VI: Record<string, string> = {
  caseStarted: 'Mở hồ sơ',
  stepOpened: 'Mở bước',
  stepClosed: 'Kết thúc bước',
  caseClosed: 'Kết thúc hồ sơ',
  approve: 'Ký/duyệt',
  refuse: 'Từ chối',
  return: 'Trả lại bổ sung',
  resubmit: 'Nộp lại hồ sơ',
  vote: 'Ghi kết quả biểu quyết',
  appraise: 'Thẩm định',
  extend: 'Gia hạn',
  obstacle: 'Báo cáo vướng mắc',
  delegate: 'Ủy quyền',
  withdraw: 'Rút hồ sơ',
  approved: 'Ký/duyệt',
  refused: 'Từ chối',
  returned: 'Trả lại bổ sung',
  resubmitted: 'Nộp lại hồ sơ',
  voted: 'Ghi kết quả biểu quyết',
  appraised: 'Thẩm định',
  extended: 'Gia hạn',
  obstacleReported: 'Báo cáo vướng mắc',
  delegated: 'Ủy quyền',
  withdrawn: 'Rút hồ sơ',
  ladder: 'Nhắc hạn / cảnh báo',
  periodEnded: 'Hết thời gian chờ',
};

export const ROLE_VI: Record<RoleCode, string> = {
  secretary: 'Bí thư',
  deputySecretary: 'Phó Bí thư',
  standingMember: 'Ủy viên Ban Thường vụ',
  committeeMember: 'Cấp ủy viên',
  head: 'Trưởng ban',
  deputyHead: 'Phó Trưởng ban',
  specialist: 'Chuyên viên',
  officialMember: 'Đảng viên chính thức',
  probationaryMember: 'Đảng viên dự bị',
  applicant: 'Người vào Đảng',
};

export type BadgeKind = 'overdue' | 'escalated' | 'soon' | 'returned' | 'done' | 'closed';

export function badge(kind: BadgeKind, text: string): SafeHtml {
  return html`<span class="badge badge-${kind}">${text}</span>`;
}

export interface DueInfo {
  dueAt?: number;
  status: string;
  escalationLevel?: string;
}

/** Working days from now until the due date (0 on the due day itself), or overdue days. */
export function dueState(
  calendar: VietnamWorkingCalendar,
  dueAt: number,
  now: number
): { overdue: boolean; days: number } {
  if (dueAt < now) return { overdue: true, days: calendar.overdueWorkingDays(dueAt, now) };
  return { overdue: false, days: calendar.workingDaysBetween(vnDateOf(now), vnDateOf(dueAt)) };
}

/** The badges of a case in a list: Quá hạn, Đã cảnh báo, Sắp đến hạn, Bị trả lại. */
export function caseBadges(c: DueInfo, calendar: VietnamWorkingCalendar, now: number): SafeHtml[] {
  const out: SafeHtml[] = [];
  const open = c.status === 'open' || c.status === 'returned';
  if (c.status === 'returned') out.push(badge('returned', 'Bị trả lại'));
  if (open && c.dueAt !== undefined) {
    const d = dueState(calendar, c.dueAt, now);
    if (d.overdue) out.push(badge('overdue', 'Quá hạn'));
    else if (c.escalationLevel === 'reminder' || d.days <= 2) out.push(badge('soon', 'Sắp đến hạn'));
  }
  if (open && c.escalationLevel === 'escalation') out.push(badge('escalated', 'Đã cảnh báo'));
  if (!open) out.push(badge(c.status === 'completed' ? 'done' : 'closed', CASE_STATUS_VI[c.status] ?? c.status));
  return out;
}

/** The due date both ways: 'hạn 03/03/2026 · còn 5 ngày làm việc' or '… · quá hạn 2 ngày làm việc'. */
export function dueText(
  calendar: VietnamWorkingCalendar,
  dueAt: number | undefined,
  now: number,
  open: boolean
): SafeHtml {
  if (dueAt === undefined) return html`<span class="muted">Không có thời hạn</span>`;
  const date = html`hạn <time datetime="${new Date(dueAt).toISOString()}">${dateVi(dueAt)}</time>`;
  if (!open) return date;
  const d = dueState(calendar, dueAt, now);
  if (d.overdue) return html`${date} · <strong class="late">quá hạn ${d.days} ngày làm việc</strong>`;
  return d.days === 0
    ? html`${date} · <strong>hết hạn trong hôm nay</strong>`
    : html`${date} · còn ${d.days} ngày làm việc`;
}

/** How the details of an audit entry are named; technical fields are left out. */
export const AUDIT_FIELD_VI: Record<string, string> = {
  title: 'Tiêu đề',
  run: 'Lần',
  note: 'Ý kiến',
  outcome: 'Kết quả',
  deadline: 'Thời hạn',
  explanation: 'Kết quả biểu quyết',
  reason: 'Lý do',
  reasonLabel: 'Lý do trả lại',
  text: 'Nội dung',
  round: 'Lần biểu quyết',
  level: 'Mức',
  status: 'Trạng thái',
  toPersonId: 'Người được ủy quyền',
  from: 'Từ ngày',
  to: 'Đến ngày',
};
