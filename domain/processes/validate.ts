/**
 * Consistency checks of a process definition. Definitions come from code and from administrators' edits stored
 * in MongoDB, so enumerations are checked at run time too. Every problem is reported in Vietnamese, all at once.
 */
import { domainError } from '../errors';
import type {
  ActorSpec,
  BodyKind,
  IsoDate,
  LadderConfig,
  LegalBasis,
  Period,
  RoleCode,
  Threshold,
  VoteBase,
  VoteRule,
} from '../types';
import { describePeriodVi, isIsoDate, isIsoDuration } from './dates';
import type { ActKind, BuiltInProcessKey, ProcessDefinition, ProcessRules, StepDefinition, StepOutcome } from './model';
import { END, REFUSED } from './model';

// Records keyed by the unions make the compiler check that every member is listed.
const ROLE_CODES: Record<RoleCode, true> = {
  secretary: true,
  deputySecretary: true,
  standingMember: true,
  committeeMember: true,
  head: true,
  deputyHead: true,
  specialist: true,
  officialMember: true,
  probationaryMember: true,
  applicant: true,
};
const BODY_KINDS: Record<BodyKind, true> = {
  provincialCommittee: true,
  committee: true,
  grassrootsCommittee: true,
  cell: true,
  executiveCommittee: true,
  standingBoard: true,
  standing: true,
  organizationBoard: true,
  inspectionCommittee: true,
  politicalCentre: true,
  youthUnion: true,
  other: true,
};
const ACT_KINDS: Record<ActKind, true> = {
  signature: true,
  vote: true,
  appraisal: true,
  ceremony: true,
  documentCheck: true,
  submission: true,
  waitingPeriod: true,
};
const OUTCOMES: Record<StepOutcome, true> = {
  approved: true,
  refused: true,
  escalated: true,
  referred: true,
  held: true,
};
const VOTE_BASES: Record<VoteBase, true> = { officialMembers: true, committeeMembers: true, convened: true };
const BUILT_IN_KEYS: Record<BuiltInProcessKey, true> = {
  admission: true,
  recognition: true,
  planning: true,
  'personnel-designation': true,
  'personnel-byelection': true,
};
const GENERIC_KEY = /^generic:[a-z0-9][a-z0-9-]*$/;

