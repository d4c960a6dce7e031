/**
 * The administrators' pages: people and their roles, user accounts, the yearly working-day calendar and
 * the versions of the process rules. Read-only listings (also for the Inspection Committee) plus the
 * simplest forms that call the services; every change is checked again by the services.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadOrg } from '../../../activities/store/org-store';
import { bodyOn } from '../../../domain/org';
import type { ProcessChanges } from '../../../domain/processes/registry';
import type { RoleCode } from '../../../domain/types';
import {
  addRole,
  createProcessVersion,
  createUser,
  getProcess,
  listCalendarYears,
  listProcesses,
  listRoles,
  listUsers,
  putCalendarYear,
  requireWriter,
  ServiceError,
  vnToday,
} from '../../services';
import { formOf, guarded, query, render, type Signed, type WebDeps } from '../context';
import { webErrorOf } from '../errors';
import { formatPeriodVi } from '../../../domain/calendar/format';
import { isoDateVi, ROLE_VI } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { checkCsrf, field, setFlash } from '../session';

function requireViewer(s: Signed): void {
  if (!s.actor.isAdmin && !s.actor.isInspector)
    throw new ServiceError(403, 'FORBIDDEN', 'Chỉ quản trị viên hoặc Ủy ban Kiểm tra mới được xem trang quản trị.');
}

const tabs = (current: string): SafeHtml =>
  html`<nav aria-label="Trang quản trị">
    <p>
      ${[
        ['/admin/people', 'Cán bộ, chức vụ và tài khoản'],
        ['/admin/calendar', 'Lịch làm việc'],
        ['/admin/processes', 'Quy trình và phiên bản'],
      ].map(
        ([href, label]) => html`<a href="${href}" ${href === current ? html` aria-current="page"` : ''}>${label}</a> · `
      )}
    </p>
  </nav>`;

/** Runs an administrator's form: CSRF, the service, then back to `back` with a flash message either way. */
async function adminPost(
  w: WebDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  s: Signed,
  back: string,
  okText: string,
  run: () => Promise<unknown>
): Promise<FastifyReply> {
  checkCsrf(s.session, formOf(req));
  try {
    requireWriter(s.actor);
    await run();
    setFlash(reply, { kind: 'ok', text: okText }, w.secure);
  } catch (e) {
    const we = webErrorOf(e);
    if (!we) throw e;
    if (we.status === 403) throw e;
    setFlash(reply, { kind: 'error', text: we.message }, w.secure);
  }
  return reply.redirect(back, 303);
}

const text = (id: string, name: string, label: string, o: { type?: string; required?: boolean } = {}): SafeHtml =>
  html`<div class="field">
    <label for="${id}">${label}</label
    ><input type="${o.type ?? 'text'}" id="${id}" name="${name}" ${o.required ? html` required` : ''} />
  </div>`;

function parseJson(s: string, what: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw new ServiceError(422, 'INVALID_INPUT', `${what} không phải JSON hợp lệ.`);
  }
}

