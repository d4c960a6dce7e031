/**
 * The action forms of a case's current step: which acts the signed-in person is offered (only what the
 * step allows and what their roles allow on the day — the workflow's validator still checks every act),
 * how each form is drawn, and how a submitted form becomes a CaseCommand.
 */
import { randomUUID } from 'node:crypto';
import { vnDateOf } from '../../domain/calendar/days';
import { formatPeriodVi } from '../../domain/calendar/format';
import type { CaseCommand, CaseCommandType } from '../../domain/chain';
import { mayAct, type Delegation, type OrgSnapshot } from '../../domain/org';
import type { ProcessDefinition, StepDefinition } from '../../domain/processes/model';
import type { Period } from '../../domain/types';
import type { Actor } from '../services';
import { html, type SafeHtml } from './html';
import { csrfField } from './layout';
import { field, type FormBody } from './session';

export const ACT_TYPES: CaseCommandType[] = [
  'approve',
  'vote',
  'appraise',
  'refuse',
  'return',
  'resubmit',
  'extend',
  'obstacle',
  'delegate',
  'withdraw',
];

export function isActType(s: string): s is CaseCommandType {
  return (ACT_TYPES as string[]).includes(s);
}

/** The button and heading of each act; approve depends on the kind of step. */
export function actLabel(type: CaseCommandType, step?: StepDefinition): string {
  switch (type) {
    case 'approve':
      if (step?.act === 'submission') return 'Ký, trình hồ sơ';
      if (step?.act === 'ceremony') return 'Xác nhận đã tổ chức';
      if (step?.act === 'documentCheck') return 'Xác nhận giấy tờ hợp lệ';
      return 'Ký duyệt';
    case 'vote':
      return 'Ghi kết quả biểu quyết';
    case 'appraise':
      return 'Thẩm định';
    case 'refuse':
      return 'Từ chối';
    case 'return':
      return 'Trả lại để bổ sung';
    case 'resubmit':
      return 'Nộp lại hồ sơ đã bổ sung';
    case 'extend':
      return 'Gia hạn';
    case 'obstacle':
      return 'Báo cáo vướng mắc lên Thường trực Tỉnh ủy';
    case 'delegate':
      return 'Ủy quyền';
    case 'withdraw':
      return 'Rút hồ sơ';
  }
}

export interface ActContext {
  caseId: string;
  caseUnitId: string;
  startedAt: number;
  status: string;
  definition: ProcessDefinition;
  step: StepDefinition;
  runStatus: 'open' | 'returned' | 'done';
  /** Delegations granted on this case through its delegate act (the organisation's own are in the tree). */
  delegations: Delegation[];
}

function may(org: OrgSnapshot, ctx: ActContext, actor: Actor, spec: StepDefinition['actor'], now: number) {
  try {
    const withCase = ctx.delegations.length ? { ...org, delegations: [...org.delegations, ...ctx.delegations] } : org;
    return mayAct(withCase, {
      actor: spec,
      caseUnitId: ctx.caseUnitId,
      personId: actor.personId,
      onDate: vnDateOf(now),
      caseStartedOn: vnDateOf(ctx.startedAt),
      stepId: ctx.step.id,
    });
  } catch {
    return { allowed: false as const };
  }
}

