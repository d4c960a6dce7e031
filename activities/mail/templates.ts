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

/** HTML-escapes text for element content and quoted attribute values. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

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

// ---------------------------------------------------------------------------------------------------
// The e-mails of the escalation ladder (DOMAIN.md §8) and of a case's outcome.
// ---------------------------------------------------------------------------------------------------

/**
 * reminder: nhắc hạn, to the actor before the due date; due: đã hết hạn, to the actor and the superior's
 * Ban Tổ chức; escalation: quá hạn, to Thường trực Tỉnh ủy, asking the actor for an explanation (repeated
 * by round); obstacle: báo cáo vướng mắc, to Thường trực Tỉnh ủy with the reporter's text; decision:
 * thông báo kết quả.
 */
export type CaseMailKind = 'reminder' | 'due' | 'escalation' | 'obstacle' | 'decision';

export interface CaseMailContent {
  to: string[];
  caseId: string;
  caseTitle: string;
  processTitle: string;
  stepTitle: string;
  /** Who must act, as a body or a function, e.g. "Ban Thường vụ Đảng ủy xã". */
  actorLabel: string;
  /** The people who hold that role now. */
  actorNames: string[];
  /** The deadline both ways, e.g. "60 ngày làm việc — hạn 03/03/2026". */
  deadlineText?: string;
  overdueWorkingDays?: number;
  round: number;
  reporterName?: string;
  obstacleText?: string;
  decisionText?: string;
  /** The link to the case in the web UI. */
  caseUrl: string;
}

/** A piece of a paragraph: plain text, or a name or title to stand out. */
type Part = string | { em: string };

type Block =
  | { p: Part[] }
  | { facts: [label: string, value: string][] }
  | { quote: string }
  | { link: string; label: string }
  | { note: string };

const FOOTER = 'Thư này được gửi tự động bởi cadreflow, xin đừng trả lời thư này.';

function renderText(blocks: readonly Block[]): string {
  const out = blocks.map((b) => {
    if ('p' in b) return b.p.map((part) => (typeof part === 'string' ? part : `“${part.em}”`)).join('');
    if ('facts' in b) return b.facts.map(([label, value]) => `- ${label}: ${value}`).join('\n');
    if ('quote' in b)
      return b.quote
        .split(/\r?\n/)
        .map((line) => `> ${line}`)
        .join('\n');
    if ('link' in b) return `${b.label}: ${b.link}`;
    return b.note;
  });
  return `${out.join('\n\n')}\n`;
}

function renderHtml(blocks: readonly Block[]): string {
  const multiline = (s: string): string => esc(s).replace(/\r?\n/g, '<br>');
  const out = blocks.map((b) => {
    if ('p' in b) {
      return `<p>${b.p.map((part) => (typeof part === 'string' ? esc(part) : `<strong>${esc(part.em)}</strong>`)).join('')}</p>`;
    }
    if ('facts' in b) {
      const rows = b.facts.map(
        ([label, value]) =>
          `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">${esc(label)}</th><td style="padding:2px 0">${multiline(value)}</td></tr>`
      );
      return `<table cellspacing="0" cellpadding="0">\n${rows.join('\n')}\n</table>`;
    }
    if ('quote' in b) {
      return `<blockquote style="border-left:3px solid #b22;margin:0;padding-left:12px">${multiline(b.quote)}</blockquote>`;
    }
    if ('link' in b) return `<p><a href="${esc(b.link)}">${esc(b.label)}</a></p>`;
    return `<p><small>${esc(b.note)}</small></p>`;
  });
  return `<!DOCTYPE html>\n<html lang="vi">\n<head><meta charset="utf-8"></head>\n<body>\n${out.join('\n')}\n</body>\n</html>\n`;
}

/** A header line: one line, whatever the data holds. */
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function whoMustAct(c: CaseMailContent): string {
  if (c.actorNames.length === 0) return c.actorLabel;
  const names = c.actorNames.length === 1 ? `đồng chí ${c.actorNames[0]}` : `các đồng chí ${c.actorNames.join(', ')}`;
  return `${c.actorLabel} (${names})`;
}

function overdueText(days: number | undefined): string | undefined {
  if (days === undefined) return undefined;
  return days >= 1 ? `${days} ngày làm việc` : 'chưa đến 1 ngày làm việc';
}

/** The facts every e-mail states: the case, the step, who must act, the deadline, and the days overdue. */
function facts(c: CaseMailContent, opts: { overdue: boolean; actorLabel?: string }): Block {
  const rows: [string, string][] = [
    ['Hồ sơ', `${c.caseTitle} (mã hồ sơ ${c.caseId})`],
    ['Quy trình', c.processTitle],
    ['Bước', c.stepTitle],
    [opts.actorLabel ?? 'Người phải xử lý', whoMustAct(c)],
  ];
  if (c.deadlineText !== undefined) rows.push(['Thời hạn', c.deadlineText]);
  const overdue = opts.overdue ? overdueText(c.overdueWorkingDays) : undefined;
  if (overdue !== undefined) rows.push(['Số ngày quá hạn', overdue]);
  return { facts: rows };
}

const deadlineClause = (c: CaseMailContent): string => (c.deadlineText ? ` (${c.deadlineText})` : '');

