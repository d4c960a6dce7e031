/**
 * The dashboard of the standing committee: overdue and escalated cases by committee, quota attainment by
 * committee and by sector (charts drawn on the server), and the quarterly briefing (giao ban quý) with
 * its CSV and XLSX downloads.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  attainmentCsv,
  attainmentReport,
  attainmentXlsx,
  briefingCsv,
  briefingXlsx,
  quarterlyBriefing,
  type AttainmentReport,
  type QuarterlyBriefing,
} from '../../../activities/reports/quota-reports';
import { SECTORS, SECTOR_LABEL_VI } from '../../../domain/quotas';
import { caseScope, dashboard, vnToday } from '../../services';
import { barChart } from '../charts';
import { guarded, query, render, type WebDeps } from '../context';
import { webErrorOf } from '../errors';
import { isoDateVi } from '../format';
import { html, type SafeHtml } from '../html';

function period(w: WebDeps, q: Record<string, string>): { year: number; quarter: number } {
  const today = vnToday(w.services.now());
  const year = /^\d{4}$/.test(q.year ?? '') ? Number(q.year) : Number(today.slice(0, 4));
  const quarter = /^[1-4]$/.test(q.quarter ?? '') ? Number(q.quarter) : Math.ceil(Number(today.slice(5, 7)) / 3);
  return { year, quarter };
}

/** A report, or the Vietnamese reason there is none (e.g. no quota plan for the year). */
async function orReason<T>(p: Promise<T>): Promise<T | string> {
  try {
    return await p;
  } catch (e) {
    const we = webErrorOf(e);
    if (we) return we.message;
    throw e;
  }
}

function quotaSection(a: AttainmentReport | string, year: number): SafeHtml {
  if (typeof a === 'string') return html`<p class="card muted" data-quota="none">${a}</p>`;
  const committees = a.rows.filter((r) => r.depth === 1);
  const root = a.rows.find((r) => r.depth === 0);
  const sectorRows = SECTORS.map((s) => {
    const t = root?.sectors[s].target ?? 0;
    const got = root?.sectors[s].attained ?? 0;
    return { label: SECTOR_LABEL_VI[s], values: [t === 0 ? 0 : Math.round((got * 1000) / t) / 10] };
  });
  return html`<p>
      Đến ngày ${isoDateVi(a.asOf)}: toàn tỉnh kết nạp <strong>${root?.attained ?? 0}</strong>/${root?.target ?? 0} đảng
      viên (${root?.pct ?? 0}%). <a href="/dashboard/attainment.csv?year=${year}">Tải CSV</a> ·
      <a href="/dashboard/attainment.xlsx?year=${year}">Tải XLSX</a>
    </p>
    <div>
      ${barChart({
        title: `Tỷ lệ thực hiện chỉ tiêu theo cấp ủy (%), năm ${year}`,
        series: [{ name: 'Tỷ lệ thực hiện', color: '#1f6fb2' }],
        rows: committees.map((r) => ({ label: r.name, values: [r.pct] })),
        max: 100,
        unit: '%',
        reference: 100,
      })}
      ${barChart({
        title: `Tỷ lệ thực hiện chỉ tiêu theo khối (%), toàn tỉnh`,
        series: [{ name: 'Tỷ lệ thực hiện', color: '#1f6fb2' }],
        rows: sectorRows,
        max: 100,
        unit: '%',
        reference: 100,
      })}
    </div>`;
}

function briefingSection(b: QuarterlyBriefing | string, year: number, quarter: number): SafeHtml {
  const links = html`<a href="/dashboard/briefing.csv?year=${year}&amp;quarter=${quarter}">Tải CSV</a> ·
    <a href="/dashboard/briefing.xlsx?year=${year}&amp;quarter=${quarter}">Tải XLSX</a>`;
  if (typeof b === 'string') return html`<p class="card muted">${b}</p>`;
  const sum = (k: 'openCases' | 'overdue' | 'escalated' | 'target' | 'attained'): number =>
    b.rows.reduce((s, r) => s + r[k], 0);
  return html`<p>
      Số liệu đến ngày ${isoDateVi(b.asOf)}: ${sum('openCases')} hồ sơ đang xử lý,
      <strong class="late">${sum('overdue')}</strong> quá hạn, ${sum('escalated')} đã báo cáo Thường trực Tỉnh ủy; kết
      nạp ${sum('attained')}/${sum('target')} đảng viên. ${links}
    </p>
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">Cấp ủy</th>
            <th scope="col" class="num">Đang xử lý</th>
            <th scope="col" class="num">Trong hạn</th>
            <th scope="col" class="num">Quá hạn</th>
            <th scope="col" class="num">Đã cảnh báo</th>
            <th scope="col" class="num">Kết nạp / chỉ tiêu</th>
            <th scope="col" class="num">So với tiến độ</th>
          </tr>
        </thead>
        <tbody>
          ${b.rows.map(
            (r) =>
              html`<tr>
                <td data-label="Cấp ủy">${r.name}</td>
                <td class="num" data-label="Đang xử lý">${r.openCases}</td>
                <td class="num" data-label="Trong hạn">${r.onTime}</td>
                <td class="num" data-label="Quá hạn">${r.overdue}</td>
                <td class="num" data-label="Đã cảnh báo">${r.escalated}</td>
                <td class="num" data-label="Kết nạp / chỉ tiêu">${r.attained}/${r.target} (${r.pct}%)</td>
                <td class="num" data-label="So với tiến độ">${r.proRataPct}%</td>
              </tr>`
          )}
        </tbody>
      </table>
    </div>`;
}