/** The acts offered to `actor` on the current step, in the order they are shown. */
export function allowedActs(org: OrgSnapshot, ctx: ActContext, actor: Actor, now: number): CaseCommandType[] {
  if (actor.isInspector || (ctx.status !== 'open' && ctx.status !== 'returned')) return [];
  const { step } = ctx;
  const out: CaseCommandType[] = [];
  const onStep = may(org, ctx, actor, step.actor, now);
  const start = ctx.definition.steps.find((s) => s.id === ctx.definition.startStep);
  if (ctx.runStatus === 'open' && onStep.allowed) {
    if (step.act === 'vote') out.push('vote');
    else if (step.act === 'appraisal') out.push('appraise');
    else if (step.act !== 'waitingPeriod') out.push('approve');
    if (step.canRefuse) out.push('refuse');
    if (step.onReturn) out.push('return');
    if (step.deadline?.maxExtension) out.push('extend');
    out.push('obstacle');
    if (!('onBehalfOf' in onStep && onStep.onBehalfOf)) out.push('delegate');
  }
  if (ctx.runStatus === 'returned' && step.onReturn && may(org, ctx, actor, step.onReturn.returnTo, now).allowed) {
    out.push('resubmit', 'obstacle');
  }
  if (start && may(org, ctx, actor, start.actor, now).allowed && !out.includes('withdraw')) out.push('withdraw');
  return [...new Set(out)];
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A refusal that concerns no one field (who may act, the case's state). */
  formError?: string;
}

const emptyState = (): FormState => ({ values: {}, errors: {} });

function errorId(type: string, name: string): string {
  return `${type}-${name}-loi`;
}

function fieldError(type: string, name: string, st: FormState): SafeHtml | '' {
  const e = st.errors[name];
  return e ? html`<p class="field-error" id="${errorId(type, name)}">${e}</p>` : '';
}

function aria(type: string, name: string, st: FormState): SafeHtml | '' {
  return st.errors[name] ? html` aria-invalid="true" aria-describedby="${errorId(type, name)}"` : '';
}

function textInput(
  type: string,
  name: string,
  label: string,
  st: FormState,
  o: { required?: boolean; hint?: string; area?: boolean } = {}
): SafeHtml {
  const id = `${type}-${name}`;
  const v = st.values[name] ?? '';
  return html`<div class="field">
    <label for="${id}">${label}${o.required ? ' (bắt buộc)' : ''}</label>
    ${
      o.area
        ? html`<textarea id="${id}" name="${name}" ${o.required ? html` required` : ''}${aria(type, name, st)}>
${v}</textarea>`
        : html`<input
            type="text"
            id="${id}"
            name="${name}"
            value="${v}"
            ${o.required ? html` required` : ''}${aria(type, name, st)}
          />`
    }
    ${o.hint ? html`<p class="hint">${o.hint}</p>` : ''} ${fieldError(type, name, st)}
  </div>`;
}

function numberInput(type: string, name: string, label: string, st: FormState): SafeHtml {
  const id = `${type}-${name}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input
      type="number"
      min="0"
      step="1"
      inputmode="numeric"
      id="${id}"
      name="${name}"
      value="${st.values[name] ?? ''}"
      required${aria(type, name, st)}
    />
    ${fieldError(type, name, st)}
  </div>`;
}

function dateInput(type: string, name: string, label: string, st: FormState, required = false): SafeHtml {
  const id = `${type}-${name}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input
      type="date"
      id="${id}"
      name="${name}"
      value="${st.values[name] ?? ''}"
      ${required ? html` required` : ''}${aria(type, name, st)}
    />
    ${fieldError(type, name, st)}
  </div>`;
}

function documentFields(type: string, step: StepDefinition, st: FormState): SafeHtml | '' {
  if (!step.documents?.length) return '';
  return html`<fieldset>
    <legend>Giấy tờ kèm theo (ngày ban hành)</legend>
    ${step.documents.map((d) =>
      dateInput(
        type,
        `doc_${d.code}`,
        `${d.labelVi}${d.maxAgeMonths ? ` — còn giá trị ${d.maxAgeMonths} tháng` : ''}${d.conditionVi ? ` (${d.conditionVi})` : ''}`,
        st
      )
    )}
    ${fieldError(type, 'documents', st)}
  </fieldset>`;
}

function unitLabel(p: Period): string {
  switch (p.unit) {
    case 'workingDays':
      return 'ngày làm việc';
    case 'calendarDays':
      return 'ngày';
    case 'calendarMonths':
      return 'tháng';
    case 'duration':
      return 'giây';
  }
}

/** The form of one act. */
export function actForm(
  type: CaseCommandType,
  ctx: ActContext,
  csrf: string,
  people: { id: string; name: string }[],
  state: FormState = emptyState()
): SafeHtml {
  const { step } = ctx;
  const st = state;
  let body: SafeHtml;
  switch (type) {
    case 'approve':
      body = html`${documentFields(type, step, st)}${textInput(type, 'note', 'Ý kiến (nếu có)', st, { area: true })}`;
      break;
    case 'vote': {
      const v = step.vote;
      body = html`<fieldset>
          <legend>
            Kết quả biểu
            quyết${v ? ` — cần ${v.threshold.op === '>=' ? '≥' : '>'} ${v.threshold.num}/${v.threshold.den}` : ''}
          </legend>
          <div class="counts">
            ${numberInput(type, 'base', 'Tổng số (cơ sở tính)', st)} ${numberInput(type, 'present', 'Số có mặt', st)}
            ${numberInput(type, 'approve', 'Tán thành', st)} ${numberInput(type, 'reject', 'Không tán thành', st)}
            ${numberInput(type, 'abstain', 'Không biểu quyết', st)}
          </div>
          ${fieldError(type, 'tally', st)}
        </fieldset>
        ${documentFields(type, step, st)}`;
      break;
    }
    case 'appraise':
      body = html`<div class="field">
          <label for="appraise-outcome">Kết luận thẩm định</label>
          <select id="appraise-outcome" name="outcome" class="wide" ${aria(type, 'outcome', st)}>
            ${(
              [
                ['recommend', 'Đề nghị chấp thuận'],
                ['refer', 'Xin ý kiến Ban Thường vụ'],
                ['hold', 'Tạm dừng để thẩm tra chính trị'],
              ] as const
            ).map(
              ([k, l]) => html`<option value="${k}" ${st.values.outcome === k ? html` selected` : ''}>${l}</option>`
            )}</select
          >${fieldError(type, 'outcome', st)}
        </div>
        ${textInput(type, 'note', 'Ý kiến thẩm định', st, { area: true })}`;
      break;
    case 'refuse':
      body = textInput(type, 'reason', 'Lý do từ chối', st, { required: true, area: true });
      break;
    case 'return':
      body = html`<div class="field">
          <label for="return-reasonCode">Lý do trả lại</label>
          <select id="return-reasonCode" name="reasonCode" class="wide" ${aria(type, 'reasonCode', st)}>
            ${(step.onReturn?.reasonCodes ?? []).map(
              (r) =>
                html`<option value="${r.code}" ${st.values.reasonCode === r.code ? html` selected` : ''}>
                  ${r.labelVi}
                </option>`
            )}</select
          >${fieldError(type, 'reasonCode', st)}
          ${step.onReturn?.resubmitWithin ? html`<p class="hint">Thời hạn nộp lại: ${formatPeriodVi(step.onReturn.resubmitWithin)}.</p>` : ''}
        </div>
        ${textInput(type, 'note', 'Nội dung cần bổ sung', st, { area: true })}`;
      break;
    case 'resubmit':
      body = html`${documentFields(type, step, st)}${textInput(type, 'note', 'Nội dung đã bổ sung', st, { area: true })}`;
      break;
    case 'extend': {
      const max = step.deadline?.maxExtension;
      body = html`<div class="field">
          <label for="extend-n">Gia hạn thêm (${max ? unitLabel(max) : 'ngày'})</label>
          <input
            type="number"
            min="1"
            step="1"
            id="extend-n"
            name="n"
            value="${st.values.n ?? ''}"
            required${aria(type, 'n', st)}
          />
          ${max ? html`<p class="hint">Tối đa theo quy định: ${formatPeriodVi(max)}.</p>` : ''}
          ${fieldError(type, 'n', st)}${fieldError(type, 'period', st)}
        </div>
        ${textInput(type, 'reason', 'Lý do gia hạn', st, { required: true, area: true })}`;
      break;
    }
    case 'obstacle':
      body = textInput(type, 'text', 'Nội dung vướng mắc', st, {
        required: true,
        area: true,
        hint: 'Báo cáo được gửi ngay tới Thường trực Tỉnh ủy.',
      });
      break;
    case 'delegate':
      body = html`<div class="field">
          <label for="delegate-toPersonId">Ủy quyền cho đồng chí</label>
          <select id="delegate-toPersonId" name="toPersonId" class="wide" ${aria(type, 'toPersonId', st)}>
            <option value="">— Chọn cán bộ —</option>
            ${people.map((p) => html`<option value="${p.id}" ${st.values.toPersonId === p.id ? html` selected` : ''}>${p.name} (${p.id})</option>`)}</select
          >${fieldError(type, 'toPersonId', st)}
        </div>
        ${dateInput(type, 'from', 'Từ ngày', st, true)} ${dateInput(type, 'to', 'Đến ngày', st, true)}`;
      break;
    case 'withdraw':
      body = textInput(type, 'reason', 'Lý do rút hồ sơ', st, { required: true, area: true });
      break;
  }
  return html`<form
    method="post"
    action="/cases/${encodeURIComponent(ctx.caseId)}/act/${type}"
    class="act-form"
    novalidate
  >
    ${csrfField(csrf)}
    <input type="hidden" name="requestId" value="${st.values.requestId || randomUUID()}" />
    ${st.formError ? html`<p class="flash flash-error" role="alert">${st.formError}</p>` : ''} ${body}
    <button type="submit">${actLabel(type, step)}</button>
  </form>`;
}

/** A form refused before reaching the case: the field and the Vietnamese message. */
export class FormInputError extends Error {
  constructor(
    readonly field: string,
    readonly messageVi: string
  ) {
    super(messageVi);
  }
}

function count(body: FormBody, name: string, label: string): number {
  const s = field(body, name);
  if (!/^\d+$/.test(s)) throw new FormInputError(name, `${label}: phải là một số nguyên không âm.`);
  return Number(s);
}

function documents(body: FormBody, step: StepDefinition): { code: string; issuedOn: string }[] | undefined {
  const docs = (step.documents ?? [])
    .map((d) => ({ code: d.code, issuedOn: field(body, `doc_${d.code}`) }))
    .filter((d) => d.issuedOn !== '');
  return docs.length > 0 ? docs : undefined;
}

const opt = (s: string): string | undefined => (s === '' ? undefined : s);

/** The command a submitted form asks for; FormInputError for what cannot even be read. */
export function commandOf(type: CaseCommandType, body: FormBody, step: StepDefinition): CaseCommand {
  switch (type) {
    case 'approve':
      return { type, note: opt(field(body, 'note')), documents: documents(body, step) };
    case 'vote':
      return {
        type,
        tally: {
          base: count(body, 'base', 'Tổng số'),
          present: count(body, 'present', 'Số có mặt'),
          approve: count(body, 'approve', 'Số tán thành'),
          reject: count(body, 'reject', 'Số không tán thành'),
          abstain: count(body, 'abstain', 'Số không biểu quyết'),
        },
        documents: documents(body, step),
      };
    case 'appraise': {
      const outcome = field(body, 'outcome');
      if (outcome !== 'recommend' && outcome !== 'refer' && outcome !== 'hold')
        throw new FormInputError('outcome', 'Phải chọn kết luận thẩm định.');
      return { type, outcome, note: opt(field(body, 'note')) };
    }
    case 'refuse':
      return { type, reason: field(body, 'reason') };
    case 'return':
      return { type, reasonCode: field(body, 'reasonCode'), note: opt(field(body, 'note')) };
    case 'resubmit':
      return { type, note: opt(field(body, 'note')), documents: documents(body, step) };
    case 'extend': {
      const max = step.deadline?.maxExtension;
      const s = field(body, 'n');
      if (!/^\d+$/.test(s) || Number(s) < 1)
        throw new FormInputError('n', 'Thời gian gia hạn phải là một số nguyên dương.');
      const n = Number(s);
      const period: Period =
        !max || max.unit === 'duration' ? { unit: 'duration', iso: `PT${n}S` } : { unit: max.unit, n };
      return { type, reason: field(body, 'reason'), period };
    }
    case 'obstacle':
      return { type, text: field(body, 'text') };
    case 'delegate': {
      const toPersonId = field(body, 'toPersonId');
      if (!toPersonId) throw new FormInputError('toPersonId', 'Phải chọn người được ủy quyền.');
      return { type, toPersonId, from: field(body, 'from'), to: field(body, 'to') };
    }
    case 'withdraw':
      return { type, reason: field(body, 'reason') };
  }
}

/** Which field a refusal of the workflow is about, for showing the message in place. */
export function fieldOfRefusal(type: CaseCommandType, code: string, hinted?: string): string | undefined {
  if (code === 'NOT_AUTHORISED' || code === 'STEP_NOT_OPEN' || code === 'CASE_CLOSED' || code === 'CONFLICT')
    return undefined;
  if (hinted) return hinted;
  if (code === 'DOCUMENT_EXPIRED') return 'documents';
  switch (type) {
    case 'vote':
      return 'tally';
    case 'refuse':
    case 'withdraw':
      return 'reason';
    case 'return':
      return 'reasonCode';
    case 'extend':
      return code === 'INVALID_INPUT' ? 'reason' : 'period';
    case 'obstacle':
      return 'text';
    case 'delegate':
      return 'toPersonId';
    case 'appraise':
      return 'outcome';
    default:
      return code === 'INVALID_INPUT' ? 'note' : undefined;
  }
}
