/**
 * The case page (step timeline, documents, votes with their explanation, the audit trail and its
 * verification) and the action forms of its current step: GET shows a form alone, POST applies it through
 * actOnCaseService (the workflow's validator checks every act), then redirects with a flash message, or
 * shows the form again with the Vietnamese message next to the field.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadOrg } from '../../../activities/store/org-store';
import type { Delegation } from '../../../domain/org';
import type { CaseCommandType } from '../../../domain/chain';
import type { ProcessDefinition, ProcessKey } from '../../../domain/processes/model';
import { actOnCaseService, caseDetail, effectiveRegistry, ServiceError, type CaseDetail } from '../../services';
import {
  actForm,
  actLabel,
  allowedActs,
  commandOf,
  fieldOfRefusal,
  FormInputError,
  isActType,
  type ActContext,
  type FormState,
} from '../acts';
import { formOf, guarded, render, workingCalendar, type Signed, type WebDeps } from '../context';
import { webErrorOf } from '../errors';
import {
  AUDIT_FIELD_VI,
  AUDIT_TYPE_VI,
  badge,
  caseBadges,
  CASE_STATUS_VI,
  dateTimeVi,
  dateVi,
  dueText,
  isoDateVi,
  OUTCOME_VI,
  STEP_STATUS_VI,
} from '../format';
import { html, type SafeHtml } from '../html';
import { checkCsrf, field, setFlash } from '../session';

async function definitionOf(w: WebDeps, process: string, version: number): Promise<ProcessDefinition | undefined> {
  try {
    return (await effectiveRegistry(w.services)).registry.get(process as ProcessKey, version);
  } catch {
    return undefined;
  }
}

/** The step the case waits on and what the signed-in person may do there. */
/**
 * The delegations granted on the case through its delegate act, as the workflow keeps them (domain/chain.ts),
 * read back from the case's audit trail: who granted, to whom, from and to which day, for the step it was on.
 */
function caseDelegations(d: CaseDetail): Delegation[] {
  return d.audit.flatMap((e) =>
    e.type === 'delegated' && e.personId && e.stepId
      ? [
          {
            id: `${e.caseId}:audit-${e.seq}`,
            fromPersonId: e.personId,
            toPersonId: String(e.data.toPersonId),
            from: String(e.data.from),
            to: String(e.data.to),
            stepIds: [e.stepId],
          },
        ]
      : []
  );
}

async function actContext(w: WebDeps, d: CaseDetail): Promise<ActContext | undefined> {
  const c = d.case;
  if (!c.currentStepId || (c.status !== 'open' && c.status !== 'returned')) return undefined;
  const definition = await definitionOf(w, c.process, c.version);
  const step = definition?.steps.find((s) => s.id === c.currentStepId);
  if (!definition || !step) return undefined;
  const run = [...d.steps].reverse().find((r) => r.stepId === step.id);
  return {
    caseId: c.caseId,
    caseUnitId: c.caseUnitId,
    startedAt: c.startedAt,
    status: c.status,
    definition,
    step,
    runStatus: run?.status ?? (c.status === 'returned' ? 'returned' : 'open'),
    delegations: caseDelegations(d),
  };
}

const who = (s: Signed, id: string | undefined): string => (id ? (s.names.get(id) ?? id) : '—');