export function registerAdminPages(app: FastifyInstance, w: WebDeps): void {
  app.get('/admin', async (_req, reply) => reply.redirect('/admin/people', 303));

  app.get(
    '/admin/people',
    guarded(w, async (req, reply, s) => {
      requireViewer(s);
      const q = (query(req).q ?? '').toLowerCase();
      const today = vnToday(w.services.now());
      const [org, roles, users] = await Promise.all([
        loadOrg(w.services.models),
        listRoles(w.services, { onDate: today }),
        s.actor.isAdmin ? listUsers(w.services, s.actor) : Promise.resolve([]),
      ]);
      const bodyName = (id: string): string => bodyOn(org, id, today)?.name ?? id;
      const people = org.people.filter((p) => !q || p.name.toLowerCase().includes(q) || p.id.includes(q)).slice(0, 200);
      const canEdit = s.actor.isAdmin;
      const bodies = [...new Set(org.bodies.map((b) => b.id))].map((id) => ({ id, name: bodyName(id) }));
      return render(
        w,
        req,
        reply,
        s,
        { title: 'Cán bộ và chức vụ', current: 'admin' },
        html`<h1>Quản trị</h1>
          ${tabs('/admin/people')}
          <h2>Cán bộ và chức vụ hiện giữ (ngày ${isoDateVi(today)})</h2>
          <form class="filters" method="get" action="/admin/people" role="search">
            <div><label for="tim">Tìm theo tên hoặc mã</label><input type="text" id="tim" name="q" value="${q}" /></div>
            <button type="submit" class="secondary">Tìm</button>
          </form>
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Mã</th>
                  <th scope="col">Họ và tên</th>
                  <th scope="col">Thư điện tử</th>
                  <th scope="col">Chức vụ</th>
                </tr>
              </thead>
              <tbody>
                ${people.map(
                  (p) =>
                    html`<tr>
                      <td data-label="Mã">${p.id}</td>
                      <td data-label="Họ và tên">${p.name}</td>
                      <td data-label="Thư điện tử">${p.email}</td>
                      <td data-label="Chức vụ">
                        ${roles
                          .filter((r) => r.personId === p.id)
                          .map(
                            (r) =>
                              html`${ROLE_VI[r.role] ?? r.role} — ${bodyName(r.bodyId)} (từ ${isoDateVi(r.from)})<br />`
                          )}
                      </td>
                    </tr>`
                )}
              </tbody>
            </table>
          </div>
          <p class="muted">
            ${people.length === 200 ? 'Chỉ hiện 200 người đầu; dùng ô tìm kiếm để thu hẹp.' : `${people.length} người.`}
          </p>
          ${
            canEdit
              ? html`<div class="grid2">
                    <form method="post" action="/admin/roles" class="card">
                      <h2>Giao chức vụ</h2>
                      ${csrfField(s.session.csrfToken)} ${text('r-person', 'personId', 'Mã cán bộ', { required: true })}
                      <div class="field">
                        <label for="r-body">Tổ chức</label
                        ><select id="r-body" name="bodyId" class="wide">
                          ${bodies.map((b) => html`<option value="${b.id}">${b.name}</option>`)}
                        </select>
                      </div>
                      <div class="field">
                        <label for="r-role">Chức vụ</label
                        ><select id="r-role" name="role">
                          ${Object.entries(ROLE_VI).map(([k, l]) => html`<option value="${k}">${l}</option>`)}
                        </select>
                      </div>
                      ${text('r-from', 'from', 'Từ ngày', { type: 'date', required: true })}
                      <button type="submit">Giao chức vụ</button>
                    </form>
                    <form method="post" action="/admin/users" class="card">
                      <h2>Tạo tài khoản</h2>
                      ${csrfField(s.session.csrfToken)}
                      ${text('u-name', 'username', 'Tên đăng nhập', { required: true })}
                      ${text('u-pass', 'password', 'Mật khẩu (ít nhất 10 ký tự)', { type: 'password', required: true })}
                      ${text('u-person', 'personId', 'Mã cán bộ', { required: true })}
                      <div class="field">
                        <label for="u-admin"
                          ><input type="checkbox" id="u-admin" name="isAdmin" value="1" /> Quản trị viên</label
                        >
                      </div>
                      <div class="field">
                        <label for="u-insp"
                          ><input type="checkbox" id="u-insp" name="isInspector" value="1" /> Tài khoản kiểm tra (chỉ
                          xem)</label
                        >
                      </div>
                      <button type="submit">Tạo tài khoản</button>
                    </form>
                  </div>
                  <h2>Tài khoản</h2>
                  <div class="table-wrap">
                    <table class="stack">
                      <thead>
                        <tr>
                          <th scope="col">Tên đăng nhập</th>
                          <th scope="col">Cán bộ</th>
                          <th scope="col">Quyền</th>
                          <th scope="col">Trạng thái</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${users.map(
                          (u) =>
                            html`<tr>
                              <td data-label="Tên đăng nhập">${u.username}</td>
                              <td data-label="Cán bộ">${u.personName ?? u.personId}</td>
                              <td data-label="Quyền">
                                ${u.isAdmin ? 'Quản trị viên' : u.isInspector ? 'Kiểm tra (chỉ xem)' : 'Cán bộ'}
                              </td>
                              <td data-label="Trạng thái">${u.active ? 'Đang dùng' : 'Đã khóa'}</td>
                            </tr>`
                        )}
                      </tbody>
                    </table>
                  </div>`
              : ''
          }`
      );
    })
  );

  app.post(
    '/admin/roles',
    guarded(w, async (req, reply, s) => {
      const b = formOf(req);
      return adminPost(w, req, reply, s, '/admin/people', 'Đã giao chức vụ.', () =>
        addRole(w.services, s.actor, {
          personId: field(b, 'personId'),
          bodyId: field(b, 'bodyId'),
          role: field(b, 'role') as RoleCode,
          from: field(b, 'from'),
        })
      );
    })
  );

  app.post(
    '/admin/users',
    guarded(w, async (req, reply, s) => {
      const b = formOf(req);
      return adminPost(w, req, reply, s, '/admin/people', 'Đã tạo tài khoản.', () =>
        createUser(w.services, s.actor, {
          username: field(b, 'username'),
          password: field(b, 'password'),
          personId: field(b, 'personId'),
          isAdmin: field(b, 'isAdmin') === '1',
          isInspector: field(b, 'isInspector') === '1',
        })
      );
    })
  );

  app.get(
    '/admin/calendar',
    guarded(w, async (req, reply, s) => {
      requireViewer(s);
      const years = await listCalendarYears(w.services);
      return render(
        w,
        req,
        reply,
        s,
        { title: 'Lịch làm việc', current: 'admin' },
        html`<h1>Quản trị</h1>
          ${tabs('/admin/calendar')}
          <h2>Lịch nghỉ chính thức theo năm</h2>
          <p class="muted">
            Ngày nghỉ lễ, Tết, nghỉ bù và ngày làm bù theo quyết định của Thủ tướng Chính phủ. Năm không có ở đây được
            tính theo Bộ luật Lao động 2019, Điều 112.
          </p>
          ${years.map(
            (y) =>
              html`<details class="act">
                <summary>
                  Năm ${y.year} — ${y.source === 'stored' ? 'do quản trị viên lưu' : 'có sẵn'} ·
                  ${y.schedule.daysOff.length} ngày nghỉ trong tuần, ${y.schedule.workingDays.length} ngày làm bù
                </summary>
                <p><strong>Ngày nghỉ:</strong> ${y.schedule.daysOff.map(isoDateVi).join(', ')}</p>
                <p><strong>Ngày làm bù:</strong> ${y.schedule.workingDays.map(isoDateVi).join(', ') || 'không có'}</p>
                <p class="muted">Căn cứ: ${y.schedule.basis.citation}</p>
              </details>`
          )}
          ${
            s.actor.isAdmin
              ? html`<form method="post" action="/admin/calendar" class="card">
                  <h2>Lưu lịch của một năm</h2>
                  ${csrfField(s.session.csrfToken)} ${text('c-year', 'year', 'Năm', { type: 'number', required: true })}
                  <div class="field">
                    <label for="c-json">Lịch (JSON: daysOff, workingDays, basis)</label>
                    <textarea id="c-json" name="schedule" rows="6" required>
{"daysOff": [], "workingDays": [], "basis": {"citation": "", "effectiveFrom": "", "confirmed": true}}</textarea>
                  </div>
                  <button type="submit">Lưu</button>
                </form>`
              : ''
          }`
      );
    })
  );

  app.post(
    '/admin/calendar',
    guarded(w, async (req, reply, s) => {
      const b = formOf(req);
      return adminPost(w, req, reply, s, '/admin/calendar', 'Đã lưu lịch làm việc.', async () => {
        const year = Number(field(b, 'year'));
        if (!Number.isInteger(year)) throw new ServiceError(422, 'INVALID_INPUT', 'Năm không hợp lệ.');
        return putCalendarYear(w.services, s.actor, year, parseJson(field(b, 'schedule'), 'Lịch'));
      });
    })
  );

  app.get(
    '/admin/processes',
    guarded(w, async (req, reply, s) => {
      requireViewer(s);
      const processes = await listProcesses(w.services);
      return render(
        w,
        req,
        reply,
        s,
        { title: 'Quy trình', current: 'admin' },
        html`<h1>Quản trị</h1>
          ${tabs('/admin/processes')}
          <h2>Quy trình và các phiên bản quy định</h2>
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Quy trình</th>
                  <th scope="col">Phiên bản (áp dụng từ)</th>
                </tr>
              </thead>
              <tbody>
                ${processes.map(
                  (p) =>
                    html`<tr>
                      <td data-label="Quy trình">
                        <a href="/admin/processes/${encodeURIComponent(p.key)}">${p.titleVi}</a><br /><span
                          class="muted"
                          >${p.key}</span
                        >
                      </td>
                      <td data-label="Phiên bản">
                        ${p.versions.map((v) => html`${v.version} (${isoDateVi(v.effectiveFrom)})${v.stored ? ' — do quản trị viên tạo' : ''}<br />`)}
                      </td>
                    </tr>`
                )}
              </tbody>
            </table>
          </div>`
      );
    })
  );

  app.get(
    '/admin/processes/:key',
    guarded(w, async (req, reply, s) => {
      requireViewer(s);
      const key = (req.params as { key: string }).key;
      const versions = await getProcess(w.services, key);
      const latest = versions[versions.length - 1];
      if (!latest) throw new ServiceError(404, 'NOT_FOUND', 'Không có quy trình này.');
      return render(
        w,
        req,
        reply,
        s,
        { title: latest.titleVi, current: 'admin' },
        html`<h1>${latest.titleVi}</h1>
          ${tabs('/admin/processes')}
          <p>
            Phiên bản ${latest.version}, áp dụng từ ${isoDateVi(latest.effectiveFrom)}. Căn cứ: ${latest.basis.citation}
          </p>
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Bước</th>
                  <th scope="col">Người thực hiện</th>
                  <th scope="col">Thời hạn</th>
                  <th scope="col">Căn cứ</th>
                </tr>
              </thead>
              <tbody>
                ${latest.steps.map(
                  (st) =>
                    html`<tr>
                      <td data-label="Bước"><strong>${st.id}</strong>. ${st.title}</td>
                      <td data-label="Người thực hiện">${st.actor.label}</td>
                      <td data-label="Thời hạn">
                        ${st.deadline ? formatPeriodVi(st.deadline.period) : '—'}${st.deadline?.maxExtension ? ` (gia hạn tối đa ${formatPeriodVi(st.deadline.maxExtension)})` : ''}
                      </td>
                      <td data-label="Căn cứ">
                        ${st.basis.citation}${st.basis.confirmed ? '' : html` <span class="badge badge-soon">chưa xác nhận</span>`}
                      </td>
                    </tr>`
                )}
              </tbody>
            </table>
          </div>
          ${
            s.actor.isAdmin
              ? html`<form method="post" action="/admin/processes/${encodeURIComponent(key)}" class="card">
                  <h2>Tạo phiên bản mới</h2>
                  ${csrfField(s.session.csrfToken)}
                  ${text('p-from', 'effectiveFrom', 'Áp dụng từ ngày', { type: 'date', required: true })}
                  <div class="field">
                    <label for="p-json">Các thay đổi so với phiên bản mới nhất (JSON)</label>
                    <textarea id="p-json" name="changes" rows="6" required>{"steps": {}}</textarea>
                  </div>
                  <button type="submit">Tạo phiên bản</button>
                </form>`
              : ''
          }`
      );
    })
  );

  app.post(
    '/admin/processes/:key',
    guarded(w, async (req, reply, s) => {
      const key = (req.params as { key: string }).key;
      const b = formOf(req);
      return adminPost(w, req, reply, s, `/admin/processes/${encodeURIComponent(key)}`, 'Đã tạo phiên bản mới.', () =>
        createProcessVersion(w.services, s.actor, key, {
          effectiveFrom: field(b, 'effectiveFrom'),
          changes: parseJson(field(b, 'changes'), 'Các thay đổi') as ProcessChanges,
        })
      );
    })
  );
}
