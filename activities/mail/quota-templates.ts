/**
 * The Vietnamese e-mails of the quota checkpoints and of the cell-meeting supervision: the notice to a
 * unit below its pro-rata target, the escalation to Thường trực Tỉnh ủy of a unit below it twice in a row,
 * and the notice to a committee whose cells held no meeting in a month.
 */
import { formatNumberVi, type UnitCheckpoint } from '../../domain/quotas';
import type { OutgoingMail } from './outbox';
import { esc } from './templates';

const FOOTER = 'Thư này được gửi tự động bởi cadreflow, xin đừng trả lời thư này.';

export interface QuotaMailInput {
  to: string[];
  year: number;
  /** 'DD/MM/YYYY' of the checkpoint. */
  asOfText: string;
  thresholdPct: number;
  unit: UnitCheckpoint;
  /** The leaders of the unit, named in the escalation. */
  leaderNames: string[];
  reportUrl: string;
}

const dateVi = (iso: string): string => iso.split('-').reverse().join('/');

/** The facts both e-mails state: target, attainment, pro-rata, pace needed, forecast. */
function factRows(i: QuotaMailInput): [string, string][] {
  const u = i.unit;
  return [
    ['Đơn vị', u.name],
    [`Chỉ tiêu năm ${i.year}`, `${formatNumberVi(u.target)} đảng viên`],
    [`Đã kết nạp đến ngày ${i.asOfText}`, `${formatNumberVi(u.attained)} đảng viên`],
    ['Chỉ tiêu theo tiến độ đến nay', `${formatNumberVi(u.proRata)} (đạt ${formatNumberVi(u.proRataPct)}%)`],
    ['Ngưỡng cảnh báo', `${i.thresholdPct}% chỉ tiêu theo tiến độ`],
    ['Còn phải kết nạp', `${formatNumberVi(u.remaining)} đảng viên`],
    ['Tốc độ cần đạt từ nay đến cuối năm', `${formatNumberVi(u.neededPerMonth)} đảng viên/tháng`],
    ['Dự báo cả năm theo tốc độ hiện nay', `${formatNumberVi(u.forecast)} đảng viên`],
  ];
}

function render(subject: string, paragraphs: string[], rows: [string, string][], link: string): OutgoingMail & {} {
  const text = [...paragraphs, rows.map(([k, v]) => `- ${k}: ${v}`).join('\n'), `Xem báo cáo: ${link}`, FOOTER].join(
    '\n\n'
  );
  const html = [
    '<!DOCTYPE html>',
    '<html lang="vi">',
    '<head><meta charset="utf-8"></head>',
    '<body>',
    ...paragraphs.map((p) => `<p>${esc(p)}</p>`),
    '<table cellspacing="0" cellpadding="0">',
    ...rows.map(
      ([k, v]) =>
        `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">${esc(k)}</th><td style="padding:2px 0">${esc(v)}</td></tr>`
    ),
    '</table>',
    `<p><a href="${esc(link)}">Xem báo cáo</a></p>`,
    `<p><small>${esc(FOOTER)}</small></p>`,
    '</body>',
    '</html>',
  ].join('\n');
  return { to: [], subject: subject.replace(/\s+/g, ' ').trim(), text: `${text}\n`, html: `${html}\n` };
}

/** Thông báo chậm tiến độ: to the unit's leaders when it is below the threshold at a checkpoint. */
export function quotaNoticeMail(i: QuotaMailInput): OutgoingMail {
  const u = i.unit;
  const mail = render(
    `[cadreflow] Chậm tiến độ phát triển đảng viên năm ${i.year}: ${u.name} (đến ${i.asOfText})`,
    [
      `Kính gửi: ${u.name},`,
      `Đến ngày ${i.asOfText}, ${u.name} đã kết nạp ${formatNumberVi(u.attained)}/${formatNumberVi(u.target)} ` +
        `đảng viên, đạt ${formatNumberVi(u.proRataPct)}% chỉ tiêu theo tiến độ, thấp hơn ngưỡng ${i.thresholdPct}%.`,
      `Để hoàn thành chỉ tiêu năm ${i.year}, đơn vị cần kết nạp bình quân ${formatNumberVi(u.neededPerMonth)} ` +
        `đảng viên mỗi tháng; nếu giữ tốc độ hiện nay, cả năm dự kiến đạt ${formatNumberVi(u.forecast)} đảng viên.` +
        ' Đề nghị cấp ủy rà soát nguồn kết nạp, tập trung vào doanh nghiệp, trường học, thanh niên và học sinh, sinh viên.',
    ],
    factRows(i),
    i.reportUrl
  );
  return { ...mail, to: i.to };
}

/** Báo cáo Thường trực Tỉnh ủy: a unit below the threshold at two checkpoints in a row (or more). */
export function quotaEscalationMail(i: QuotaMailInput): OutgoingMail {
  const u = i.unit;
  const leaders = i.leaderNames.length > 0 ? ` (đồng chí ${i.leaderNames.join(', ')})` : '';
  const mail = render(
    `[cadreflow] Báo cáo Thường trực Tỉnh ủy: ${u.name} chậm tiến độ phát triển đảng viên ${u.streak} kỳ liên tiếp`,
    [
      'Kính gửi Thường trực Tỉnh ủy,',
      `${u.name} có kết quả phát triển đảng viên dưới ${i.thresholdPct}% chỉ tiêu theo tiến độ ${u.streak} kỳ kiểm ` +
        `tra liên tiếp; đến ngày ${i.asOfText} đạt ${formatNumberVi(u.attained)}/${formatNumberVi(u.target)} ` +
        `(${formatNumberVi(u.proRataPct)}% chỉ tiêu theo tiến độ).`,
      `Đề nghị Thường trực Tỉnh ủy chỉ đạo cấp ủy${leaders} báo cáo nguyên nhân và giải pháp; cần kết nạp ` +
        `bình quân ${formatNumberVi(u.neededPerMonth)} đảng viên mỗi tháng để hoàn thành chỉ tiêu, dự báo cả năm ` +
        `theo tốc độ hiện nay là ${formatNumberVi(u.forecast)} đảng viên.`,
    ],
    factRows(i),
    i.reportUrl
  );
  return { ...mail, to: i.to };
}

export interface MeetingMissingMailInput {
  to: string[];
  committeeName: string;
  /** 'YYYY-MM' */
  month: string;
  cells: { id: string; name: string }[];
  reportUrl: string;
}

/** Chi bộ chưa sinh hoạt: to the committee whose cells have no meeting recorded in the month. */
export function meetingMissingMail(i: MeetingMissingMailInput): OutgoingMail {
  const [year, month] = i.month.split('-');
  const monthVi = `${month}/${year}`;
  const mail = render(
    `[cadreflow] ${i.cells.length} chi bộ chưa có biên bản sinh hoạt tháng ${monthVi} — ${i.committeeName}`,
    [
      `Kính gửi: ${i.committeeName},`,
      `Trong tháng ${monthVi}, ${i.cells.length} chi bộ trực thuộc chưa có biên bản sinh hoạt chi bộ thường kỳ ` +
        'được ghi nhận trên Sổ tay đảng viên điện tử. Đề nghị cấp ủy kiểm tra, đôn đốc các chi bộ tổ chức ' +
        'sinh hoạt theo quy định và cập nhật biên bản.',
    ],
    i.cells.map((c, n) => [`${n + 1}.`, `${c.name} (${c.id})`]),
    i.reportUrl
  );
  return { ...mail, to: i.to };
}

export { dateVi as isoToVi };