function timeline(s: Signed, d: CaseDetail): SafeHtml {
  return html`<ol class="timeline">
    ${d.steps.map(
      (r) =>
        html`<li class="st-${r.status}" data-step="${r.stepId}">
          <strong>${r.stepId}. ${r.title}</strong>${r.run > 1 ? html` <span class="muted">(lần ${r.run})</span>` : ''}
          ${r.status === 'done' ? badge(r.outcome === 'approved' ? 'done' : 'closed', OUTCOME_VI[r.outcome ?? ''] ?? r.outcome ?? 'Đã xong') : badge(r.status === 'returned' ? 'returned' : 'soon', STEP_STATUS_VI[r.status] ?? r.status)}
          <br /><span class="muted"
            >${r.actorLabel} · mở
            ${dateTimeVi(r.openedAt)}${r.dueAt !== undefined ? ` · hạn ${dateVi(r.dueAt)}` : ''}${r.extendedTo !== undefined ? ` · gia hạn đến ${dateVi(r.extendedTo)}` : ''}</span
          >
          ${
            r.actedBy
              ? html`<br />Đồng chí
                  <strong>${who(s, r.actedBy)}</strong
                  >${r.onBehalfOf ? html` (theo ủy quyền của đồng chí ${who(s, r.onBehalfOf)})` : ''}${r.closedAt !== undefined ? html` — ${dateTimeVi(r.closedAt)}` : ''}`
              : r.closedAt !== undefined
                ? html`<br />Kết thúc ${dateTimeVi(r.closedAt)}`
                : ''
          }
          ${(r.votes ?? []).map(
            (v) =>
              html`<div class="vote ${v.passed ? 'passed' : 'failed'}" data-vote-round="${v.round}">
                Biểu quyết lần ${v.round}: ${v.approve}/${v.base} tán thành, ${v.present} có mặt.<br /><strong
                  class="vote-explanation"
                  >${v.explanation}</strong
                >
              </div>`
          )}
          ${r.returned ? html`<div class="vote failed">Trả lại bổ sung: <strong>${r.returned.reasonLabel}</strong>${r.returned.note ? ` — ${r.returned.note}` : ''} (${dateTimeVi(r.returned.at)})${r.returned.resubmitBy !== undefined ? `; nộp lại trước ${dateVi(r.returned.resubmitBy)}` : ''}</div>` : ''}
          ${r.documents?.length ? html`<br />Giấy tờ: ${r.documents.map((doc, i) => html`${i > 0 ? ', ' : ''}${doc.code} (ban hành ${isoDateVi(doc.issuedOn)})`)}` : ''}
        </li>`
    )}
  </ol>`;
}

function auditValue(s: Signed, k: string, v: unknown): string {
  if (k === 'outcome') return OUTCOME_VI[String(v)] ?? String(v);
  if (k === 'status') return CASE_STATUS_VI[String(v)] ?? String(v);
  if (k === 'toPersonId') return who(s, String(v));
  if ((k === 'from' || k === 'to') && typeof v === 'string') return isoDateVi(v);
  return String(v);
}

