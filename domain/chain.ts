/**
 * The case state machine: one engine for every process definition. Pure: given the pinned definition, the
 * calendar, the organisation slice of the case and `now`, it validates a person's act, applies it, and
 * says what must happen outside (audit entries, e-mails); and it tells when the next timer is due (a rung
 * of the escalation ladder, or the end of a waiting period). The Temporal workflow is a thin shell that
 * maps Updates and timers to these functions and effects to activities.
 *
 * A case is a sequence of step runs. A step run is open (waiting for its actor), returned (waiting for a
 * supplemented dossier) or done (with an outcome). An outcome follows the step's transitions to the next
 * step, to END (completed) or REFUSED; a step may be run again (a return that redoes an earlier step, a
 * referral back), and each run has its own deadline and ladder, so e-mails are keyed by step run.
 */
import { vnDateOf } from './calendar/days';
import { formatDeadline } from './calendar/format';
import type { VietnamWorkingCalendar } from './calendar/working-calendar';
import { domainError, type DomainError } from './errors';
import { ladderSchedule, nextLadderAction, type LadderDone } from './ladder';
import { mayAct, type Delegation, type OrgSnapshot } from './org';
import { isIsoDate } from './processes/dates';
import { checkStepDocuments, type ProvidedDocument } from './processes/documents';
import {
  END,
  REFUSED,
  type ProcessDefinition,
  type ProcessKey,
  type StepDefinition,
  type StepOutcome,
} from './processes/model';
import type { EpochMs, IsoDate, LadderAction, LadderAudience, LadderLevel, Period, VoteTally } from './types';
import { evaluateBallots, evaluateVote, type BallotRound, type VoteResult } from './votes';

export type CaseStatus = 'open' | 'returned' | 'completed' | 'refused' | 'withdrawn' | 'escalatedToSuperior';
export type StepRunStatus = 'open' | 'returned' | 'done';

export interface VoteRecord {
  round: number;
  at: EpochMs;
  approve: number;
  base: number;
  present: number;
  passed: boolean;
  quorumMet: boolean;
  explanation: string;
}

export interface StepRun {
  stepId: string;
  /** 1 for the first run of this step in the case, 2 after it is run again, ... */
  run: number;
  status: StepRunStatus;
  openedAt: EpochMs;
  /** The due instant from the definition's deadline rule, before any extension. */
  baseDueAt?: EpochMs;
  /** The due instant in force (after extensions). */
  dueAt?: EpochMs;
  outcome?: StepOutcome;
  closedAt?: EpochMs;
  actedBy?: string;
  onBehalfOf?: string;
  votes: VoteRecord[];
  returned?: { reasonCode: string; reasonLabel: string; note?: string; at: EpochMs; by: string; resubmitBy?: EpochMs };
  documents?: ProvidedDocument[];
  ladderDone: LadderDone[];
  /**
   * How many times the ladder of this run started again (an extension, a return, a resubmission): the
   * rungs of each new start are new e-mails, so the outbox key names the cycle.
   */
  ladderCycle?: number;
  obstacles: number;
  extensions: number;
}

export interface CaseState {
  caseId: string;
  process: ProcessKey;
  version: number;
  title: string;
  caseUnitId: string;
  subjectName?: string;
  startedAt: EpochMs;
  startedOn: IsoDate;
  status: CaseStatus;
  /** A campaign's deadline above every step's (e.g. all planning approvals by 31/12). */
  campaignDeadline?: EpochMs;
  runs: StepRun[];
  /** When each step was last completed, for deadlines counted from another step (C11 from C8). */
  completedAt: Record<string, EpochMs>;
  /** Delegations granted on this case through the delegate act (the organisation's own are in the slice). */
  delegations: Delegation[];
  /** Request IDs already applied (most recent last, bounded), so a repeated request does nothing twice. */
  requestIds: string[];
  /** Sequence number of the last audit entry. */
  auditSeq: number;
  /** Incremented by every change; the stored projection never goes back to a lower revision. */
  revision: number;
}

