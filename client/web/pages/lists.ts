/** The inbox (what I must act on, soonest due first) and the list of all cases, with filters. */
import type { FastifyInstance } from 'fastify';
import { inbox, listCases, listProcesses, type CaseListItem } from '../../services';
import { guarded, query, render, workingCalendar, type WebDeps } from '../context';
import { caseBadges, CASE_STATUS_VI, dueText } from '../format';
import { html, type SafeHtml } from '../html';

const INBOX_STATUS: Record<string, string> = {
  '': 'Tất cả',
  overdue: 'Quá hạn',
  escalated: 'Đã cảnh báo Thường trực',
  returned: 'Bị trả lại',
  open: 'Đang chờ xử lý',
};

function select(id: string, name: string, label: string, options: [string, string][], value: string): SafeHtml {
  return html`<div>
    <label for="${id}">${label}</label>
    <select id="${id}" name="${name}">
      ${options.map(([k, l]) => html`<option value="${k}" ${k === value ? html` selected` : ''}>${l}</option>`)}
    </select>
  </div>`;
}

function caseTable(
  items: CaseListItem[],
  o: { calendar: Awaited<ReturnType<typeof workingCalendar>>; now: number; caption: string }
): SafeHtml {
  if (items.length === 0) return html`<p class="card">Không có hồ sơ nào.</p>`;
  return html`<div class="table-wrap">
    <table class="stack">
      <caption class="muted" style="text-align:left;padding:.4rem .6rem">
        ${o.caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Hồ sơ</th>
          <th scope="col">Bước hiện tại</th>
          <th scope="col">Thời hạn</th>
          <th scope="col">Tình trạng</th>
        </tr>
      </thead>
      <tbody>
        ${items.map((c) => {
          const open = c.status === 'open' || c.status === 'returned';
          return html`<tr data-case="${c.caseId}">
            <td data-label="Hồ sơ">
              <a href="/cases/${encodeURIComponent(c.caseId)}">${c.title}</a><br /><span class="muted"
                >${c.processTitle} · ${c.caseId}</span
              >
            </td>
            <td data-label="Bước hiện tại">
              ${c.currentStepTitle ?? '—'}${c.actorLabel ? html`<br /><span class="muted">${c.actorLabel}</span>` : ''}
            </td>
            <td data-label="Thời hạn">${open ? dueText(o.calendar, c.dueAt, o.now, true) : '—'}</td>
            <td data-label="Tình trạng">
              ${caseBadges(c, o.calendar, o.now)}${open && c.status !== 'returned' ? html`<span class="muted">${CASE_STATUS_VI[c.status]}</span>` : ''}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

export function registerListPages(app: FastifyInstance, w: WebDeps): void {
  app.get(
    '/',
    guarded(w, async (req, reply, s) => {
      const q = query(req);
      const now = w.services.now();
      const [all, processes, calendar] = await Promise.all([
        inbox(w.services, s.actor, { page: 1, pageSize: 500 }),
        listProcesses(w.services),
        workingCalendar(w),
      ]);
      const status = q.status ?? '';
      const process = q.process ?? '';
      const items = all.items.filter(
        (c) =>
          (!process || c.process === process) &&
          (status === '' ||
            (status === 'overdue' && c.overdue) ||
            (status === 'escalated' && c.escalationLevel === 'escalation') ||
            (status === 'returned' && c.status === 'returned') ||
            (status === 'open' && c.status === 'open'))
      );
      const overdue = all.items.filter((c) => c.overdue).length;
      return render(
        w,
        req,
        reply,
        s,
        { title: 'Việc cần xử lý', current: 'inbox' },
        html`<h1>Việc cần xử lý</h1>
          <p>
            Đồng chí có <strong id="so-viec">${all.total}</strong> hồ sơ đang chờ, trong đó
            <strong class="late">${overdue}</strong> hồ sơ quá hạn. Hạn gần nhất ở trên cùng.
          </p>
          <form class="filters" method="get" action="/" role="search" aria-label="Lọc việc cần xử lý">
            ${select('loc-quy-trinh', 'process', 'Quy trình', [['', 'Tất cả quy trình'], ...processes.map((p): [string, string] => [p.key, p.titleVi])], process)}
            ${select('loc-tinh-trang', 'status', 'Tình trạng', Object.entries(INBOX_STATUS), status)}
            <button type="submit" class="secondary">Lọc</button>
          </form>
          ${caseTable(items, { calendar, now, caption: `${items.length} hồ sơ` })}`
      );
    })
  );

  app.get(
    '/cases',
    guarded(w, async (req, reply, s) => {
      const q = query(req);
      const now = w.services.now();
      const pageNo = Math.max(1, Number(q.page) || 1);
      const overdue = q.overdue === '1' ? true : undefined;
      const [list, processes, calendar] = await Promise.all([
        listCases(w.services, s.actor, {
          ...(q.status ? { status: q.status } : {}),
          ...(q.process ? { process: q.process } : {}),
          ...(q.committeeId ? { committeeId: q.committeeId } : {}),
          ...(overdue ? { overdue } : {}),
          page: pageNo,
          pageSize: 25,
        }),
        listProcesses(w.services),
        workingCalendar(w),
      ]);
      const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
      const link = (p: number): string => `/cases?${new URLSearchParams({ ...q, page: String(p) }).toString()}`;
      return render(
        w,
        req,
        reply,
        s,
        { title: 'Hồ sơ', current: 'cases' },
        html`<h1>Hồ sơ</h1>
          <form class="filters" method="get" action="/cases" role="search" aria-label="Lọc hồ sơ">
            ${select('ds-quy-trinh', 'process', 'Quy trình', [['', 'Tất cả quy trình'], ...processes.map((p): [string, string] => [p.key, p.titleVi])], q.process ?? '')}
            ${select('ds-trang-thai', 'status', 'Trạng thái', [['', 'Tất cả'], ...Object.entries(CASE_STATUS_VI)], q.status ?? '')}
            <div>
              <label for="ds-qua-han"
                ><input type="checkbox" id="ds-qua-han" name="overdue" value="1" ${overdue ? html` checked` : ''} /> Chỉ
                hồ sơ quá hạn</label
              >
            </div>
            ${q.committeeId ? html`<input type="hidden" name="committeeId" value="${q.committeeId}" />` : ''}
            <button type="submit" class="secondary">Lọc</button>
          </form>
          ${caseTable(list.items, { calendar, now, caption: `${list.total} hồ sơ · trang ${pageNo}/${pages}` })}
          <nav class="pager" aria-label="Phân trang">
            ${pageNo > 1 ? html`<a href="${link(pageNo - 1)}">← Trang trước</a>` : ''}
            ${pageNo < pages ? html`<a href="${link(pageNo + 1)}">Trang sau →</a>` : ''}
          </nav>`
      );
    })
  );
}