function greetingOfActors(c: CaseMailContent): string {
  if (c.actorNames.length === 0) return `Kính gửi: ${c.actorLabel},`;
  return c.actorNames.length === 1
    ? `Kính gửi đồng chí ${c.actorNames[0]},`
    : `Kính gửi các đồng chí ${c.actorNames.join(', ')},`;
}

function blocksOf(kind: CaseMailKind, c: CaseMailContent): { subject: string; blocks: Block[] } {
  const caseLink: Block = { link: c.caseUrl, label: 'Xem hồ sơ' };
  const footer: Block = { note: FOOTER };
  const days = c.overdueWorkingDays;
  switch (kind) {
    case 'reminder':
      return {
        subject: `[cadreflow] Nhắc hạn: ${c.stepTitle} — ${c.caseTitle}`,
        blocks: [
          { p: [greetingOfActors(c)] },
          {
            p: [
              'Hồ sơ ',
              { em: c.caseTitle },
              ` đang chờ ${c.actorLabel} xử lý bước `,
              { em: c.stepTitle },
              ` và sắp đến hạn${deadlineClause(c)}.`,
            ],
          },
          facts(c, { overdue: false }),
          { p: ['Đề nghị đồng chí hoàn thành bước này trước thời hạn.'] },
          caseLink,
          footer,
        ],
      };
    case 'due':
      return {
        subject: `[cadreflow] Hết hạn: ${c.stepTitle} — ${c.caseTitle}`,
        blocks: [
          { p: [`Kính gửi: ${c.actorLabel}; Ban Tổ chức cấp ủy cấp trên,`] },
          {
            p: [
              'Bước ',
              { em: c.stepTitle },
              ' của hồ sơ ',
              { em: c.caseTitle },
              ` đã đến hạn${deadlineClause(c)} nhưng chưa được xử lý xong.`,
              ...(days !== undefined && days >= 1 ? [` Đến nay đã quá hạn ${days} ngày làm việc.`] : []),
            ],
          },
          facts(c, { overdue: true }),
          {
            p: [
              `Đề nghị ${c.actorLabel} khẩn trương hoàn thành; Ban Tổ chức cấp ủy cấp trên theo dõi, đôn đốc. ` +
                'Nếu tiếp tục quá hạn, hồ sơ sẽ được báo cáo Thường trực Tỉnh ủy.',
            ],
          },
          caseLink,
          footer,
        ],
      };
    case 'escalation': {
      const overdue = overdueText(days) ?? 'quá hạn';
      return {
        subject:
          `[cadreflow] Quá hạn ${overdue}: ${c.stepTitle} — ${c.caseTitle}` + (c.round > 1 ? ` (lần ${c.round})` : ''),
        blocks: [
          { p: ['Kính gửi Thường trực Tỉnh ủy,'] },
          {
            p: [
              'Bước ',
              { em: c.stepTitle },
              ' của hồ sơ ',
              { em: c.caseTitle },
              ` đã quá hạn ${overdue}${c.deadlineText ? ` (thời hạn: ${c.deadlineText})` : ''} mà ${c.actorLabel} chưa xử lý xong.`,
            ],
          },
          facts(c, { overdue: true }),
          {
            p: [
              `Đề nghị ${whoMustAct(c)} giải trình lý do chậm trễ và báo cáo thời gian hoàn thành.` +
                (c.round > 1 ? ` Đây là lần báo cáo thứ ${c.round} về bước này.` : ''),
            ],
          },
          caseLink,
          footer,
        ],
      };
    }
    case 'obstacle':
      return {
        subject: `[cadreflow] Báo cáo vướng mắc: ${c.stepTitle} — ${c.caseTitle}`,
        blocks: [
          { p: ['Kính gửi Thường trực Tỉnh ủy,'] },
          {
            p: [
              c.reporterName ? `Đồng chí ${c.reporterName} báo cáo vướng mắc` : 'Có báo cáo vướng mắc',
              ' tại bước ',
              { em: c.stepTitle },
              ' của hồ sơ ',
              { em: c.caseTitle },
              ':',
            ],
          },
          { quote: c.obstacleText ?? '(không có nội dung)' },
          facts(c, { overdue: true }),
          { p: ['Đề nghị Thường trực Tỉnh ủy xem xét, chỉ đạo tháo gỡ để hồ sơ được tiếp tục xử lý.'] },
          caseLink,
          footer,
        ],
      };
    case 'decision':
      return {
        subject: `[cadreflow] Thông báo kết quả: ${c.caseTitle}`,
        blocks: [
          { p: ['Kính gửi các đồng chí,'] },
          {
            p: [
              'Hồ sơ ',
              { em: c.caseTitle },
              ` (${c.processTitle}) đã có kết quả tại bước `,
              { em: c.stepTitle },
              ': ',
              { em: c.decisionText ?? '(không có nội dung)' },
              '.',
            ],
          },
          facts(c, { overdue: false, actorLabel: 'Người xử lý' }),
          caseLink,
          footer,
        ],
      };
  }
}

/** The e-mail of one kind for one case and step, as HTML and plain text; every value is escaped in HTML. */
export function caseMail(kind: CaseMailKind, c: CaseMailContent): OutgoingMail {
  const { subject, blocks } = blocksOf(kind, c);
  return { to: c.to, subject: oneLine(subject), text: renderText(blocks), html: renderHtml(blocks) };
}