export type CaseCommand =
  | { type: 'approve'; note?: string; documents?: ProvidedDocument[] }
  | { type: 'refuse'; reason: string }
  | { type: 'return'; reasonCode: string; note?: string }
  | { type: 'resubmit'; note?: string; documents?: ProvidedDocument[] }
  | { type: 'vote'; tally?: VoteTally; ballots?: BallotRound; documents?: ProvidedDocument[] }
  | { type: 'appraise'; outcome: 'recommend' | 'refer' | 'hold'; note?: string }
  | { type: 'extend'; reason: string; period: Period }
  | { type: 'obstacle'; text: string }
  | { type: 'delegate'; toPersonId: string; from: IsoDate; to: IsoDate }
  | { type: 'withdraw'; reason: string };

export type CaseCommandType = CaseCommand['type'];

export interface ActRequest {
  requestId?: string;
  personId: string;
  command: CaseCommand;
}

export interface ChainContext {
  definition: ProcessDefinition;
  calendar: VietnamWorkingCalendar;
  org: OrgSnapshot;
}

export interface AuditEffect {
  kind: 'audit';
  type: string;
  stepId?: string;
  personId?: string;
  onBehalfOf?: string;
  data: Record<string, unknown>;
}

export type MailKind = 'reminder' | 'due' | 'escalation' | 'obstacle' | 'decision';

export interface MailEffect {
  kind: 'mail';
  mail: MailKind;
  stepId: string;
  run: number;
  /** The outbox level: a ladder level, 'obstacle', 'extension' or 'decision'. */
  level: LadderLevel | 'extension' | 'decision';
  round: number;
  /** The ladder cycle of the run the rung belongs to (see StepRun.ladderCycle). */
  cycle?: number;
  audience: LadderAudience | 'caseUnit';
  obstacleText?: string;
  reporterId?: string;
  decisionText?: string;
}

export type Effect = AuditEffect | MailEffect;

export interface Transition {
  state: CaseState;
  effects: Effect[];
}

/** What the next timer of a case does. */
export type TimerAction = { kind: 'ladder'; at: EpochMs; action: LadderAction } | { kind: 'autoComplete'; at: EpochMs };

const MAX_REMEMBERED_REQUESTS = 500;

const COMMANDS_BY_ACT: Record<StepDefinition['act'], CaseCommandType[]> = {
  signature: ['approve'],
  ceremony: ['approve'],
  documentCheck: ['approve'],
  submission: ['approve'],
  vote: ['vote'],
  appraisal: ['appraise'],
  waitingPeriod: [],
};

const COMMAND_LABEL_VI: Record<CaseCommandType, string> = {
  approve: 'ký/duyệt',
  refuse: 'từ chối',
  return: 'trả lại bổ sung',
  resubmit: 'nộp lại hồ sơ',
  vote: 'ghi kết quả biểu quyết',
  appraise: 'thẩm định',
  extend: 'gia hạn',
  obstacle: 'báo cáo vướng mắc',
  delegate: 'ủy quyền',
  withdraw: 'rút hồ sơ',
};

function invalid(message: string, messageVi: string, details?: Record<string, unknown>): DomainError {
  return domainError('INVALID_INPUT', message, messageVi, details);
}

function stepOf(def: ProcessDefinition, stepId: string): StepDefinition {
  const step = def.steps.find((s) => s.id === stepId);
  if (!step)
    throw domainError(
      'NOT_FOUND',
      `step ${stepId} not in ${def.key} v${def.version}`,
      `Không có bước ${stepId} trong quy trình.`
    );
  return step;
}

/** The run that is waiting for someone, if the case is still going. */
export function currentRun(state: CaseState): StepRun | undefined {
  const last = state.runs[state.runs.length - 1];
  return last && last.status !== 'done' ? last : undefined;
}

function isClosed(state: CaseState): boolean {
  return state.status !== 'open' && state.status !== 'returned';
}

/** The due instant of a step opened at `openedAt`, from its deadline rule, capped by the campaign's deadline. */
function dueOf(ctx: ChainContext, state: CaseState, step: StepDefinition, openedAt: EpochMs): EpochMs | undefined {
  const rule = step.deadline;
  if (!rule) return state.campaignDeadline;
  const anchor = rule.from.event === 'stepOpened' ? openedAt : (state.completedAt[rule.from.step] ?? openedAt);
  const due = ctx.calendar.addPeriod(anchor, rule.period);
  return state.campaignDeadline !== undefined ? Math.min(due, state.campaignDeadline) : due;
}