function auditData(s: Signed, data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([k, v]) => AUDIT_FIELD_VI[k] && v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${AUDIT_FIELD_VI[k]}: ${auditValue(s, k, v)}`)
    .join(' · ');
}

function auditSection(s: Signed, d: CaseDetail): SafeHtml {
  const v = d.verification;
  return html`<h2 id="nhat-ky">Nhật ký hồ sơ</h2>
    ${
      v.ok
        ? html`<p class="verify-ok" data-verify="ok">✔ Chuỗi nhật ký toàn vẹn (${v.checked} mục đã kiểm tra)</p>`
        : html`<div class="flash flash-error" data-verify="bad">
            <p class="verify-bad">✖ Phát hiện sai lệch trong nhật ký</p>
            <ul>
              ${v.problems.map((p) => html`<li>Mục ${p.seq}: ${p.problem}</li>`)}
            </ul>
          </div>`
    }
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Thời điểm</th>
            <th scope="col">Sự kiện</th>
            <th scope="col">Người thực hiện</th>
            <th scope="col">Chi tiết</th>
          </tr>
        </thead>
        <tbody>
          ${d.audit.map(
            (e) =>
              html`<tr>
                <td data-label="#">${e.seq}</td>
                <td data-label="Thời điểm">${dateTimeVi(e.at)}</td>
                <td data-label="Sự kiện">${AUDIT_TYPE_VI[e.type] ?? e.type}${e.stepId ? ` (${e.stepId})` : ''}</td>
                <td data-label="Người thực hiện">
                  ${e.personId ? who(s, e.personId) : 'Hệ thống'}${e.onBehalfOf ? ` (ủy quyền của ${who(s, e.onBehalfOf)})` : ''}
                </td>
                <td data-label="Chi tiết">${auditData(s, e.data)}</td>
              </tr>`
          )}
        </tbody>
      </table>
    </div>`;
}

async function casePage(
  w: WebDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  s: Signed,
  caseId: string
): Promise<FastifyReply> {
  const d = await caseDetail(w.services, s.actor, caseId);
  const c = d.case;
  const now = w.services.now();
  const [ctx, calendar, org] = await Promise.all([actContext(w, d), workingCalendar(w), loadOrg(w.services.models)]);
  const acts = ctx ? allowedActs(org, ctx, s.actor, now) : [];
  const open = c.status === 'open' || c.status === 'returned';
  return render(
    w,
    req,
    reply,
    s,
    { title: c.title, current: 'cases' },
    html`<p><a href="/">← Việc cần xử lý</a></p>
      <h1>${c.title}</h1>
      <p>${caseBadges(c, calendar, now)}</p>
      <div class="grid2">
        <section aria-labelledby="tom-tat">
          <h2 id="tom-tat">Thông tin hồ sơ</h2>
          <dl class="kv card">
            <dt>Mã hồ sơ</dt>
            <dd>${c.caseId}</dd>
            <dt>Quy trình</dt>
            <dd>${c.processTitle} (phiên bản ${c.version})</dd>
            <dt>Trạng thái</dt>
            <dd data-status="${c.status}">${CASE_STATUS_VI[c.status] ?? c.status}</dd>
            ${
              c.subjectName
                ? html`<dt>Người được đề nghị</dt>
                    <dd>${c.subjectName}</dd>`
                : ''
            }
            <dt>Bước hiện tại</dt>
            <dd>
              ${c.currentStepTitle ?? '—'}${c.actorLabel ? html`<br /><span class="muted">${c.actorLabel}</span>` : ''}
            </dd>
            <dt>Thời hạn</dt>
            <dd>
              ${d.deadlineText ? html`${d.deadlineText}<br />` : ''}${open ? dueText(calendar, c.dueAt, now, true) : '—'}
            </dd>
            <dt>Mở ngày</dt>
            <dd>${dateVi(c.startedAt)}</dd>
            ${
              c.obstacles > 0
                ? html`<dt>Vướng mắc đã báo cáo</dt>
                    <dd>${c.obstacles}</dd>`
                : ''
            }
          </dl>
          <h2>Các bước</h2>
          ${timeline(s, d)}
        </section>
        <section aria-labelledby="thao-tac">
          <h2 id="thao-tac">Thao tác của đồng chí</h2>
          ${
            ctx && acts.length > 0
              ? acts.map(
                  (t, i) =>
                    html`<details class="act" data-act="${t}" ${i === 0 ? html` open` : ''}>
                      <summary>${actLabel(t, ctx.step)}</summary>
                      ${actForm(t, ctx, s.session.csrfToken, s.people)}
                    </details>`
                )
              : html`<p class="card muted">
                  ${
                    s.actor.isInspector
                      ? 'Tài khoản kiểm tra chỉ được xem hồ sơ và nhật ký.'
                      : open
                        ? 'Đồng chí không có thao tác nào ở bước này.'
                        : 'Hồ sơ đã kết thúc.'
                  }
                </p>`
          }
        </section>
      </div>
      ${auditSection(s, d)}`
  );
}

/** The page of one act's form, alone: the act URL. Refused (403) to whoever may not do it today. */
async function actPage(
  w: WebDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  s: Signed,
  caseId: string,
  type: CaseCommandType,
  state?: FormState,
  status = 200
): Promise<FastifyReply> {
  const d = await caseDetail(w.services, s.actor, caseId);
  const ctx = await actContext(w, d);
  if (!ctx) throw new ServiceError(409, 'STEP_NOT_OPEN', 'Hồ sơ không có bước nào đang chờ xử lý.');
  if (!state) {
    // Opening the form is checked like the act itself; the POST is checked again by the workflow.
    if (s.actor.isInspector)
      throw new ServiceError(
        403,
        'READ_ONLY',
        'Tài khoản kiểm tra (Ủy ban Kiểm tra) chỉ được xem, không được thay đổi dữ liệu.'
      );
    const org = await loadOrg(w.services.models);
    if (!allowedActs(org, ctx, s.actor, w.services.now()).includes(type))
      throw new ServiceError(
        403,
        'NOT_AUTHORISED',
        `Đồng chí không có quyền "${actLabel(type, ctx.step).toLowerCase()}" ở bước "${ctx.step.title}" của hồ sơ này.`
      );
  }
  return render(
    w,
    req,
    reply,
    s,
    { title: `${actLabel(type, ctx.step)} — ${d.case.title}`, current: 'cases' },
    html`<p><a href="/cases/${encodeURIComponent(caseId)}">← ${d.case.title}</a></p>
      <h1>${actLabel(type, ctx.step)}</h1>
      <p>Bước <strong>${ctx.step.id}. ${ctx.step.title}</strong> — ${ctx.step.actor.label}</p>
      <div class="card">${actForm(type, ctx, s.session.csrfToken, s.people, state)}</div>`,
    status
  );
}

const FLASH_OK: Record<CaseCommandType, string> = {
  approve: 'Đã ký duyệt, chuyển bước tiếp theo.',
  vote: 'Đã ghi kết quả biểu quyết.',
  appraise: 'Đã ghi kết quả thẩm định.',
  refuse: 'Đã ghi ý kiến từ chối.',
  return: 'Đã trả lại hồ sơ để bổ sung.',
  resubmit: 'Đã nộp lại hồ sơ.',
  extend: 'Đã gia hạn.',
  obstacle: 'Đã báo cáo vướng mắc tới Thường trực Tỉnh ủy.',
  delegate: 'Đã ủy quyền.',
  withdraw: 'Đã rút hồ sơ.',
};

export function registerCasePages(app: FastifyInstance, w: WebDeps): void {
  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId',
    guarded(w, async (req, reply, s) => casePage(w, req, reply, s, (req.params as { caseId: string }).caseId))
  );

  app.get(
    '/cases/:caseId/act/:type',
    guarded(w, async (req, reply, s) => {
      const { caseId, type } = req.params as { caseId: string; type: string };
      if (!isActType(type)) throw new ServiceError(404, 'NOT_FOUND', 'Không có thao tác này.');
      return actPage(w, req, reply, s, caseId, type);
    })
  );

  app.post(
    '/cases/:caseId/act/:type',
    guarded(w, async (req, reply, s) => {
      const { caseId, type } = req.params as { caseId: string; type: string };
      if (!isActType(type)) throw new ServiceError(404, 'NOT_FOUND', 'Không có thao tác này.');
      const body = formOf(req);
      checkCsrf(s.session, body);
      const values = Object.fromEntries(Object.keys(body).map((k) => [k, field(body, k)]));
      delete values._csrf;
      const d = await caseDetail(w.services, s.actor, caseId);
      const ctx = await actContext(w, d);
      if (!ctx) throw new ServiceError(409, 'STEP_NOT_OPEN', 'Hồ sơ không có bước nào đang chờ xử lý.');
      const requestId = values.requestId || `web-${caseId}-${type}-${Date.now()}`;
      try {
        const command = commandOf(type, body, ctx.step);
        await actOnCaseService(w.services, s.actor, caseId, { requestId, command });
      } catch (e) {
        if (e instanceof FormInputError) {
          return actPage(w, req, reply, s, caseId, type, { values, errors: { [e.field]: e.messageVi } }, 422);
        }
        const we = webErrorOf(e);
        if (!we) throw e;
        req.log.info({ caseId, type, code: we.code }, 'web act refused');
        if (we.status === 403) throw e;
        const f = fieldOfRefusal(type, we.code, we.field);
        // A refused act wrote nothing: the same form comes back with a fresh request ID.
        const state: FormState = f
          ? { values: { ...values, requestId: '' }, errors: { [f]: we.message } }
          : { values: { ...values, requestId: '' }, errors: {}, formError: we.message };
        return actPage(w, req, reply, s, caseId, type, state, we.status);
      }
      setFlash(reply, { kind: 'ok', text: FLASH_OK[type] }, w.secure);
      return reply.redirect(`/cases/${encodeURIComponent(caseId)}`, 303);
    })
  );
}