async function download(
  reply: FastifyReply,
  name: string,
  kind: 'csv' | 'xlsx',
  make: () => Promise<string | Buffer>
): Promise<FastifyReply> {
  const body = await make();
  return reply
    .type(
      kind === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    )
    .header('content-disposition', `attachment; filename="${name}.${kind}"`)
    .send(body);
}

export function registerDashboardPages(app: FastifyInstance, w: WebDeps): void {
  app.get(
    '/dashboard',
    guarded(w, async (req, reply, s) => {
      const { year, quarter } = period(w, query(req));
      const now = w.services.now();
      const today = vnToday(now);
      const asOf = today.startsWith(String(year)) ? today : `${year}-12-31`;
      const [rows, scope, attainment, briefing] = await Promise.all([
        dashboard(w.services, s.actor),
        caseScope(w.services, s.actor),
        orReason(attainmentReport(w.services.models, year, asOf)),
        orReason(quarterlyBriefing(w.services.models, { year, quarter, now })),
      ]);
      const late = rows.filter((r) => r.overdue > 0 || r.escalated > 0);
      const total = (k: 'open' | 'overdue' | 'escalated'): number => rows.reduce((n, r) => n + r[k], 0);
      return render(
        w,
        req,
        reply,
        s,
        { title: 'Tổng hợp', current: 'dashboard' },
        html`<h1>Tổng hợp toàn tỉnh</h1>
          <form class="filters" method="get" action="/dashboard" aria-label="Chọn kỳ báo cáo">
            <div>
              <label for="nam">Năm</label
              ><input type="number" id="nam" name="year" value="${year}" min="2020" max="2100" />
            </div>
            <div>
              <label for="quy">Quý</label
              ><select id="quy" name="quarter">
                ${[1, 2, 3, 4].map((n) => html`<option value="${n}" ${n === quarter ? html` selected` : ''}>Quý ${n}</option>`)}
              </select>
            </div>
            <button type="submit" class="secondary">Xem</button>
          </form>
          <h2>Tiến độ hồ sơ theo cấp ủy</h2>
          ${
            scope.all
              ? ''
              : html`<p class="hint" id="pham-vi">
                  Chỉ gồm các hồ sơ thuộc phạm vi cấp ủy của đồng chí và các hồ sơ đang chờ đồng chí xử lý.
                </p>`
          }
          <p>
            Đang xử lý <strong id="tong-dang-xu-ly">${total('open')}</strong> hồ sơ; quá hạn
            <strong class="late" id="tong-qua-han">${total('overdue')}</strong>; đã cảnh báo Thường trực Tỉnh ủy
            <strong id="tong-canh-bao">${total('escalated')}</strong>.
          </p>
          ${
            late.length > 0
              ? barChart({
                  title: 'Hồ sơ quá hạn và đã cảnh báo theo cấp ủy',
                  series: [
                    { name: 'Quá hạn', color: '#c0392b' },
                    { name: 'Đã cảnh báo Thường trực', color: '#7b3fa0' },
                  ],
                  rows: late.map((r) => ({ label: r.committeeName, values: [r.overdue, r.escalated] })),
                })
              : html`<p class="card">Không có hồ sơ quá hạn.</p>`
          }
          <div class="table-wrap">
            <table class="stack" id="bang-cap-uy">
              <thead>
                <tr>
                  <th scope="col">Cấp ủy</th>
                  <th scope="col" class="num">Đang xử lý</th>
                  <th scope="col" class="num">Quá hạn</th>
                  <th scope="col" class="num">Đã cảnh báo</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (r) =>
                    html`<tr data-committee="${r.committeeId}">
                      <td data-label="Cấp ủy">
                        <a href="/cases?committeeId=${encodeURIComponent(r.committeeId)}">${r.committeeName}</a>
                      </td>
                      <td class="num" data-label="Đang xử lý">${r.open}</td>
                      <td class="num overdue" data-label="Quá hạn">${r.overdue}</td>
                      <td class="num" data-label="Đã cảnh báo">${r.escalated}</td>
                    </tr>`
                )}
              </tbody>
            </table>
          </div>
          <h2>Kết quả phát triển đảng viên năm ${year}</h2>
          ${quotaSection(attainment, year)}
          <h2>Giao ban quý ${quarter}/${year}</h2>
          ${briefingSection(briefing, year, quarter)}`
      );
    })
  );

  for (const kind of ['csv', 'xlsx'] as const) {
    app.get(
      `/dashboard/briefing.${kind}`,
      guarded(w, async (req, reply) => {
        const { year, quarter } = period(w, query(req));
        const input = { year, quarter, now: w.services.now() };
        return download(reply, `giao-ban-quy-${quarter}-${year}`, kind, () =>
          kind === 'csv' ? briefingCsv(w.services.models, input) : briefingXlsx(w.services.models, input)
        );
      })
    );

    app.get(
      `/dashboard/attainment.${kind}`,
      guarded(w, async (req, reply) => {
        const { year } = period(w, query(req));
        const today = vnToday(w.services.now());
        const asOf = today.startsWith(String(year)) ? today : `${year}-12-31`;
        return download(reply, `chi-tieu-phat-trien-dang-vien-${year}`, kind, () =>
          kind === 'csv' ? attainmentCsv(w.services.models, year, asOf) : attainmentXlsx(w.services.models, year, asOf)
        );
      })
    );
  }

  // The quota e-mails link here.
  app.get('/quotas/:year', async (req, reply) =>
    reply.redirect(`/dashboard?year=${encodeURIComponent((req.params as { year: string }).year)}`, 303)
  );
}