function openStep(ctx: ChainContext, state: CaseState, stepId: string, now: EpochMs, effects: Effect[]): void {
  const step = stepOf(ctx.definition, stepId);
  const run = state.runs.filter((r) => r.stepId === stepId).length + 1;
  const due = dueOf(ctx, state, step, now);
  state.runs.push({
    stepId,
    run,
    status: 'open',
    openedAt: now,
    baseDueAt: due,
    dueAt: due,
    votes: [],
    ladderDone: [],
    obstacles: 0,
    extensions: 0,
  });
  state.status = 'open';
  effects.push({
    kind: 'audit',
    type: 'stepOpened',
    stepId,
    data: {
      run,
      title: step.title,
      dueAt: due ?? null,
      deadline: due !== undefined && step.deadline ? formatDeadline(step.deadline.period, due) : null,
    },
  });
}

/** Starts a case at the definition's first step. */
export function startCase(
  ctx: ChainContext,
  input: {
    caseId: string;
    title: string;
    caseUnitId: string;
    subjectName?: string;
    campaignDeadline?: EpochMs;
    startedBy?: string;
  },
  now: EpochMs
): Transition {
  const state: CaseState = {
    caseId: input.caseId,
    process: ctx.definition.key,
    version: ctx.definition.version,
    title: input.title,
    caseUnitId: input.caseUnitId,
    subjectName: input.subjectName,
    startedAt: now,
    startedOn: vnDateOf(now),
    status: 'open',
    campaignDeadline: input.campaignDeadline,
    runs: [],
    completedAt: {},
    delegations: [],
    requestIds: [],
    auditSeq: 0,
    revision: 0,
  };
  const effects: Effect[] = [
    {
      kind: 'audit',
      type: 'caseStarted',
      personId: input.startedBy,
      data: {
        process: ctx.definition.key,
        version: ctx.definition.version,
        title: input.title,
        caseUnitId: input.caseUnitId,
      },
    },
  ];
  openStep(ctx, state, ctx.definition.startStep, now, effects);
  return finish(state, effects);
}

function finish(state: CaseState, effects: Effect[]): Transition {
  state.revision += 1;
  state.auditSeq += effects.filter((e) => e.kind === 'audit').length;
  return { state, effects };
}

function orgWithCaseDelegations(ctx: ChainContext, state: CaseState): OrgSnapshot {
  return state.delegations.length === 0
    ? ctx.org
    : { ...ctx.org, delegations: [...ctx.org.delegations, ...state.delegations] };
}

/** The acting identity an act is accepted under. */
export interface Acting {
  personId: string;
  onBehalfOf?: string;
}

function authorise(
  ctx: ChainContext,
  state: CaseState,
  step: StepDefinition,
  personId: string,
  now: EpochMs,
  actor = step.actor
): Acting {
  const result = mayAct(orgWithCaseDelegations(ctx, state), {
    actor,
    caseUnitId: state.caseUnitId,
    personId,
    onDate: vnDateOf(now),
    caseStartedOn: state.startedOn,
    stepId: step.id,
  });
  if (!result.allowed) throw result.error;
  return { personId, onBehalfOf: result.onBehalfOf };
}