function has<K extends string>(table: Record<K, true>, value: unknown): value is K {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(table, value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/** The step ids an outcome of `step` leads to (terminal targets left out). */
function stepTargets(step: StepDefinition): string[] {
  return Object.values(step.next).filter((target): target is string => target !== END && target !== REFUSED);
}

/** The steps reachable from `start` along transitions, never entering `removed`. */
function reachable(start: string, byId: Map<string, StepDefinition>, removed?: string): Set<string> {
  const seen = new Set<string>();
  const queue = start === removed ? [] : [start];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    const step = byId.get(id);
    if (seen.has(id) || !step) continue;
    seen.add(id);
    for (const target of stepTargets(step)) if (target !== removed) queue.push(target);
  }
  return seen;
}

/** Collects the problems of one definition. */
class Checker {
  readonly problems: string[] = [];
  private readonly byId = new Map<string, StepDefinition>();

  constructor(private readonly def: ProcessDefinition) {
    for (const step of def.steps) if (!this.byId.has(step.id)) this.byId.set(step.id, step);
  }

  run(): string[] {
    const { def } = this;
    const where = 'Quy trình';
    if (!has(BUILT_IN_KEYS, def.key) && !GENERIC_KEY.test(def.key)) {
      this.add(where, `mã quy trình «${def.key}» không tồn tại (dùng mã có sẵn hoặc «generic:<mã>»).`);
    }
    if (!isPositiveInteger(def.version))
      this.add(where, `số phiên bản «${String(def.version)}» phải là số nguyên dương.`);
    if (isBlank(def.titleVi)) this.add(where, 'thiếu tên quy trình.');
    if (!isIsoDate(def.effectiveFrom)) {
      this.add(where, `ngày áp dụng «${String(def.effectiveFrom)}» không hợp lệ.`);
    }
    this.basis(where, def.basis, 'căn cứ của quy trình');
    this.basis(where, def.ladderBasis, 'căn cứ của thang cảnh báo');

    const seen = new Set<string>();
    for (const step of def.steps) {
      if (seen.has(step.id)) this.add(where, `mã bước «${step.id}» bị trùng.`);
      seen.add(step.id);
    }
    if (!this.byId.has(def.startStep)) {
      this.add(where, `bước bắt đầu «${def.startStep}» không tồn tại.`);
    } else {
      this.paths();
    }
    for (const step of def.steps) this.step(step);
    if (def.rules) this.rules(def.rules);
    return this.problems;
  }

  private add(where: string, message: string): void {
    this.problems.push(`${where}: ${message}`);
  }

  private paths(): void {
    const fromStart = reachable(this.def.startStep, this.byId);
    for (const step of this.def.steps) {
      if (!fromStart.has(step.id)) this.add(`Bước «${step.id}»`, 'không có đường nào từ bước bắt đầu dẫn tới.');
    }
    // Steps from which END can be reached, walking the transitions backwards from the steps that lead to END.
    const toEnd = new Set<string>();
    let grew = true;
    while (grew) {
      grew = false;
      for (const step of this.def.steps) {
        if (toEnd.has(step.id)) continue;
        const targets = Object.values(step.next);
        if (targets.some((target) => target === END || toEnd.has(target))) {
          toEnd.add(step.id);
          grew = true;
        }
      }
    }
    for (const id of fromStart) {
      if (!toEnd.has(id)) this.add(`Bước «${id}»`, 'không có đường nào dẫn tới kết thúc (END).');
    }
  }

  /** True when `earlier` is completed on every path from the start to `step` (it dominates `step`). */
  private alwaysBefore(earlier: string, step: string): boolean {
    if (earlier === step) return false;
    return !reachable(this.def.startStep, this.byId, earlier).has(step);
  }

  /** An earlier step named by a rule of `step` (deadline anchor, redo target). */
  private earlierStep(where: string, id: string, step: string, what: string): void {
    if (!this.byId.has(id)) {
      this.add(where, `${what} tham chiếu bước «${id}» không tồn tại.`);
    } else if (!this.alwaysBefore(id, step)) {
      this.add(
        where,
        `${what} tham chiếu bước «${id}», bước này không phải lúc nào cũng hoàn thành trước bước «${step}».`
      );
    }
  }

  private basis(where: string, basis: LegalBasis | undefined, what: string): void {
    if (!basis) {
      this.add(where, `thiếu ${what}.`);
      return;
    }
    if (isBlank(basis.citation)) this.add(where, `${what} thiếu trích dẫn văn bản.`);
    if (!isIsoDate(basis.effectiveFrom)) {
      this.add(where, `${what} có ngày hiệu lực «${String(basis.effectiveFrom)}» không hợp lệ.`);
    } else if (basis.effectiveFrom > this.def.effectiveFrom) {
      this.add(
        where,
        `${what} có hiệu lực từ ${basis.effectiveFrom}, sau ngày áp dụng của phiên bản (${this.def.effectiveFrom}).`
      );
    }
    if (basis.confirmed !== true && isBlank(basis.note)) {
      this.add(where, `${what} chưa được xác nhận nên phải có ghi chú giải thích.`);
    }
  }

  private period(where: string, period: Period, what: string): void {
    const unit = (period as { unit: unknown }).unit;
    if (period.unit === 'duration') {
      if (!isIsoDuration(period.iso)) this.add(where, `${what}: thời lượng ISO 8601 «${period.iso}» không hợp lệ.`);
    } else if (unit !== 'workingDays' && unit !== 'calendarDays' && unit !== 'calendarMonths') {
      this.add(where, `${what}: đơn vị thời hạn «${String(unit)}» không tồn tại.`);
    } else if (!Number.isInteger(period.n)) {
      this.add(where, `${what}: số «${period.n}» phải là số nguyên.`);
    } else if (period.n < 0) {
      this.add(where, `${what}: thời hạn âm (${describePeriodVi(period)}).`);
    }
  }

  private threshold(where: string, t: Threshold, what: string): void {
    const shown = `${t.op} ${t.num}/${t.den}`;
    if (t.op !== '>=' && t.op !== '>') this.add(where, `${what}: phép so sánh «${String(t.op)}» không tồn tại.`);
    if (!Number.isInteger(t.num) || !isPositiveInteger(t.den)) {
      this.add(where, `${what}: «${shown}» không phải phân số có mẫu số nguyên dương.`);
    } else if (t.num <= 0) {
      this.add(where, `${what}: ngưỡng «${shown}» phải lớn hơn 0.`);
    } else if (t.num > t.den) {
      this.add(where, `${what}: ngưỡng «${shown}» vượt quá 1.`);
    } else if (t.op === '>' && t.num === t.den) {
      this.add(where, `${what}: ngưỡng «${shown}» không bao giờ đạt được.`);
    }
  }

  private actor(where: string, actor: ActorSpec, what: string): void {
    const { anchor, up, inner } = actor.body;
    if (anchor !== 'caseUnit' && anchor !== 'province')
      this.add(where, `${what}: mốc «${String(anchor)}» không tồn tại.`);
    if (up !== undefined && !isNonNegativeInteger(up)) {
      this.add(where, `${what}: số cấp đi lên «${String(up)}» phải là số nguyên không âm.`);
    }
    if (inner !== undefined && !has(BODY_KINDS, inner)) {
      this.add(where, `${what}: loại cơ quan «${String(inner)}» không tồn tại.`);
    }
    if (actor.roles.length === 0) this.add(where, `${what}: phải có ít nhất một vai trò.`);
    for (const role of actor.roles) {
      if (!has(ROLE_CODES, role)) this.add(where, `${what}: vai trò «${String(role)}» không tồn tại.`);
    }
    if (isBlank(actor.label)) this.add(where, `${what}: thiếu tên hiển thị.`);
  }

  private vote(where: string, vote: VoteRule): void {
    if (!has(VOTE_BASES, vote.base)) this.add(where, `cơ số biểu quyết «${String(vote.base)}» không tồn tại.`);
    this.threshold(where, vote.threshold, 'ngưỡng tán thành');
    if (vote.quorum) this.threshold(where, vote.quorum, 'tỷ lệ có mặt');
    if (vote.maxRounds !== undefined && !isPositiveInteger(vote.maxRounds)) {
      this.add(where, `số vòng biểu quyết «${String(vote.maxRounds)}» phải là số nguyên dương.`);
    }
    this.basis(where, vote.basis, 'căn cứ của quy tắc biểu quyết');
  }

  private ladder(where: string, ladder: LadderConfig, hasDeadline: boolean): void {
    if (ladder.reminderBefore) this.period(where, ladder.reminderBefore, 'nhắc trước hạn');
    if (ladder.escalateAfter) this.period(where, ladder.escalateAfter, 'cảnh báo sau hạn');
    if (ladder.repeatEvery) this.period(where, ladder.repeatEvery, 'nhắc lại cảnh báo');
    if (!isNonNegativeInteger(ladder.maxRounds)) {
      this.add(where, `số lần cảnh báo «${String(ladder.maxRounds)}» phải là số nguyên không âm.`);
    } else if (ladder.escalateAfter && ladder.maxRounds < 1) {
      this.add(where, 'thang cảnh báo có mốc cảnh báo sau hạn nhưng số lần cảnh báo bằng 0.');
    }
    if (ladder.repeatEvery && !ladder.escalateAfter) {
      this.add(where, 'thang cảnh báo có nhắc lại nhưng không có mốc cảnh báo sau hạn.');
    }
    if (!hasDeadline && (ladder.reminderBefore || ladder.noticeAtDue || ladder.escalateAfter)) {
      this.add(where, 'bước không có hạn nên thang cảnh báo không thể nhắc hay cảnh báo theo hạn.');
    }
  }

  private step(step: StepDefinition): void {
    const where = `Bước «${step.id}»`;
    if (isBlank(step.id) || step.id === END || step.id === REFUSED) {
      this.add(where, `mã bước không được để trống hay trùng với «${END}», «${REFUSED}».`);
    }
    if (isBlank(step.title)) this.add(where, 'thiếu tên bước.');
    if (!has(ACT_KINDS, step.act)) this.add(where, `loại hành động «${String(step.act)}» không tồn tại.`);
    this.actor(where, step.actor, 'người thực hiện');
    this.basis(where, step.basis, 'căn cứ của bước');

    const isVote = step.act === 'vote';
    if (isVote && !step.vote) this.add(where, 'bước biểu quyết thiếu quy tắc biểu quyết.');
    if (!isVote && step.vote) this.add(where, 'chỉ bước biểu quyết mới có quy tắc biểu quyết.');
    if (step.vote) this.vote(where, step.vote);
    if (step.onVoteFailed) {
      const { maxRounds, then } = step.onVoteFailed;
      if (!isVote) this.add(where, 'chỉ bước biểu quyết mới có quy tắc khi biểu quyết không đạt.');
      if (!isPositiveInteger(maxRounds)) {
        this.add(where, `số lần biểu quyết không đạt «${String(maxRounds)}» phải là số nguyên dương.`);
      } else if (step.vote?.maxRounds !== undefined && step.vote.maxRounds !== maxRounds) {
        this.add(where, `số vòng biểu quyết không khớp (${step.vote.maxRounds} và ${maxRounds}).`);
      }
      if (then !== 'escalateToSuperior') this.add(where, `cách xử lý «${String(then)}» không tồn tại.`);
      this.basis(where, step.onVoteFailed.basis, 'căn cứ khi biểu quyết không đạt');
    }

    if (step.deadline) {
      const { period, from, maxExtension, basis } = step.deadline;
      this.period(where, period, 'hạn');
      if (maxExtension) this.period(where, maxExtension, 'gia hạn tối đa');
      if (from.event === 'stepCompleted') {
        this.earlierStep(where, from.step, step.id, 'hạn');
      } else if (from.event !== 'stepOpened') {
        this.add(where, `mốc tính hạn «${String((from as { event: unknown }).event)}» không tồn tại.`);
      }
      this.basis(where, basis, 'căn cứ của hạn');
    } else if (step.act === 'waitingPeriod') {
      this.add(where, 'bước chờ hết thời hạn phải có hạn.');
    }

    if (step.onReturn) {
      const { returnTo, reasonCodes, resubmitWithin, basis } = step.onReturn;
      this.actor(where, returnTo, 'nơi nhận hồ sơ trả lại');
      if (reasonCodes.length === 0) this.add(where, 'phải có ít nhất một lý do trả lại.');
      const codes = new Set<string>();
      for (const reason of reasonCodes) {
        if (codes.has(reason.code)) this.add(where, `lý do trả lại «${reason.code}» bị trùng.`);
        codes.add(reason.code);
        if (isBlank(reason.code) || isBlank(reason.labelVi)) this.add(where, 'lý do trả lại thiếu mã hoặc tên.');
        if (reason.redoFrom !== undefined) {
          this.earlierStep(where, reason.redoFrom, step.id, `lý do trả lại «${reason.code}»`);
        }
      }
      if (resubmitWithin) this.period(where, resubmitWithin, 'thời hạn nộp lại');
      this.basis(where, basis, 'căn cứ của việc trả lại');
    }

    this.documents(where, step);

    if (step.afterDeadline) {
      if (!step.deadline) this.add(where, 'có quy tắc khi quá hạn nhưng bước không có hạn.');
      this.actor(where, step.afterDeadline.requiresConsentOf, 'cấp đồng ý khi quá hạn');
      this.basis(where, step.afterDeadline.basis, 'căn cứ khi quá hạn');
    }

    this.transitions(where, step);
    this.ladder(where, step.ladder, step.deadline !== undefined);
  }

  private documents(where: string, step: StepDefinition): void {
    const codes = new Set<string>();
    const returnCodes = new Set((step.onReturn?.reasonCodes ?? []).map((reason) => reason.code));
    for (const doc of step.documents ?? []) {
      if (codes.has(doc.code)) this.add(where, `giấy tờ «${doc.code}» bị trùng.`);
      codes.add(doc.code);
      if (isBlank(doc.code) || isBlank(doc.labelVi)) this.add(where, 'giấy tờ thiếu mã hoặc tên.');
      if (doc.maxAgeMonths !== undefined) {
        if (!isPositiveInteger(doc.maxAgeMonths)) {
          this.add(
            where,
            `thời hạn giá trị của giấy tờ «${doc.code}» (${String(doc.maxAgeMonths)} tháng) phải là số nguyên dương.`
          );
        }
        if (!doc.basis) this.add(where, `thời hạn giá trị của giấy tờ «${doc.code}» thiếu căn cứ.`);
      }
      if (doc.basis) this.basis(where, doc.basis, `căn cứ của giấy tờ «${doc.code}»`);
      if (doc.onStale !== undefined && !returnCodes.has(doc.onStale)) {
        this.add(where, `giấy tờ «${doc.code}» quá hạn dẫn tới lý do trả lại «${doc.onStale}» không có ở bước này.`);
      }
    }
  }

  private transitions(where: string, step: StepDefinition): void {
    const { next } = step;
    for (const [outcome, target] of Object.entries(next)) {
      if (!has(OUTCOMES, outcome)) this.add(where, `kết quả «${outcome}» không tồn tại.`);
      if (target === REFUSED) {
        if (outcome !== 'refused') this.add(where, `chỉ kết quả «refused» mới dẫn tới ${REFUSED}.`);
      } else if (target === END) {
        if (outcome === 'refused') this.add(where, `kết quả «refused» không được dẫn tới ${END}.`);
      } else if (!this.byId.has(target)) {
        this.add(where, `kết quả «${outcome}» chuyển tới bước «${target}» không tồn tại.`);
      }
    }
    if (next.approved === undefined) this.add(where, 'thiếu chuyển tiếp khi được thông qua (approved).');

    const refusable = step.canRefuse || (step.act === 'vote' && !step.onVoteFailed);
    if (refusable && next.refused === undefined) this.add(where, 'thiếu chuyển tiếp khi bị từ chối (refused).');
    if (!refusable && next.refused !== undefined) {
      this.add(where, 'có chuyển tiếp «refused» nhưng bước không thể từ chối.');
    }
    if (step.onVoteFailed && next.escalated === undefined) {
      this.add(where, 'thiếu chuyển tiếp khi chuyển lên cấp trên (escalated).');
    }
    if (!step.onVoteFailed && next.escalated !== undefined) {
      this.add(where, 'có chuyển tiếp «escalated» nhưng không có quy tắc khi biểu quyết không đạt.');
    }
    const isAppraisal = step.act === 'appraisal';
    for (const outcome of ['referred', 'held'] as const) {
      if (isAppraisal && next[outcome] === undefined) this.add(where, `bước thẩm định thiếu chuyển tiếp «${outcome}».`);
      if (!isAppraisal && next[outcome] !== undefined) {
        this.add(where, `chỉ bước thẩm định mới có chuyển tiếp «${outcome}».`);
      }
    }
  }

  private rules(rules: ProcessRules): void {
    const where = 'Quy tắc';
    const { eligibility, recognition, planning, freezeWindows } = rules;
    if (eligibility) {
      const { minAgeMonths, maxAgeMonths, measuredAt } = eligibility;
      if (!isNonNegativeInteger(minAgeMonths) || !isNonNegativeInteger(maxAgeMonths) || minAgeMonths >= maxAgeMonths) {
        this.add(where, `độ tuổi từ ${minAgeMonths} đến ${maxAgeMonths} tháng không hợp lệ.`);
      }
      if (!this.byId.has(measuredAt)) this.add(where, `tuổi tính tại bước «${measuredAt}» không tồn tại.`);
      if (isBlank(eligibility.overMaxConsentVi)) this.add(where, 'thiếu cấp đồng ý khi quá tuổi.');
      this.basis(where, eligibility.basis, 'căn cứ về tuổi');
    }
    if (recognition) {
      if (recognition.officialFrom !== 'probationEnd') {
        this.add(where, `thời điểm công nhận «${String(recognition.officialFrom)}» không tồn tại.`);
      }
      this.basis(where, recognition.basis, 'căn cứ về thời điểm công nhận');
    }
    if (planning) {
      if (
        !isPositiveInteger(planning.maxCadresPerPosition) ||
        !isPositiveInteger(planning.maxPositionsPerCadrePerLevel)
      ) {
        this.add(where, 'giới hạn quy hoạch phải là số nguyên dương.');
      }
      this.basis(where, planning.basis, 'căn cứ về giới hạn quy hoạch');
    }
    for (const window of freezeWindows ?? []) {
      if (isBlank(window.labelVi)) this.add(where, 'thời gian dừng kiện toàn thiếu tên.');
      if (window.kind === 'beforeCongress') {
        if (!isPositiveInteger(window.months)) {
          this.add(where, `số tháng dừng trước đại hội «${String(window.months)}» phải là số nguyên dương.`);
        }
      } else if (window.kind === 'fixed') {
        this.fixedWindow(where, window.from, window.until);
      } else {
        this.add(where, `loại thời gian dừng «${String((window as { kind: unknown }).kind)}» không tồn tại.`);
      }
      this.basis(where, window.basis, 'căn cứ của thời gian dừng kiện toàn');
    }
  }

  private fixedWindow(where: string, from: IsoDate, until: IsoDate | undefined): void {
    if (!isIsoDate(from) || (until !== undefined && !isIsoDate(until))) {
      this.add(where, `thời gian dừng từ «${from}» đến «${until}» có ngày không hợp lệ.`);
    } else if (until !== undefined && until < from) {
      this.add(where, `thời gian dừng kết thúc (${until}) trước khi bắt đầu (${from}).`);
    }
  }
}

/** All the problems of a definition, in Vietnamese; empty when it is consistent. */
export function listDefinitionProblems(def: ProcessDefinition): string[] {
  return new Checker(def).run();
}

/** Refuses an inconsistent definition with DomainError 'DEFINITION_INVALID' listing every problem. */
export function validateDefinition(def: ProcessDefinition): void {
  const problems = listDefinitionProblems(def);
  if (problems.length > 0) {
    throw domainError(
      'DEFINITION_INVALID',
      `process definition ${def.key} v${def.version} is invalid (${problems.length} problem(s))`,
      `Định nghĩa quy trình «${def.titleVi}» (phiên bản ${def.version}) không hợp lệ: ${problems.join(' ')}`,
      { key: def.key, version: def.version, problems }
    );
  }
}
