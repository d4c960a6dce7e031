/**
 * The e-mails people read, in Vietnamese, as HTML and plain text. Each says what the case and the step
 * are, who must act, the deadline, and links to the case.
 */
import type { OutgoingMail } from './outbox';

export interface EscalationMailInput {
  to: string[];
  caseTitle: string;
  caseUrl: string;
  stepTitle: string;
  actors: string[];
  /** The due date as people read it, e.g. "hạn 03/03/2026". */
  dueText: string;
  overdueText: string;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function escalationMail(i: EscalationMailInput): OutgoingMail {
  const subject = `[cadreflow] Quá hạn: ${i.stepTitle} — ${i.caseTitle}`;
  const lines = [
    'Kính gửi Thường trực Tỉnh ủy,',
    '',
    `Bước "${i.stepTitle}" của hồ sơ "${i.caseTitle}" đã quá hạn (${i.dueText}; ${i.overdueText}).`,
    `Người phải xử lý: ${i.actors.join(', ')}.`,
    '',
    `Xem hồ sơ: ${i.caseUrl}`,
    '',
    'Thư này được gửi tự động bởi cadreflow.',
  ];
  const html = [
    '<p>Kính gửi Thường trực Tỉnh ủy,</p>',
    `<p>Bước <strong>${esc(i.stepTitle)}</strong> của hồ sơ <strong>${esc(i.caseTitle)}</strong> đã quá hạn (${esc(i.dueText)}; ${esc(i.overdueText)}).</p>`,
    `<p>Người phải xử lý: ${esc(i.actors.join(', '))}.</p>`,
    `<p><a href="${esc(i.caseUrl)}">Xem hồ sơ</a></p>`,
    '<p><small>Thư này được gửi tự động bởi cadreflow.</small></p>',
  ].join('\n');
  return { to: i.to, subject, text: lines.join('\n'), html };
}