function requireText(value: unknown, field: string, labelVi: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${field} is required`, `Phải nêu ${labelVi}.`, { field });
  }
  if (value.length > 4000)
    throw invalid(
      `${field} is too long`,
      `${labelVi[0]?.toUpperCase()}${labelVi.slice(1)} quá dài (tối đa 4000 ký tự).`,
      { field }
    );
  return value.trim();
}

function checkDocumentsShape(docs: unknown): void {
  if (docs === undefined) return;
  if (
    !Array.isArray(docs) ||
    docs.some(
      (d) =>
        typeof d !== 'object' ||
        d === null ||
        typeof (d as ProvidedDocument).code !== 'string' ||
        !isIsoDate((d as ProvidedDocument).issuedOn)
    )
  ) {
    throw invalid(
      'documents must be [{code, issuedOn}]',
      'Danh sách giấy tờ không hợp lệ (cần mã giấy tờ và ngày ban hành).'
    );
  }
}

/**
 * Checks an act without changing anything: the case and step are open for it, the person may act on the
 * step on that date (delegations honoured), and the input is well formed. Throws a DomainError with a
 * stable code and a Vietnamese message; returns the identity the act will be recorded under.
 */
export function validateAct(ctx: ChainContext, state: CaseState, req: ActRequest, now: EpochMs): Acting {
  if (typeof req !== 'object' || req === null || typeof req.personId !== 'string' || req.personId === '') {
    throw invalid('personId is required', 'Thiếu người thực hiện.');
  }
  const cmd = req.command;
  // Own keys only: `'toString' in COMMAND_LABEL_VI` is true.
  if (typeof cmd !== 'object' || cmd === null || !Object.hasOwn(COMMAND_LABEL_VI, cmd.type)) {
    throw invalid('unknown command', 'Thao tác không hợp lệ.');
  }
  if (isClosed(state)) {
    throw domainError(
      'STEP_NOT_OPEN',
      `case ${state.caseId} is ${state.status}`,
      'Hồ sơ đã kết thúc, không thể thao tác thêm.',
      { status: state.status }
    );
  }
  const run = currentRun(state);
  /* istanbul ignore next -- an open case always has a current run */
  if (!run) throw domainError('STEP_NOT_OPEN', 'no open step', 'Hồ sơ không có bước nào đang chờ xử lý.');
  const step = stepOf(ctx.definition, run.stepId);
  const notOpen = (why: string): DomainError =>
    domainError(
      'STEP_NOT_OPEN',
      `${cmd.type} not possible on ${step.id}: ${why}`,
      `Không thể ${COMMAND_LABEL_VI[cmd.type]} ở bước "${step.title}": ${why}.`,
      {
        stepId: step.id,
      }
    );

  switch (cmd.type) {
    case 'resubmit': {
      if (run.status !== 'returned') throw notOpen('hồ sơ không ở trạng thái bị trả lại');
      checkDocumentsShape(cmd.documents);
      return authorise(ctx, state, step, req.personId, now, step.onReturn?.returnTo ?? step.actor);
    }
    case 'withdraw': {
      requireText(cmd.reason, 'reason', 'lý do rút hồ sơ');
      return authorise(ctx, state, stepOf(ctx.definition, ctx.definition.startStep), req.personId, now);
    }
    case 'obstacle': {
      requireText(cmd.text, 'text', 'nội dung vướng mắc');
      // Anyone who acts on the step, or on the returned dossier, may report what blocks it.
      try {
        return authorise(ctx, state, step, req.personId, now);
      } catch (e) {
        if (run.status === 'returned' && step.onReturn)
          return authorise(ctx, state, step, req.personId, now, step.onReturn.returnTo);
        throw e;
      }
    }
    default:
      break;
  }
  if (run.status !== 'open') throw notOpen('hồ sơ đang bị trả lại để bổ sung');
  switch (cmd.type) {
    case 'approve':
    case 'vote':
    case 'appraise':
      if (!COMMANDS_BY_ACT[step.act].includes(cmd.type)) throw notOpen('bước này không nhận thao tác đó');
      break;
    case 'refuse':
      if (!step.canRefuse) throw notOpen('bước này không có quyền từ chối');
      requireText(cmd.reason, 'reason', 'lý do từ chối');
      break;
    case 'return':
      if (!step.onReturn) throw notOpen('bước này không trả lại hồ sơ');
      if (!step.onReturn.reasonCodes.some((r) => r.code === cmd.reasonCode)) {
        throw invalid(
          `unknown reason code ${String(cmd.reasonCode)}`,
          `Mã lý do trả lại không hợp lệ. Các mã hợp lệ: ${step.onReturn.reasonCodes.map((r) => r.code).join(', ')}.`
        );
      }
      break;
    case 'extend':
      validateExtension(ctx, run, step, cmd);
      break;
    case 'delegate':
      validateDelegation(ctx, cmd, now);
      break;
  }
  if (cmd.type === 'approve' || cmd.type === 'vote') checkDocumentsShape(cmd.documents);
  if (cmd.type === 'vote') {
    if (!step.vote) throw notOpen('bước này không có quy tắc biểu quyết');
    // null counts as absent, as applyAct reads it (`cmd.tally ? ... : ballots`).
    if ((cmd.tally == null) === (cmd.ballots == null)) {
      throw invalid('give either a tally or ballots', 'Phải nhập hoặc số phiếu, hoặc danh sách phiếu của từng người.');
    }
    // Evaluating checks the counts (approve + reject + abstain ≤ present ≤ base, no duplicate voter ...).
    if (cmd.tally) evaluateVote(step.vote, cmd.tally);
    else evaluateBallots(step.vote, cmd.ballots as BallotRound);
  }
  if (cmd.type === 'appraise' && !['recommend', 'refer', 'hold'].includes(cmd.outcome)) {
    throw invalid(
      'appraisal outcome must be recommend, refer or hold',
      'Kết quả thẩm định phải là: đề nghị, xin ý kiến, hoặc tạm dừng để thẩm tra chính trị.'
    );
  }
  if (cmd.type === 'delegate') {
    // Only someone who holds the role in person may pass it on (a delegate cannot delegate again).
    const acting = authorise(ctx, state, step, req.personId, now);
    if (acting.onBehalfOf)
      throw domainError(
        'NOT_AUTHORISED',
        'a delegate cannot delegate again',
        'Người được ủy quyền không được ủy quyền lại.'
      );
    return acting;
  }
  return authorise(ctx, state, step, req.personId, now);
}

function validateExtension(
  ctx: ChainContext,
  run: StepRun,
  step: StepDefinition,
  cmd: Extract<CaseCommand, { type: 'extend' }>
): void {
  requireText(cmd.reason, 'reason', 'lý do gia hạn');
  const max = step.deadline?.maxExtension;
  if (!max || run.baseDueAt === undefined) {
    throw domainError(
      'EXTENSION_NOT_ALLOWED',
      `step ${step.id} allows no extension`,
      `Bước "${step.title}" không được gia hạn.`
    );
  }
  if (typeof cmd.period !== 'object' || cmd.period === null)
    throw invalid('period is required', 'Phải nêu thời gian gia hạn.');
  let requested: EpochMs;
  try {
    requested = ctx.calendar.addPeriod(run.dueAt ?? run.baseDueAt, cmd.period);
  } catch {
    throw invalid('bad extension period', 'Thời gian gia hạn không hợp lệ.');
  }
  const limit = ctx.calendar.addPeriod(run.baseDueAt, max);
  if (requested > limit) {
    throw domainError(
      'EXTENSION_NOT_ALLOWED',
      `extension beyond the maximum of step ${step.id}`,
      `Gia hạn vượt mức tối đa cho phép (${formatDeadline(max, limit)}).`,
      { limit }
    );
  }
}

function validateDelegation(ctx: ChainContext, cmd: Extract<CaseCommand, { type: 'delegate' }>, now: EpochMs): void {
  if (typeof cmd.toPersonId !== 'string' || !ctx.org.people.some((p) => p.id === cmd.toPersonId)) {
    throw invalid('unknown delegate', 'Người được ủy quyền không có trong danh sách cán bộ.');
  }
  const dateRe = /^\d{4}-\d{2}-\d{2}$/;
  if (
    typeof cmd.from !== 'string' ||
    typeof cmd.to !== 'string' ||
    !dateRe.test(cmd.from) ||
    !dateRe.test(cmd.to) ||
    cmd.to < cmd.from
  ) {
    throw invalid(
      'bad delegation dates',
      'Thời hạn ủy quyền không hợp lệ (từ ngày phải trước đến ngày, dạng YYYY-MM-DD).'
    );
  }
  if (cmd.to < vnDateOf(now)) throw invalid('delegation already over', 'Thời hạn ủy quyền đã qua.');
}

function remember(state: CaseState, requestId: string | undefined): void {
  if (!requestId) return;
  state.requestIds.push(requestId);
  if (state.requestIds.length > MAX_REMEMBERED_REQUESTS)
    state.requestIds.splice(0, state.requestIds.length - MAX_REMEMBERED_REQUESTS);
}

/** True when this request ID was already applied: the act must then do nothing. */
export function alreadyApplied(state: CaseState, requestId: string | undefined): boolean {
  return requestId !== undefined && state.requestIds.includes(requestId);
}

function closeRun(
  ctx: ChainContext,
  state: CaseState,
  run: StepRun,
  outcome: StepOutcome,
  acting: Acting | undefined,
  now: EpochMs,
  effects: Effect[]
): void {
  const step = stepOf(ctx.definition, run.stepId);
  run.status = 'done';
  run.outcome = outcome;
  run.closedAt = now;
  if (acting) {
    run.actedBy = acting.personId;
    run.onBehalfOf = acting.onBehalfOf;
  }
  if (outcome === 'approved') state.completedAt[step.id] = now;
  effects.push({
    kind: 'audit',
    type: 'stepClosed',
    stepId: step.id,
    personId: acting?.personId,
    onBehalfOf: acting?.onBehalfOf,
    data: { run: run.run, outcome },
  });
  const target = step.next[outcome];
  if (target === undefined) {
    if (outcome === 'escalated')
      return endCase(
        state,
        run,
        'escalatedToSuperior',
        'Hồ sơ được chuyển lên cấp ủy cấp trên sau ba lần biểu quyết không đạt.',
        effects
      );
    return endCase(state, run, 'refused', `Hồ sơ dừng ở bước "${step.title}".`, effects);
  }
  if (target === END) return endCase(state, run, 'completed', 'Hồ sơ đã hoàn thành.', effects);
  if (target === REFUSED) return endCase(state, run, 'refused', `Hồ sơ bị từ chối ở bước "${step.title}".`, effects);
  openStep(ctx, state, target, now, effects);
}

function endCase(state: CaseState, run: StepRun, status: CaseStatus, decisionText: string, effects: Effect[]): void {
  state.status = status;
  effects.push({ kind: 'audit', type: 'caseClosed', data: { status } });
  effects.push({
    kind: 'mail',
    mail: 'decision',
    stepId: run.stepId,
    run: run.run,
    level: 'decision',
    round: 1,
    audience: 'caseUnit',
    decisionText,
  });
}

/**
 * Applies an act that validateAct accepted. A request ID seen before does nothing. The state passed in is
 * not modified: a new state is returned with the effects to carry out.
 */
export function applyAct(
  ctx: ChainContext,
  current: CaseState,
  req: ActRequest,
  acting: Acting,
  now: EpochMs
): Transition {
  const state = structuredCloneJson(current);
  const effects: Effect[] = [];
  if (alreadyApplied(state, req.requestId)) return { state: current, effects: [] };
  remember(state, req.requestId);
  const run = currentRun(state);
  /* istanbul ignore next -- validateAct guarantees an open case */
  if (!run) return { state: current, effects: [] };
  const step = stepOf(ctx.definition, run.stepId);
  const cmd = req.command;
  const audit = (type: string, data: Record<string, unknown>): void => {
    effects.push({
      kind: 'audit',
      type,
      stepId: step.id,
      personId: acting.personId,
      onBehalfOf: acting.onBehalfOf,
      data: { run: run.run, ...data },
    });
  };
  // Documents too old on the day of the act send the dossier back instead (e.g. introductions > 12 months).
  const staleReturn = (documents: ProvidedDocument[] | undefined): boolean => {
    if (!documents || !step.documents) return false;
    run.documents = documents;
    const check = checkStepDocuments(step, documents, vnDateOf(now));
    const reason = check.returnReasons[0];
    if (check.stale.length === 0 || !reason || !step.onReturn) return false;
    const label = step.onReturn.reasonCodes.find((r) => r.code === reason)?.labelVi ?? reason;
    markReturned(
      ctx,
      run,
      step,
      { reasonCode: reason, reasonLabel: label, note: check.messagesVi.join(' '), by: acting.personId },
      now
    );
    state.status = 'returned';
    audit('returned', {
      reasonCode: reason,
      automatic: true,
      stale: check.stale.map((s) => ({ code: s.document.code, issuedOn: s.issuedOn, validUntil: s.validUntil })),
    });
    return true;
  };

  switch (cmd.type) {
    case 'approve': {
      if (staleReturn(cmd.documents)) break;
      audit('approved', { note: cmd.note ?? null });
      closeRun(ctx, state, run, 'approved', acting, now, effects);
      break;
    }
    case 'refuse':
      audit('refused', { reason: cmd.reason.trim() });
      closeRun(ctx, state, run, 'refused', acting, now, effects);
      break;
    case 'return': {
      const reason = step.onReturn?.reasonCodes.find((r) => r.code === cmd.reasonCode);
      markReturned(
        ctx,
        run,
        step,
        {
          reasonCode: cmd.reasonCode,
          reasonLabel: reason?.labelVi ?? cmd.reasonCode,
          note: cmd.note,
          by: acting.personId,
        },
        now
      );
      state.status = 'returned';
      audit('returned', {
        reasonCode: cmd.reasonCode,
        note: cmd.note ?? null,
        resubmitBy: run.returned?.resubmitBy ?? null,
      });
      break;
    }
    case 'resubmit': {
      const redoFrom = step.onReturn?.reasonCodes.find((r) => r.code === run.returned?.reasonCode)?.redoFrom;
      audit('resubmitted', { note: cmd.note ?? null, redoFrom: redoFrom ?? null });
      if (redoFrom && redoFrom !== step.id) {
        // The earlier step is done again; this run ends and a new run of the redone step opens.
        run.status = 'done';
        run.outcome = undefined;
        run.closedAt = now;
        openStep(ctx, state, redoFrom, now, effects);
      } else {
        run.status = 'open';
        run.returned = undefined;
        restartLadder(run);
        if (cmd.documents) run.documents = cmd.documents;
        state.status = 'open';
      }
      break;
    }
    case 'vote': {
      if (staleReturn(cmd.documents)) break;
      /* istanbul ignore next -- validateAct refuses a vote on a step without a vote rule */
      if (!step.vote) break;
      const result: VoteResult = cmd.tally
        ? evaluateVote(step.vote, cmd.tally)
        : evaluateBallots(step.vote, cmd.ballots as BallotRound);
      const round = run.votes.length + 1;
      run.votes.push({
        round,
        at: now,
        approve: result.approve,
        base: result.base,
        present: result.present,
        passed: result.passed,
        quorumMet: result.quorumMet,
        explanation: result.explanation,
      });
      audit('voted', {
        round,
        passed: result.passed,
        approve: result.approve,
        base: result.base,
        present: result.present,
        explanation: result.explanation,
      });
      if (result.passed) closeRun(ctx, state, run, 'approved', acting, now, effects);
      else if (!result.quorumMet)
        break; // an invalid vote (no quorum) is not a failed round
      else {
        const failed = run.votes.filter((v) => v.quorumMet && !v.passed).length;
        const max = step.onVoteFailed?.maxRounds;
        if (max === undefined) closeRun(ctx, state, run, 'refused', acting, now, effects);
        else if (failed >= max) closeRun(ctx, state, run, 'escalated', acting, now, effects);
      }
      break;
    }
    case 'appraise': {
      const outcome: StepOutcome =
        cmd.outcome === 'recommend' ? 'approved' : cmd.outcome === 'refer' ? 'referred' : 'held';
      audit('appraised', { outcome: cmd.outcome, note: cmd.note ?? null });
      closeRun(ctx, state, run, outcome, acting, now, effects);
      break;
    }
    case 'extend': {
      const due = ctx.calendar.addPeriod(run.dueAt ?? (run.baseDueAt as EpochMs), cmd.period);
      run.dueAt = due;
      run.extensions += 1;
      // The ladder starts again against the new due date; the extension itself is reported to the top.
      restartLadder(run);
      audit('extended', { reason: cmd.reason.trim(), dueAt: due });
      effects.push({
        kind: 'mail',
        mail: 'escalation',
        stepId: step.id,
        run: run.run,
        level: 'extension',
        round: run.extensions,
        audience: 'provincialStanding',
      });
      break;
    }
    case 'obstacle': {
      run.obstacles += 1;
      audit('obstacleReported', { text: cmd.text.trim() });
      effects.push({
        kind: 'mail',
        mail: 'obstacle',
        stepId: step.id,
        run: run.run,
        level: 'obstacle',
        round: run.obstacles,
        audience: 'provincialStanding',
        obstacleText: cmd.text.trim(),
        reporterId: acting.personId,
      });
      break;
    }
    case 'delegate': {
      const delegation: Delegation = {
        id: `${state.caseId}:${req.requestId ?? state.delegations.length + 1}`,
        fromPersonId: acting.personId,
        toPersonId: cmd.toPersonId,
        from: cmd.from,
        to: cmd.to,
        stepIds: [step.id],
      };
      state.delegations.push(delegation);
      audit('delegated', { toPersonId: cmd.toPersonId, from: cmd.from, to: cmd.to });
      break;
    }
    case 'withdraw':
      audit('withdrawn', { reason: cmd.reason.trim() });
      run.status = 'done';
      run.closedAt = now;
      endCase(state, run, 'withdrawn', `Hồ sơ đã được rút: ${cmd.reason.trim()}.`, effects);
      break;
  }
  return finish(state, effects);
}

function markReturned(
  ctx: ChainContext,
  run: StepRun,
  step: StepDefinition,
  r: { reasonCode: string; reasonLabel: string; note?: string; by: string },
  now: EpochMs
): void {
  const within = step.onReturn?.resubmitWithin;
  run.status = 'returned';
  run.returned = { ...r, at: now, resubmitBy: within ? ctx.calendar.addPeriod(now, within) : undefined };
  restartLadder(run);
}

/** The ladder starts again (new due date, returned or resubmitted dossier): its rungs will be sent anew. */
function restartLadder(run: StepRun): void {
  run.ladderDone = [];
  run.ladderCycle = (run.ladderCycle ?? 0) + 1;
}

/** When the next timer of the case fires and what it does; null when nothing is scheduled. */
export function nextTimer(ctx: ChainContext, state: CaseState, now: EpochMs): TimerAction | null {
  if (isClosed(state)) return null;
  const run = currentRun(state);
  if (!run) return null;
  const step = stepOf(ctx.definition, run.stepId);
  if (step.act === 'waitingPeriod' && run.status === 'open' && run.dueAt !== undefined)
    return { kind: 'autoComplete', at: run.dueAt };
  // While returned, the ladder runs against the resubmission deadline, if there is one.
  const dueAt = run.status === 'returned' ? run.returned?.resubmitBy : run.dueAt;
  if (dueAt === undefined) return null;
  const action = nextLadderAction({
    openedAt: run.status === 'returned' ? (run.returned?.at ?? run.openedAt) : run.openedAt,
    dueAt,
    calendar: ctx.calendar,
    config: step.ladder,
    now,
    done: run.ladderDone,
  });
  return action ? { kind: 'ladder', at: action.at, action } : null;
}

/** Fires a timer that nextTimer announced (its time has come). */
export function applyTimer(ctx: ChainContext, current: CaseState, timer: TimerAction, now: EpochMs): Transition {
  const state = structuredCloneJson(current);
  const effects: Effect[] = [];
  const run = currentRun(state);
  if (!run || !isCurrentTimer(ctx, run, timer)) return { state: current, effects: [] };
  if (timer.kind === 'autoComplete') {
    effects.push({ kind: 'audit', type: 'periodEnded', stepId: run.stepId, data: { run: run.run } });
    closeRun(ctx, state, run, 'approved', undefined, now, effects);
    return finish(state, effects);
  }
  const { action } = timer;
  if (run.ladderDone.some((d) => d.level === action.level && d.round === action.round))
    return { state: current, effects: [] };
  run.ladderDone.push({ level: action.level, round: action.round });
  const mail: MailKind = action.level === 'reminder' ? 'reminder' : action.level === 'due' ? 'due' : 'escalation';
  effects.push({
    kind: 'audit',
    type: 'ladder',
    stepId: run.stepId,
    data: { run: run.run, level: action.level, round: action.round },
  });
  effects.push({
    kind: 'mail',
    mail,
    stepId: run.stepId,
    run: run.run,
    level: action.level,
    round: action.round,
    cycle: run.ladderCycle,
    audience: action.audience,
  });
  return finish(state, effects);
}

/**
 * Whether a timer still belongs to the current run: the step moved, was returned, resubmitted or extended
 * since nextTimer announced it, and an old timer must then do nothing (not close the next step, not send
 * the next step's e-mails).
 */
function isCurrentTimer(ctx: ChainContext, run: StepRun, timer: TimerAction): boolean {
  const step = stepOf(ctx.definition, run.stepId);
  if (timer.kind === 'autoComplete')
    return step.act === 'waitingPeriod' && run.status === 'open' && run.dueAt === timer.at;
  const dueAt = run.status === 'returned' ? run.returned?.resubmitBy : run.dueAt;
  if (dueAt === undefined) return false;
  const openedAt = run.status === 'returned' ? (run.returned?.at ?? run.openedAt) : run.openedAt;
  const { action } = timer;
  return ladderSchedule({ openedAt, dueAt, calendar: ctx.calendar, config: step.ladder }).some(
    (a) => a.level === action.level && a.round === action.round && a.at === action.at
  );
}

/** The escalation level a case has reached on its current step, for the dashboards. */
export function escalationLevel(state: CaseState): 'none' | 'reminder' | 'due' | 'escalation' {
  const run = currentRun(state);
  if (!run) return 'none';
  const levels = run.ladderDone.map((d) => d.level);
  if (levels.includes('escalation') || run.obstacles > 0) return 'escalation';
  if (levels.includes('due')) return 'due';
  if (levels.includes('reminder')) return 'reminder';
  return 'none';
}

/** A deep copy of plain JSON data (the state never holds anything else). */
function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
