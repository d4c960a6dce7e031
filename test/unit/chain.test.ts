import fc from 'fast-check';
import {
  alreadyApplied,
  applyAct,
  applyTimer,
  currentRun,
  escalationLevel,
  nextTimer,
  startCase,
  validateAct,
  type ActRequest,
  type AuditEffect,
  type CaseCommand,
  type CaseState,
  type ChainContext,
  type Effect,
  type MailEffect,
  type TimerAction,
  type Transition,
} from '../../domain/chain';
import { createWorkingCalendar, formatDeadline, OFFICIAL_SCHEDULES, vnDateOf } from '../../domain/calendar';
import { isDomainError } from '../../domain/errors';
import { validateOrg, type OrgSnapshot } from '../../domain/org';
import {
  admissionV1,
  buildGenericProcess,
  planningV1,
  recognitionV1,
  withTestDurations,
  type ProcessDefinition,
  type ProvidedDocument,
  type StepDefinition,
} from '../../domain/processes';
import { BODY, buildOrg, ORG_FROM, PERSON } from './fixtures/org';

// ---------------------------------------------------------------------------------------------------
// The context: the real working calendar of Vietnam (official 2025 and 2026 schedules) and the organisation
// of test/unit/fixtures/org.ts. Instants are built with Date.UTC from Vietnamese wall-clock time (UTC+7).
// ---------------------------------------------------------------------------------------------------
const calendar = createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES });
const org = buildOrg();

/** An instant in Vietnam: vn(2025, 9, 15, 10) is 10:00 on 15 September 2025, UTC+7. */
const vn = (year: number, month: number, day: number, hour = 9, minute = 0): number =>
  Date.UTC(year, month - 1, day, hour - 7, minute);
/** The end of a day in Vietnam (23:59:59.999 UTC+7), where every day-based deadline ends. */
const endOfVnDay = (year: number, month: number, day: number): number =>
  Date.UTC(year, month - 1, day, 16, 59, 59, 999);

const ctxOf = (definition: ProcessDefinition, snapshot: OrgSnapshot = org): ChainContext => ({
  definition,
  calendar,
  org: snapshot,
});
const admission = ctxOf(admissionV1);
const recognition = ctxOf(recognitionV1);
const planning = ctxOf(planningV1);

/** Wednesday 3/9/2025, the first working day after the National Day holidays. */
const START = vn(2025, 9, 3);

function start(
  ctx: ChainContext,
  now = START,
  extra: { campaignDeadline?: number; caseUnitId?: string } = {}
): Transition {
  return startCase(
    ctx,
    {
      caseId: 'case-1',
      title: 'Kết nạp quần chúng Nguyễn Văn An',
      caseUnitId: extra.caseUnitId ?? BODY.cell,
      subjectName: 'Nguyễn Văn An',
      campaignDeadline: extra.campaignDeadline,
      startedBy: PERSON.cellSecretary,
    },
    now
  );
}

/** Validates then applies, as the workflow does. */
function act(
  ctx: ChainContext,
  state: CaseState,
  personId: string,
  command: CaseCommand,
  now: number,
  requestId?: string
): Transition {
  const req: ActRequest = { personId, command, requestId };
  const acting = validateAct(ctx, state, req, now);
  return applyAct(ctx, state, req, acting, now);
}

/** The DomainError code `fn` throws; undefined when it throws nothing (any other error fails the test). */
function errorOf(fn: () => unknown): { code: string; messageVi: string } | undefined {
  try {
    fn();
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return { code: error.code, messageVi: error.messageVi };
  }
  return undefined;
}

const codeOf = (fn: () => unknown): string | undefined => errorOf(fn)?.code;

const refusal = (ctx: ChainContext, state: CaseState, req: ActRequest, now: number): string | undefined =>
  codeOf(() => validateAct(ctx, state, req, now));

const audits = (effects: Effect[]): AuditEffect[] => effects.filter((e): e is AuditEffect => e.kind === 'audit');
const mails = (effects: Effect[]): MailEffect[] => effects.filter((e): e is MailEffect => e.kind === 'mail');
const auditTypes = (effects: Effect[]): string[] => audits(effects).map((e) => e.type);

const stepOf = (state: CaseState): string | undefined => currentRun(state)?.stepId;

/** The dossier of the chi bộ vote, every document recent. */
const FRESH_DOSSIER: ProvidedDocument[] = [
  { code: 'AWARENESS_CERTIFICATE', issuedOn: '2025-06-20' },
  { code: 'APPLICATION', issuedOn: '2025-07-10' },
  { code: 'PERSONAL_HISTORY', issuedOn: '2025-07-10' },
  { code: 'VERIFICATION', issuedOn: '2025-08-25' },
  { code: 'INTRODUCTION', issuedOn: '2025-08-28' },
  { code: 'COMPILED_OPINIONS', issuedOn: '2025-09-05' },
];

const PASSING_TALLY = { base: 9, present: 9, approve: 8, reject: 1, abstain: 0 };
const FAILING_TALLY = { base: 9, present: 9, approve: 5, reject: 4, abstain: 0 };

/**
 * The admission case driven up to (not including) `until`, one working day apart from START, the chi bộ vote
 * (C8) on Monday 15/9/2025 at 10:00. Returns the state and every effect so far.
 */
function admissionUpTo(
  until: string,
  ctx: ChainContext = admission
): { state: CaseState; effects: Effect[]; now: number } {
  const plan: [string, string, CaseCommand, number][] = [
    ['C1', PERSON.cellSecretary, { type: 'approve', note: 'Chi bộ họp ngày 03/9' }, vn(2025, 9, 3, 15)],
    [
      'C2',
      PERSON.politicalCentreHead,
      { type: 'approve', documents: [{ code: 'AWARENESS_CERTIFICATE', issuedOn: '2025-06-20' }] },
      vn(2025, 9, 4),
    ],
    [
      'C3',
      PERSON.applicant,
      { type: 'approve', documents: [{ code: 'APPLICATION', issuedOn: '2025-07-10' }] },
      vn(2025, 9, 5),
    ],
    ['C4', PERSON.applicant, { type: 'approve' }, vn(2025, 9, 8)],
    ['C5', PERSON.grassrootsSecretary, { type: 'approve' }, vn(2025, 9, 9)],
    ['C6', PERSON.introducer1, { type: 'approve' }, vn(2025, 9, 10)],
    ['C7', PERSON.cellCommitteeMember, { type: 'approve' }, vn(2025, 9, 11)],
    ['C8', PERSON.cellSecretary, { type: 'vote', tally: PASSING_TALLY, documents: FRESH_DOSSIER }, vn(2025, 9, 15, 10)],
    [
      'C9',
      PERSON.grassrootsSecretary,
      {
        type: 'vote',
        ballots: {
          base: 3,
          presentVoterIds: [PERSON.grassrootsSecretary, PERSON.grassrootsDeputy, PERSON.grassrootsMember],
          ballots: [
            { voterId: PERSON.grassrootsSecretary, choice: 'approve' },
            { voterId: PERSON.grassrootsDeputy, choice: 'approve' },
            { voterId: PERSON.grassrootsMember, choice: 'abstain' },
          ],
        },
      },
      vn(2025, 9, 18),
    ],
    ['C10', PERSON.communeOrgSpecialist, { type: 'appraise', outcome: 'recommend' }, vn(2025, 9, 25)],
    ['C11', PERSON.communeSecretary, { type: 'approve' }, vn(2025, 10, 6)],
    ['C12', PERSON.cellSecretary, { type: 'approve', note: 'Lễ kết nạp' }, vn(2025, 10, 20)],
  ];
  const started = start(ctx);
  let state = started.state;
  const effects = [...started.effects];
  let now = START;
  for (const [stepId, personId, command, at] of plan) {
    if (stepId === until) break;
    expect(stepOf(state)).toBe(stepId);
    const t = act(ctx, state, personId, command, at);
    state = t.state;
    effects.push(...t.effects);
    now = at;
  }
  return { state, effects, now };
}

describe('the organisation fixture', () => {
  it('is a valid snapshot with every admission actor in place', () => {
    expect(() => validateOrg(org)).not.toThrow();
    expect(org.assignments.every((a) => a.from === ORG_FROM)).toBe(true);
  });
});

describe('startCase', () => {
  it('opens the first step with a revision, a start date in Vietnam and two audit entries', () => {
    // 23:30 on 2/9 UTC is already 3/9 in Vietnam.
    const t = start(admission, Date.UTC(2025, 8, 2, 23, 30));
    expect(t.state).toMatchObject({
      process: 'admission',
      version: 1,
      status: 'open',
      startedOn: '2025-09-03',
      caseUnitId: BODY.cell,
      revision: 1,
      auditSeq: 2,
    });
    expect(auditTypes(t.effects)).toEqual(['caseStarted', 'stepOpened']);
    expect(t.effects[0]).toMatchObject({ personId: PERSON.cellSecretary, data: { process: 'admission', version: 1 } });
    expect(currentRun(t.state)).toMatchObject({ stepId: 'C1', run: 1, status: 'open', dueAt: undefined });
    // C1 has no deadline and no ladder: nothing to wait for.
    expect(t.effects[1]).toMatchObject({ type: 'stepOpened', stepId: 'C1', data: { dueAt: null, deadline: null } });
    expect(nextTimer(admission, t.state, START)).toBeNull();
    expect(escalationLevel(t.state)).toBe('none');
  });
});

describe('a full admission run, C1 to C12', () => {
  it('reaches completed with the expected audit trail and a final decision mail', () => {
    const { state, effects } = admissionUpTo('END');
    expect(state.status).toBe('completed');
    expect(currentRun(state)).toBeUndefined();
    expect(state.runs.map((r) => `${r.stepId}:${r.outcome ?? '-'}`)).toEqual([
      'C1:approved',
      'C2:approved',
      'C3:approved',
      'C4:approved',
      'C5:approved',
      'C6:approved',
      'C7:approved',
      'C8:approved',
      'C9:approved',
      'C10:approved',
      'C11:approved',
      'C12:approved',
    ]);
    const expected = ['caseStarted', 'stepOpened'];
    for (const step of admissionV1.steps) {
      const kind = step.act === 'vote' ? 'voted' : step.act === 'appraisal' ? 'appraised' : 'approved';
      expected.push(kind, 'stepClosed', step.id === 'C12' ? 'caseClosed' : 'stepOpened');
    }
    expect(auditTypes(effects)).toEqual(expected);
    expect(state.auditSeq).toBe(expected.length);
    expect(state.revision).toBe(13);
    const last = effects[effects.length - 1];
    expect(last).toEqual({
      kind: 'mail',
      mail: 'decision',
      stepId: 'C12',
      run: 1,
      level: 'decision',
      round: 1,
      audience: 'caseUnit',
      decisionText: 'Hồ sơ đã hoàn thành.',
    });
    expect(mails(effects)).toHaveLength(1);
    expect(state.completedAt.C8).toBe(vn(2025, 9, 15, 10));
    const c9 = state.runs.find((r) => r.stepId === 'C9')!;
    expect(c9.votes[0]).toMatchObject({ round: 1, approve: 2, base: 3, present: 3, passed: true, quorumMet: true });
    expect(c9.actedBy).toBe(PERSON.grassrootsSecretary);
    // A closed case has no timer, no escalation, and takes no act.
    expect(nextTimer(admission, state, vn(2026, 1, 5))).toBeNull();
    expect(escalationLevel(state)).toBe('none');
    expect(
      refusal(admission, state, { personId: PERSON.cellSecretary, command: { type: 'approve' } }, vn(2025, 10, 21))
    ).toBe('STEP_NOT_OPEN');
  });

  it('counts C11 from the chi bộ resolution: 60 working days after 15/9/2025 is 08/12/2025', () => {
    const c8At = vn(2025, 9, 15, 10);
    const { state, effects } = admissionUpTo('C11');
    const c11 = currentRun(state)!;
    expect(c11.stepId).toBe('C11');
    // Hand count: Tue 16/9 – Fri 19/9 is 4 working days, 11 full weeks to Fri 5/12 make 59, Mon 8/12 is the 60th
    // (no holiday between the National Day and Tết).
    const expectedDue = endOfVnDay(2025, 12, 8);
    expect(c11.dueAt).toBe(expectedDue);
    expect(c11.baseDueAt).toBe(expectedDue);
    expect(c11.dueAt).toBe(calendar.addPeriod(state.completedAt.C8!, { unit: 'workingDays', n: 60 }));
    expect(state.completedAt.C8).toBe(c8At);
    const opened = audits(effects).filter((e) => e.type === 'stepOpened' && e.stepId === 'C11');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.data).toMatchObject({
      run: 1,
      dueAt: expectedDue,
      deadline: '60 ngày làm việc — hạn 08/12/2025',
    });
    expect(formatDeadline({ unit: 'workingDays', n: 60 }, c11.dueAt!)).toBe('60 ngày làm việc — hạn 08/12/2025');
    // C9 and C10 share the same clock.
    expect(state.runs.find((r) => r.stepId === 'C9')!.dueAt).toBe(expectedDue);
    expect(state.runs.find((r) => r.stepId === 'C10')!.dueAt).toBe(expectedDue);
  });

  it('counts the ceremony (C12) from the decision: 30 working days', () => {
    const { state } = admissionUpTo('C12');
    const c12 = currentRun(state)!;
    expect(c12.stepId).toBe('C12');
    expect(c12.dueAt).toBe(calendar.addPeriod(vn(2025, 10, 6), { unit: 'workingDays', n: 30 }));
    expect(vnDateOf(c12.dueAt!)).toBe('2025-11-17');
  });
});

describe('validateAct refusals', () => {
  const { state: atC8 } = admissionUpTo('C8');
  const now = vn(2025, 9, 15, 10);

  it('NOT_AUTHORISED for a person without the role (and for someone unknown)', () => {
    expect(
      refusal(admission, atC8, { personId: PERSON.outsider, command: { type: 'vote', tally: PASSING_TALLY } }, now)
    ).toBe('NOT_AUTHORISED');
    // The applicant is in the cell, but not its secretary.
    expect(
      refusal(admission, atC8, { personId: PERSON.applicant, command: { type: 'vote', tally: PASSING_TALLY } }, now)
    ).toBe('NOT_AUTHORISED');
    expect(refusal(admission, atC8, { personId: 'ghost', command: { type: 'vote', tally: PASSING_TALLY } }, now)).toBe(
      'NOT_AUTHORISED'
    );
    const error = errorOf(() =>
      validateAct(admission, atC8, { personId: PERSON.outsider, command: { type: 'vote', tally: PASSING_TALLY } }, now)
    );
    expect(error?.messageVi).toContain('Cao Văn Khách');
  });

  it('returns the acting identity when allowed', () => {
    expect(
      validateAct(
        admission,
        atC8,
        { personId: PERSON.cellDeputy, command: { type: 'vote', tally: PASSING_TALLY } },
        now
      )
    ).toEqual({
      personId: PERSON.cellDeputy,
      onBehalfOf: undefined,
    });
  });

  it('STEP_NOT_OPEN for the wrong act kind, a refusal or return the step does not allow, a resubmit of an open step', () => {
    const by = (command: CaseCommand): string | undefined =>
      refusal(admission, atC8, { personId: PERSON.cellSecretary, command }, now);
    expect(by({ type: 'approve' })).toBe('STEP_NOT_OPEN');
    expect(by({ type: 'appraise', outcome: 'recommend' })).toBe('STEP_NOT_OPEN');
    expect(by({ type: 'resubmit' })).toBe('STEP_NOT_OPEN');
    const { state: atC3 } = admissionUpTo('C3');
    const byApplicant = (command: CaseCommand): string | undefined =>
      refusal(admission, atC3, { personId: PERSON.applicant, command }, vn(2025, 9, 5));
    expect(byApplicant({ type: 'refuse', reason: 'không' })).toBe('STEP_NOT_OPEN'); // C3 cannot refuse
    expect(byApplicant({ type: 'return', reasonCode: 'MISSING_DOCUMENT' })).toBe('STEP_NOT_OPEN'); // C3 has no return
    expect(byApplicant({ type: 'vote', tally: PASSING_TALLY })).toBe('STEP_NOT_OPEN');
  });

  it('STEP_NOT_OPEN for a returned step and for a closed case', () => {
    const returned = act(
      admission,
      atC8,
      PERSON.cellSecretary,
      { type: 'return', reasonCode: 'MISSING_DOCUMENT' },
      now
    ).state;
    expect(returned.status).toBe('returned');
    for (const command of [
      { type: 'vote', tally: PASSING_TALLY },
      { type: 'refuse', reason: 'x' },
      { type: 'return', reasonCode: 'MISSING_DOCUMENT' },
      { type: 'extend', reason: 'x', period: { unit: 'workingDays', n: 1 } },
      { type: 'delegate', toPersonId: PERSON.cellDeputy, from: '2025-09-16', to: '2025-09-20' },
    ] as CaseCommand[]) {
      expect(refusal(admission, returned, { personId: PERSON.cellSecretary, command }, now)).toBe('STEP_NOT_OPEN');
    }
    const withdrawn = act(
      admission,
      atC8,
      PERSON.cellSecretary,
      { type: 'withdraw', reason: 'Quần chúng xin rút' },
      now
    ).state;
    for (const command of [
      { type: 'resubmit' },
      { type: 'obstacle', text: 'x' },
      { type: 'withdraw', reason: 'x' },
    ] as CaseCommand[]) {
      expect(refusal(admission, withdrawn, { personId: PERSON.cellSecretary, command }, now)).toBe('STEP_NOT_OPEN');
    }
  });

  it('INVALID_INPUT for malformed input', () => {
    const req = (r: unknown): string | undefined => refusal(admission, atC8, r as ActRequest, now);
    const sec = PERSON.cellSecretary;
    expect(req(null)).toBe('INVALID_INPUT');
    expect(req({ command: { type: 'vote', tally: PASSING_TALLY } })).toBe('INVALID_INPUT'); // missing personId
    expect(req({ personId: '', command: { type: 'vote', tally: PASSING_TALLY } })).toBe('INVALID_INPUT');
    expect(req({ personId: sec })).toBe('INVALID_INPUT'); // no command
    expect(req({ personId: sec, command: { type: 'sign' } })).toBe('INVALID_INPUT'); // unknown command
    expect(req({ personId: sec, command: { type: 'toString' } })).toBe('INVALID_INPUT'); // not a command, though `in` says so
    expect(req({ personId: sec, command: { type: 'refuse' } })).toBe('INVALID_INPUT'); // missing reason
    expect(req({ personId: sec, command: { type: 'refuse', reason: '   ' } })).toBe('INVALID_INPUT');
    expect(req({ personId: sec, command: { type: 'refuse', reason: 'x'.repeat(4001) } })).toBe('INVALID_INPUT');
    expect(req({ personId: sec, command: { type: 'return', reasonCode: 'NO_SUCH_REASON' } })).toBe('INVALID_INPUT');
    expect(req({ personId: sec, command: { type: 'vote' } })).toBe('INVALID_INPUT'); // neither tally nor ballots
    expect(
      req({
        personId: sec,
        command: { type: 'vote', tally: PASSING_TALLY, ballots: { base: 1, presentVoterIds: [], ballots: [] } },
      })
    ).toBe('INVALID_INPUT'); // both
    expect(req({ personId: sec, command: { type: 'vote', tally: null } })).toBe('INVALID_INPUT');
    expect(req({ personId: sec, command: { type: 'vote', ballots: null } })).toBe('INVALID_INPUT');
    for (const documents of [
      'INTRODUCTION',
      [null],
      [{ code: 'INTRODUCTION' }],
      [{ code: 7, issuedOn: '2025-08-28' }],
      [{ code: 'INTRODUCTION', issuedOn: '28/08/2025' }],
      [{ code: 'INTRODUCTION', issuedOn: '2025-02-30' }],
    ]) {
      expect(req({ personId: sec, command: { type: 'vote', tally: PASSING_TALLY, documents } })).toBe('INVALID_INPUT');
    }
    expect(req({ personId: sec, command: { type: 'withdraw' } })).toBe('INVALID_INPUT');
    expect(req({ personId: sec, command: { type: 'obstacle', text: '' } })).toBe('INVALID_INPUT');
    const tooLong = errorOf(() =>
      validateAct(admission, atC8, { personId: sec, command: { type: 'obstacle', text: 'x'.repeat(4001) } }, now)
    );
    expect(tooLong).toEqual({ code: 'INVALID_INPUT', messageVi: 'Nội dung vướng mắc quá dài (tối đa 4000 ký tự).' });
  });

  it('VOTE_INVALID for an inconsistent tally or ballots, already at validation', () => {
    const sec = PERSON.cellSecretary;
    expect(
      refusal(
        admission,
        atC8,
        { personId: sec, command: { type: 'vote', tally: { ...PASSING_TALLY, approve: 10 } } },
        now
      )
    ).toBe('VOTE_INVALID');
    expect(
      refusal(
        admission,
        atC8,
        {
          personId: sec,
          command: {
            type: 'vote',
            ballots: { base: 9, presentVoterIds: ['a'], ballots: [{ voterId: 'b', choice: 'approve' }] },
          },
        },
        now
      )
    ).toBe('VOTE_INVALID');
  });

  it('INVALID_INPUT for an appraisal outcome that is not recommend, refer or hold', () => {
    const { state: atC10 } = admissionUpTo('C10');
    expect(
      refusal(
        admission,
        atC10,
        { personId: PERSON.communeOrgHead, command: { type: 'appraise', outcome: 'maybe' } as unknown as CaseCommand },
        vn(2025, 9, 25)
      )
    ).toBe('INVALID_INPUT');
  });
});

describe('approve, refuse, withdraw', () => {
  it('refuse ends the case as refused with a decision mail', () => {
    const started = start(admission).state;
    const t = act(
      admission,
      started,
      PERSON.cellDeputy,
      { type: 'refuse', reason: '  Chưa đủ tiêu chuẩn  ' },
      vn(2025, 9, 4)
    );
    expect(t.state.status).toBe('refused');
    expect(auditTypes(t.effects)).toEqual(['refused', 'stepClosed', 'caseClosed']);
    expect(t.effects[0]).toMatchObject({ personId: PERSON.cellDeputy, data: { reason: 'Chưa đủ tiêu chuẩn' } });
    expect(mails(t.effects)).toEqual([
      expect.objectContaining({
        mail: 'decision',
        stepId: 'C1',
        audience: 'caseUnit',
        decisionText: expect.stringContaining('bị từ chối'),
      }),
    ]);
    expect(t.state.runs[0]).toMatchObject({ outcome: 'refused', actedBy: PERSON.cellDeputy, closedAt: vn(2025, 9, 4) });
  });

  it('withdraw ends the case from any step, by the starting unit, with the reason in the decision mail', () => {
    const { state: atC9 } = admissionUpTo('C9');
    expect(
      refusal(
        admission,
        atC9,
        { personId: PERSON.grassrootsSecretary, command: { type: 'withdraw', reason: 'x' } },
        vn(2025, 9, 16)
      )
    ).toBe('NOT_AUTHORISED');
    const t = act(
      admission,
      atC9,
      PERSON.cellSecretary,
      { type: 'withdraw', reason: 'Quần chúng chuyển công tác' },
      vn(2025, 9, 16)
    );
    expect(t.state.status).toBe('withdrawn');
    expect(auditTypes(t.effects)).toEqual(['withdrawn', 'caseClosed']);
    expect(mails(t.effects)[0]).toMatchObject({
      mail: 'decision',
      stepId: 'C9',
      decisionText: 'Hồ sơ đã được rút: Quần chúng chuyển công tác.',
    });
    expect(t.state.runs[t.state.runs.length - 1]).toMatchObject({
      stepId: 'C9',
      status: 'done',
      closedAt: vn(2025, 9, 16),
    });
    expect(nextTimer(admission, t.state, vn(2025, 12, 20))).toBeNull();
  });

  it('never modifies the state it is given', () => {
    const { state } = admissionUpTo('C8');
    const before = JSON.stringify(state);
    act(admission, state, PERSON.cellSecretary, { type: 'vote', tally: PASSING_TALLY }, vn(2025, 9, 15));
    act(admission, state, PERSON.cellSecretary, { type: 'obstacle', text: 'Thiếu hồ sơ' }, vn(2025, 9, 15));
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('return and resubmit', () => {
  it('a return without redoFrom resumes the same run on resubmission', () => {
    const { state: atC8 } = admissionUpTo('C8');
    const returnedAt = vn(2025, 9, 15, 10);
    const r = act(
      admission,
      atC8,
      PERSON.cellSecretary,
      { type: 'return', reasonCode: 'MISSING_DOCUMENT', note: 'Thiếu lý lịch' },
      returnedAt
    );
    const run = currentRun(r.state)!;
    const resubmitBy = calendar.addPeriod(returnedAt, { unit: 'workingDays', n: 10 });
    expect(r.state.status).toBe('returned');
    expect(run).toMatchObject({
      stepId: 'C8',
      status: 'returned',
      returned: {
        reasonCode: 'MISSING_DOCUMENT',
        reasonLabel: 'Hồ sơ thiếu giấy tờ hoặc biểu mẫu',
        note: 'Thiếu lý lịch',
        by: PERSON.cellSecretary,
        at: returnedAt,
        resubmitBy,
      },
    });
    expect(vnDateOf(resubmitBy)).toBe('2025-09-29');
    expect(r.effects).toEqual([
      {
        kind: 'audit',
        type: 'returned',
        stepId: 'C8',
        personId: PERSON.cellSecretary,
        onBehalfOf: undefined,
        data: { run: 1, reasonCode: 'MISSING_DOCUMENT', note: 'Thiếu lý lịch', resubmitBy },
      },
    ]);
    // The chi ủy (committee member) resubmits; the cell's plain members cannot.
    expect(
      refusal(admission, r.state, { personId: PERSON.introducer1, command: { type: 'resubmit' } }, vn(2025, 9, 17))
    ).toBe('NOT_AUTHORISED');
    const s = act(
      admission,
      r.state,
      PERSON.cellCommitteeMember,
      { type: 'resubmit', note: 'Đã bổ sung', documents: FRESH_DOSSIER },
      vn(2025, 9, 17)
    );
    expect(s.state.status).toBe('open');
    expect(s.state.runs).toHaveLength(r.state.runs.length);
    expect(currentRun(s.state)).toMatchObject({
      stepId: 'C8',
      run: 1,
      status: 'open',
      returned: undefined,
      documents: FRESH_DOSSIER,
    });
    expect(s.effects).toEqual([
      expect.objectContaining({ type: 'resubmitted', data: { run: 1, note: 'Đã bổ sung', redoFrom: null } }),
    ]);
  });

  it('a return with redoFrom opens a new run of the earlier step, and the chain comes back', () => {
    const { state: atC11 } = admissionUpTo('C11');
    const r = act(
      admission,
      atC11,
      PERSON.communeDeputy,
      { type: 'return', reasonCode: 'VERIFICATION_INCOMPLETE' },
      vn(2025, 10, 1)
    );
    expect(r.state.status).toBe('returned');
    // The dossier goes back to the grassroots committee.
    expect(
      refusal(admission, r.state, { personId: PERSON.cellSecretary, command: { type: 'resubmit' } }, vn(2025, 10, 2))
    ).toBe('NOT_AUTHORISED');
    const s = act(admission, r.state, PERSON.grassrootsDeputy, { type: 'resubmit' }, vn(2025, 10, 2));
    expect(s.effects.map((e) => (e.kind === 'audit' ? `${e.type}:${e.stepId}` : e.kind))).toEqual([
      'resubmitted:C11',
      'stepOpened:C5',
    ]);
    expect(s.effects[0]).toMatchObject({ data: { redoFrom: 'C5' } });
    const c11 = s.state.runs.find((x) => x.stepId === 'C11')!;
    expect(c11).toMatchObject({ status: 'done', outcome: undefined, closedAt: vn(2025, 10, 2) });
    expect(currentRun(s.state)).toMatchObject({ stepId: 'C5', run: 2, status: 'open' });
    expect(s.state.status).toBe('open');
  });

  it('a return reason label falls back to the code when the definition has none (hand-made definition)', () => {
    // validateAct refuses unknown codes; applyAct alone still records something readable.
    const { state: atC8 } = admissionUpTo('C8');
    const t = applyAct(
      admission,
      atC8,
      { personId: PERSON.cellSecretary, command: { type: 'return', reasonCode: 'OTHER' } },
      { personId: PERSON.cellSecretary },
      vn(2025, 9, 15)
    );
    expect(currentRun(t.state)!.returned).toMatchObject({ reasonCode: 'OTHER', reasonLabel: 'OTHER' });
  });
});

describe('stale documents on the chi bộ vote (C8)', () => {
  it('an introduction older than 12 months sends the dossier back to redo C6 instead of counting the vote', () => {
    const { state: atC8 } = admissionUpTo('C8');
    const voteAt = vn(2025, 9, 15, 10);
    const documents = FRESH_DOSSIER.map((d) => (d.code === 'INTRODUCTION' ? { ...d, issuedOn: '2024-09-12' } : d));
    const t = act(admission, atC8, PERSON.cellSecretary, { type: 'vote', tally: PASSING_TALLY, documents }, voteAt);
    const run = currentRun(t.state)!;
    expect(t.state.status).toBe('returned');
    expect(run.votes).toEqual([]);
    expect(run.documents).toEqual(documents);
    expect(run.returned).toMatchObject({
      reasonCode: 'STALE_DOCUMENTS',
      reasonLabel: 'Giới thiệu, nghị quyết đoàn thể, tổng hợp ý kiến quá 12 tháng phải làm lại',
      by: PERSON.cellSecretary,
      resubmitBy: calendar.addPeriod(voteAt, { unit: 'workingDays', n: 10 }),
    });
    expect(run.returned!.note).toContain('12/09/2024');
    expect(t.effects).toEqual([
      expect.objectContaining({
        type: 'returned',
        stepId: 'C8',
        data: {
          run: 1,
          reasonCode: 'STALE_DOCUMENTS',
          automatic: true,
          stale: [{ code: 'INTRODUCTION', issuedOn: '2024-09-12', validUntil: '2025-09-12' }],
        },
      }),
    ]);
    expect(t.state.completedAt.C8).toBeUndefined();

    // The chi ủy resubmits: C6 is redone, then C7, then a new chi bộ vote.
    let state = act(admission, t.state, PERSON.cellCommitteeMember, { type: 'resubmit' }, vn(2025, 9, 16)).state;
    expect(currentRun(state)).toMatchObject({ stepId: 'C6', run: 2 });
    state = act(admission, state, PERSON.introducer2, { type: 'approve' }, vn(2025, 9, 17)).state;
    expect(currentRun(state)).toMatchObject({ stepId: 'C7', run: 2 });
    state = act(admission, state, PERSON.cellSecretary, { type: 'approve' }, vn(2025, 9, 18)).state;
    expect(currentRun(state)).toMatchObject({ stepId: 'C8', run: 2 });
    const fresh = FRESH_DOSSIER.map((d) => (d.code === 'INTRODUCTION' ? { ...d, issuedOn: '2025-09-17' } : d));
    state = act(
      admission,
      state,
      PERSON.cellSecretary,
      { type: 'vote', tally: PASSING_TALLY, documents: fresh },
      vn(2025, 9, 22)
    ).state;
    expect(currentRun(state)).toMatchObject({ stepId: 'C9', run: 1 });
    // The 60 working days count from the new resolution.
    expect(currentRun(state)!.dueAt).toBe(calendar.addPeriod(vn(2025, 9, 22), { unit: 'workingDays', n: 60 }));
  });

  it('is still valid on the last day of the 12 months', () => {
    const { state: atC8 } = admissionUpTo('C8');
    const documents = FRESH_DOSSIER.map((d) => (d.code === 'INTRODUCTION' ? { ...d, issuedOn: '2024-09-15' } : d));
    const t = act(
      admission,
      atC8,
      PERSON.cellSecretary,
      { type: 'vote', tally: PASSING_TALLY, documents },
      vn(2025, 9, 15, 10)
    );
    expect(stepOf(t.state)).toBe('C9');
  });

  it('an expired awareness certificate returns with its own reason (redo C2)', () => {
    const { state: atC8 } = admissionUpTo('C8');
    const documents = FRESH_DOSSIER.map((d) =>
      d.code === 'AWARENESS_CERTIFICATE' ? { ...d, issuedOn: '2020-09-01' } : d
    );
    const t = act(
      admission,
      atC8,
      PERSON.cellSecretary,
      { type: 'vote', tally: PASSING_TALLY, documents },
      vn(2025, 9, 15, 10)
    );
    expect(currentRun(t.state)!.returned!.reasonCode).toBe('EXPIRED_CERTIFICATE');
    const s = act(admission, t.state, PERSON.cellDeputy, { type: 'resubmit' }, vn(2025, 9, 16));
    expect(currentRun(s.state)).toMatchObject({ stepId: 'C2', run: 2 });
  });

  it('an approve with stale documents on a step that has a return rule is returned too (generic chain)', () => {
    const def = buildGenericProcess({
      code: 'ho-so',
      titleVi: 'Hồ sơ thử',
      effectiveFrom: '2025-01-01',
      basis: {
        citation: 'Quy chế làm việc của Tỉnh ủy',
        effectiveFrom: '2025-01-01',
        confirmed: false,
        note: 'Quy trình do tỉnh tự cấu hình.',
      },
      steps: [
        {
          id: 'S1',
          title: 'Lập hồ sơ',
          actor: { body: { anchor: 'caseUnit' }, roles: ['secretary'], label: 'Chi bộ' },
          act: 'submission',
        },
        {
          id: 'S2',
          title: 'Xét hồ sơ',
          actor: { body: { anchor: 'caseUnit', up: 1 }, roles: ['secretary'], label: 'Đảng ủy cơ sở' },
          act: 'signature',
          returnReasons: [{ code: 'OLD', labelVi: 'Giấy tờ cũ', redoFrom: 'S1' }],
        },
      ],
    });
    const withDocs: ProcessDefinition = {
      ...def,
      steps: def.steps.map((s): StepDefinition =>
        s.id === 'S2' ? { ...s, documents: [{ code: 'CV', labelVi: 'Công văn', maxAgeMonths: 1, onStale: 'OLD' }] } : s
      ),
    };
    const ctx = ctxOf(withDocs);
    let state = start(ctx).state;
    state = act(ctx, state, PERSON.cellSecretary, { type: 'approve' }, vn(2025, 9, 4)).state;
    const t = act(
      ctx,
      state,
      PERSON.grassrootsSecretary,
      { type: 'approve', documents: [{ code: 'CV', issuedOn: '2025-07-01' }] },
      vn(2025, 9, 5)
    );
    expect(t.state.status).toBe('returned');
    expect(currentRun(t.state)!.returned).toMatchObject({ reasonCode: 'OLD', reasonLabel: 'Giấy tờ cũ' });
    // The same documents, recent: approved.
    const ok = act(
      ctx,
      state,
      PERSON.grassrootsSecretary,
      { type: 'approve', documents: [{ code: 'CV', issuedOn: '2025-08-20' }] },
      vn(2025, 9, 5)
    );
    expect(ok.state.status).toBe('completed');
  });

  it('a stale document on a step without a return rule does not stop the act (C2)', () => {
    const { state: atC2 } = admissionUpTo('C2');
    const t = act(
      admission,
      atC2,
      PERSON.politicalCentreHead,
      { type: 'approve', documents: [{ code: 'AWARENESS_CERTIFICATE', issuedOn: '2019-01-01' }] },
      vn(2025, 9, 4)
    );
    expect(stepOf(t.state)).toBe('C3');
  });
});

describe('votes', () => {
  const voteAt = (d: number): number => vn(2025, 9, d, 10);

  it('a failed round keeps the step open; three failed rounds escalate (C8 → C9)', () => {
    const { state: atC8 } = admissionUpTo('C8');
    let t = act(admission, atC8, PERSON.cellSecretary, { type: 'vote', tally: FAILING_TALLY }, voteAt(15));
    expect(currentRun(t.state)).toMatchObject({ stepId: 'C8', status: 'open' });
    expect(currentRun(t.state)!.votes[0]).toMatchObject({
      round: 1,
      passed: false,
      quorumMet: true,
      approve: 5,
      base: 9,
    });
    expect(currentRun(t.state)!.votes[0]!.explanation).toContain('Không đạt: 5/9');
    expect(auditTypes(t.effects)).toEqual(['voted']);
    t = act(admission, t.state, PERSON.cellSecretary, { type: 'vote', tally: FAILING_TALLY }, voteAt(22));
    expect(stepOf(t.state)).toBe('C8');
    t = act(admission, t.state, PERSON.cellDeputy, { type: 'vote', tally: FAILING_TALLY }, voteAt(29));
    expect(auditTypes(t.effects)).toEqual(['voted', 'stepClosed', 'stepOpened']);
    const c8 = t.state.runs.find((r) => r.stepId === 'C8')!;
    expect(c8).toMatchObject({ outcome: 'escalated', actedBy: PERSON.cellDeputy });
    expect(c8.votes.map((v) => v.round)).toEqual([1, 2, 3]);
    expect(stepOf(t.state)).toBe('C9');
    expect(t.state.status).toBe('open');
    // Escalated is not approved: C9's clock has no C8 completion and counts from its own opening.
    expect(t.state.completedAt.C8).toBeUndefined();
    expect(currentRun(t.state)!.dueAt).toBe(calendar.addPeriod(voteAt(29), { unit: 'workingDays', n: 60 }));
  });

  it('one failed committee vote at C9 (maxRounds 1) sends the full result up to C10', () => {
    const { state: atC9 } = admissionUpTo('C9');
    const t = act(
      admission,
      atC9,
      PERSON.grassrootsDeputy,
      { type: 'vote', tally: { base: 3, present: 3, approve: 1, reject: 2, abstain: 0 } },
      voteAt(18)
    );
    expect(t.state.runs.find((r) => r.stepId === 'C9')!.outcome).toBe('escalated');
    expect(stepOf(t.state)).toBe('C10');
  });

  it('a round without quorum is recorded but is not a failed round (planning P2)', () => {
    let state = start(planning, START, { caseUnitId: BODY.commune }).state;
    state = act(planning, state, PERSON.communeSecretary, { type: 'approve' }, vn(2025, 9, 4)).state;
    expect(stepOf(state)).toBe('P2');
    const noQuorum = act(
      planning,
      state,
      PERSON.communeSecretary,
      { type: 'vote', tally: { base: 30, present: 19, approve: 19, reject: 0, abstain: 0 } },
      vn(2025, 9, 5)
    );
    const run = currentRun(noQuorum.state)!;
    expect(run).toMatchObject({ stepId: 'P2', status: 'open' });
    expect(run.votes[0]).toMatchObject({ round: 1, passed: false, quorumMet: false });
    expect(run.votes[0]!.explanation).toContain('Không đủ số lượng');
    expect(auditTypes(noQuorum.effects)).toEqual(['voted']);
    // A valid round that fails, on a step without a failure rule, refuses the case.
    const failed = act(
      planning,
      noQuorum.state,
      PERSON.communeDeputy,
      { type: 'vote', tally: { base: 30, present: 25, approve: 15, reject: 10, abstain: 0 } },
      vn(2025, 9, 8)
    );
    expect(failed.state.status).toBe('refused');
    expect(failed.state.runs.find((r) => r.stepId === 'P2')).toMatchObject({ outcome: 'refused' });
    expect(currentRun(failed.state)).toBeUndefined();
    // More than half of those convened passes.
    const passed = act(
      planning,
      noQuorum.state,
      PERSON.communeDeputy,
      { type: 'vote', tally: { base: 30, present: 25, approve: 16, reject: 9, abstain: 0 } },
      vn(2025, 9, 8)
    );
    expect(stepOf(passed.state)).toBe('P3');
    expect(currentRun(passed.state)!.run).toBe(1);
    expect(passed.state.runs.find((r) => r.stepId === 'P2')!.votes.map((v) => v.round)).toEqual([1, 2]);
  });

  it('ballots that fail count as a failed round', () => {
    const { state: atC8 } = admissionUpTo('C8');
    const ids = ['v1', 'v2', 'v3'];
    const t = act(
      admission,
      atC8,
      PERSON.cellSecretary,
      {
        type: 'vote',
        ballots: {
          base: 3,
          presentVoterIds: ids,
          ballots: [
            { voterId: 'v1', choice: 'approve' },
            { voterId: 'v2', choice: 'reject' },
          ],
        },
      },
      voteAt(15)
    );
    expect(currentRun(t.state)!.votes[0]).toMatchObject({ approve: 1, base: 3, present: 3, passed: false });
  });

  it('three failed rounds end the case as escalatedToSuperior when the escalation leads nowhere (hand-made definition)', () => {
    const def: ProcessDefinition = {
      ...admissionV1,
      steps: admissionV1.steps.map((s) => (s.id === 'C8' ? { ...s, next: { approved: 'C9', refused: 'REFUSED' } } : s)),
    };
    const ctx = ctxOf(def);
    let { state } = admissionUpTo('C8', ctx);
    let t: Transition | undefined;
    for (const d of [15, 22, 29]) {
      t = act(ctx, state, PERSON.cellSecretary, { type: 'vote', tally: FAILING_TALLY }, voteAt(d));
      state = t.state;
    }
    expect(state.status).toBe('escalatedToSuperior');
    expect(mails(t!.effects)).toEqual([
      expect.objectContaining({
        mail: 'decision',
        stepId: 'C8',
        decisionText: expect.stringContaining('cấp ủy cấp trên'),
      }),
    ]);
  });

  it('an outcome without a transition ends the case as refused (hand-made definition)', () => {
    const def: ProcessDefinition = {
      ...admissionV1,
      steps: admissionV1.steps.map((s) => (s.id === 'C1' ? { ...s, next: { approved: 'C2' } } : s)),
    };
    const ctx = ctxOf(def);
    const t = act(ctx, start(ctx).state, PERSON.cellSecretary, { type: 'refuse', reason: 'Không đạt' }, vn(2025, 9, 4));
    expect(t.state.status).toBe('refused');
    expect(mails(t.effects)[0]!.decisionText).toContain('dừng ở bước');
  });

  it('a vote step without a vote rule refuses a vote (hand-made definition)', () => {
    const def: ProcessDefinition = {
      ...admissionV1,
      steps: admissionV1.steps.map((s) => (s.id === 'C1' ? { ...s, act: 'vote' } : s)),
    };
    const ctx = ctxOf(def);
    expect(
      refusal(
        ctx,
        start(ctx).state,
        { personId: PERSON.cellSecretary, command: { type: 'vote', tally: PASSING_TALLY } },
        START
      )
    ).toBe('STEP_NOT_OPEN');
  });

  it('a transition to a step that does not exist is reported as NOT_FOUND (hand-made definition)', () => {
    const def: ProcessDefinition = {
      ...admissionV1,
      steps: admissionV1.steps.map((s) => (s.id === 'C1' ? { ...s, next: { approved: 'C99' } } : s)),
    };
    const ctx = ctxOf(def);
    expect(codeOf(() => act(ctx, start(ctx).state, PERSON.cellSecretary, { type: 'approve' }, START))).toBe(
      'NOT_FOUND'
    );
  });
});

describe('appraise (C10)', () => {
  const at = vn(2025, 9, 25);

  it('recommend and refer both lead to C11; hold runs C10 again', () => {
    const { state: atC10 } = admissionUpTo('C10');
    const rec = act(
      admission,
      atC10,
      PERSON.communeOrgHead,
      { type: 'appraise', outcome: 'recommend', note: 'Đủ điều kiện' },
      at
    );
    expect(rec.state.runs.find((r) => r.stepId === 'C10')!.outcome).toBe('approved');
    expect(rec.effects[0]).toMatchObject({
      type: 'appraised',
      data: { run: 1, outcome: 'recommend', note: 'Đủ điều kiện' },
    });
    expect(stepOf(rec.state)).toBe('C11');
    expect(rec.state.completedAt.C10).toBe(at);

    const ref = act(admission, atC10, PERSON.communeOrgDeputy, { type: 'appraise', outcome: 'refer' }, at);
    expect(ref.state.runs.find((r) => r.stepId === 'C10')!.outcome).toBe('referred');
    expect(stepOf(ref.state)).toBe('C11');
    expect(ref.state.completedAt.C10).toBeUndefined();

    const hold = act(admission, atC10, PERSON.communeOrgSpecialist, { type: 'appraise', outcome: 'hold' }, at);
    expect(hold.state.runs.filter((r) => r.stepId === 'C10').map((r) => [r.run, r.status, r.outcome])).toEqual([
      [1, 'done', 'held'],
      [2, 'open', undefined],
    ]);
    // The second run keeps the C8 clock.
    expect(currentRun(hold.state)!.dueAt).toBe(endOfVnDay(2025, 12, 8));
    // A provincial specialist has no role in the commune's board.
    expect(
      refusal(
        admission,
        atC10,
        { personId: PERSON.provinceOrgSpecialist, command: { type: 'appraise', outcome: 'hold' } },
        at
      )
    ).toBe('NOT_AUTHORISED');
  });
});

describe('extend', () => {
  const { state: atC11 } = admissionUpTo('C11');
  const at = vn(2025, 11, 20);
  const baseDue = endOfVnDay(2025, 12, 8);

  it('within the maximum: a new due date, the ladder restarts, Thường trực is told', () => {
    const t = act(
      admission,
      atC11,
      PERSON.communeSecretary,
      { type: 'extend', reason: ' Chờ kết quả thẩm tra bổ sung ', period: { unit: 'workingDays', n: 20 } },
      at
    );
    const run = currentRun(t.state)!;
    const due = calendar.addPeriod(baseDue, { unit: 'workingDays', n: 20 });
    // 17 working days to 31/12, 1–2/1/2026 are off, then 5, 6, 7/1.
    expect(vnDateOf(due)).toBe('2026-01-07');
    expect(run).toMatchObject({ baseDueAt: baseDue, dueAt: due, extensions: 1, ladderDone: [] });
    expect(t.effects).toEqual([
      expect.objectContaining({
        type: 'extended',
        data: { run: 1, reason: 'Chờ kết quả thẩm tra bổ sung', dueAt: due },
      }),
      {
        kind: 'mail',
        mail: 'escalation',
        stepId: 'C11',
        run: 1,
        level: 'extension',
        round: 1,
        audience: 'provincialStanding',
      },
    ]);
    // Another 10 reaches the +30 maximum exactly; one more day is refused.
    const t2 = act(
      admission,
      t.state,
      PERSON.communeDeputy,
      { type: 'extend', reason: 'Lần 2', period: { unit: 'workingDays', n: 10 } },
      at
    );
    expect(currentRun(t2.state)).toMatchObject({
      extensions: 2,
      dueAt: calendar.addPeriod(baseDue, { unit: 'workingDays', n: 30 }),
    });
    expect(mails(t2.effects)[0]).toMatchObject({ level: 'extension', round: 2 });
    const over = errorOf(() =>
      validateAct(
        admission,
        t2.state,
        {
          personId: PERSON.communeDeputy,
          command: { type: 'extend', reason: 'Lần 3', period: { unit: 'workingDays', n: 1 } },
        },
        at
      )
    );
    expect(over?.code).toBe('EXTENSION_NOT_ALLOWED');
    // 8/12/2025 + 30 working days: 17 to 31/12, 5 to 9/1, Saturday 10/1/2026 is worked (swap day), 5 to 16/1, 19, 20/1.
    expect(over?.messageVi).toContain('30 ngày làm việc — hạn 20/01/2026');
  });

  it('beyond the maximum at once', () => {
    expect(
      refusal(
        admission,
        atC11,
        {
          personId: PERSON.communeSecretary,
          command: { type: 'extend', reason: 'x', period: { unit: 'workingDays', n: 31 } },
        },
        at
      )
    ).toBe('EXTENSION_NOT_ALLOWED');
    expect(
      refusal(
        admission,
        atC11,
        {
          personId: PERSON.communeSecretary,
          command: { type: 'extend', reason: 'x', period: { unit: 'calendarMonths', n: 2 } },
        },
        at
      )
    ).toBe('EXTENSION_NOT_ALLOWED');
  });

  it('on a step without extension (C12, C1), and with malformed input', () => {
    const { state: atC12 } = admissionUpTo('C12');
    expect(
      refusal(
        admission,
        atC12,
        {
          personId: PERSON.cellSecretary,
          command: { type: 'extend', reason: 'x', period: { unit: 'workingDays', n: 1 } },
        },
        vn(2025, 10, 8)
      )
    ).toBe('EXTENSION_NOT_ALLOWED');
    expect(
      refusal(
        admission,
        start(admission).state,
        {
          personId: PERSON.cellSecretary,
          command: { type: 'extend', reason: 'x', period: { unit: 'workingDays', n: 1 } },
        },
        START
      )
    ).toBe('EXTENSION_NOT_ALLOWED');
    const ext = (command: unknown): string | undefined =>
      refusal(admission, atC11, { personId: PERSON.communeSecretary, command: command as CaseCommand }, at);
    expect(ext({ type: 'extend', period: { unit: 'workingDays', n: 1 } })).toBe('INVALID_INPUT');
    expect(ext({ type: 'extend', reason: 'x' })).toBe('INVALID_INPUT');
    expect(ext({ type: 'extend', reason: 'x', period: { unit: 'workingDays', n: -1 } })).toBe('INVALID_INPUT');
    expect(ext({ type: 'extend', reason: 'x', period: { unit: 'fortnights', n: 1 } })).toBe('INVALID_INPUT');
    // Only the actor of the step extends.
    expect(ext({ type: 'extend', reason: 'x', period: { unit: 'workingDays', n: 1 } })).toBeUndefined();
    expect(
      refusal(
        admission,
        atC11,
        {
          personId: PERSON.cellSecretary,
          command: { type: 'extend', reason: 'x', period: { unit: 'workingDays', n: 1 } },
        },
        at
      )
    ).toBe('NOT_AUTHORISED');
  });
});

describe('obstacle', () => {
  it('goes straight to Thường trực, once per report, and puts the case at the escalation level', () => {
    const { state: atC9 } = admissionUpTo('C9');
    const t1 = act(
      admission,
      atC9,
      PERSON.grassrootsDeputy,
      { type: 'obstacle', text: '  Chưa đủ cấp ủy viên để họp ' },
      vn(2025, 9, 16)
    );
    expect(t1.effects).toEqual([
      expect.objectContaining({
        type: 'obstacleReported',
        stepId: 'C9',
        personId: PERSON.grassrootsDeputy,
        data: { run: 1, text: 'Chưa đủ cấp ủy viên để họp' },
      }),
      {
        kind: 'mail',
        mail: 'obstacle',
        stepId: 'C9',
        run: 1,
        level: 'obstacle',
        round: 1,
        audience: 'provincialStanding',
        obstacleText: 'Chưa đủ cấp ủy viên để họp',
        reporterId: PERSON.grassrootsDeputy,
      },
    ]);
    expect(escalationLevel(t1.state)).toBe('escalation');
    const t2 = act(
      admission,
      t1.state,
      PERSON.grassrootsSecretary,
      { type: 'obstacle', text: 'Vẫn chưa họp được' },
      vn(2025, 9, 17)
    );
    expect(mails(t2.effects)[0]).toMatchObject({ round: 2 });
    expect(currentRun(t2.state)!.obstacles).toBe(2);
    expect(stepOf(t2.state)).toBe('C9');
  });

  it('may come from whoever holds the returned dossier, never from someone else', () => {
    const { state: atC9 } = admissionUpTo('C9');
    const returned = act(
      admission,
      atC9,
      PERSON.grassrootsSecretary,
      { type: 'return', reasonCode: 'MISSING_DOCUMENT' },
      vn(2025, 9, 16)
    ).state;
    // C9 returns to the cell: its secretary may report, as may the grassroots committee itself.
    const t = act(
      admission,
      returned,
      PERSON.cellSecretary,
      { type: 'obstacle', text: 'Không liên lạc được người giới thiệu' },
      vn(2025, 9, 17)
    );
    expect(t.effects[0]).toMatchObject({ personId: PERSON.cellSecretary });
    expect(
      codeOf(() => act(admission, returned, PERSON.grassrootsDeputy, { type: 'obstacle', text: 'x' }, vn(2025, 9, 17)))
    ).toBeUndefined();
    expect(
      refusal(
        admission,
        returned,
        { personId: PERSON.outsider, command: { type: 'obstacle', text: 'x' } },
        vn(2025, 9, 17)
      )
    ).toBe('NOT_AUTHORISED');
    expect(
      refusal(admission, atC9, { personId: PERSON.outsider, command: { type: 'obstacle', text: 'x' } }, vn(2025, 9, 17))
    ).toBe('NOT_AUTHORISED');
  });
});

describe('delegate', () => {
  const { state: atC11 } = admissionUpTo('C11');
  const grantedAt = vn(2025, 10, 1);
  const delegation = {
    type: 'delegate',
    toPersonId: PERSON.communeStandingMember,
    from: '2025-10-02',
    to: '2025-10-10',
  } as const;

  it('lets the delegate act inside the dates, on behalf of the delegator, on this step only', () => {
    const d = act(admission, atC11, PERSON.communeSecretary, delegation, grantedAt, 'req-deleg');
    expect(d.state.delegations).toEqual([
      {
        id: 'case-1:req-deleg',
        fromPersonId: PERSON.communeSecretary,
        toPersonId: PERSON.communeStandingMember,
        from: '2025-10-02',
        to: '2025-10-10',
        stepIds: ['C11'],
      },
    ]);
    expect(d.effects).toEqual([
      expect.objectContaining({
        type: 'delegated',
        data: { run: 1, toPersonId: PERSON.communeStandingMember, from: '2025-10-02', to: '2025-10-10' },
      }),
    ]);
    const req = { personId: PERSON.communeStandingMember, command: { type: 'approve' } } as ActRequest;
    // Before and after the dates: refused.
    expect(refusal(admission, d.state, req, vn(2025, 10, 1, 15))).toBe('NOT_AUTHORISED');
    expect(refusal(admission, d.state, req, vn(2025, 10, 11))).toBe('NOT_AUTHORISED');
    expect(errorOf(() => validateAct(admission, d.state, req, vn(2025, 10, 11)))!.messageVi).toContain(
      'chỉ có hiệu lực từ 02/10/2025 đến 10/10/2025'
    );
    // Inside: accepted and recorded on behalf of the secretary.
    expect(validateAct(admission, d.state, req, vn(2025, 10, 6))).toEqual({
      personId: PERSON.communeStandingMember,
      onBehalfOf: PERSON.communeSecretary,
    });
    const t = act(admission, d.state, PERSON.communeStandingMember, { type: 'approve' }, vn(2025, 10, 6));
    expect(t.state.runs.find((r) => r.stepId === 'C11')).toMatchObject({
      actedBy: PERSON.communeStandingMember,
      onBehalfOf: PERSON.communeSecretary,
    });
    expect(t.effects[0]).toMatchObject({
      type: 'approved',
      personId: PERSON.communeStandingMember,
      onBehalfOf: PERSON.communeSecretary,
    });
    expect(t.effects[1]).toMatchObject({ type: 'stepClosed', onBehalfOf: PERSON.communeSecretary });
  });

  it('a delegate cannot delegate again', () => {
    const d = act(admission, atC11, PERSON.communeSecretary, delegation, grantedAt);
    expect(d.state.delegations[0]!.id).toBe('case-1:1');
    const again = errorOf(() =>
      validateAct(
        admission,
        d.state,
        { personId: PERSON.communeStandingMember, command: { ...delegation, toPersonId: PERSON.communeOrgHead } },
        vn(2025, 10, 6)
      )
    );
    expect(again).toEqual({ code: 'NOT_AUTHORISED', messageVi: 'Người được ủy quyền không được ủy quyền lại.' });
  });

  it('refuses a delegation to someone unknown, with bad dates or already over, and from someone without the role', () => {
    const del = (command: unknown, personId: string = PERSON.communeSecretary): string | undefined =>
      refusal(admission, atC11, { personId, command: command as CaseCommand }, grantedAt);
    expect(del({ ...delegation, toPersonId: 'ghost' })).toBe('INVALID_INPUT');
    expect(del({ ...delegation, toPersonId: 42 })).toBe('INVALID_INPUT');
    expect(del({ ...delegation, from: '2/10/2025' })).toBe('INVALID_INPUT');
    expect(del({ ...delegation, to: undefined })).toBe('INVALID_INPUT');
    expect(del({ ...delegation, from: '2025-10-10', to: '2025-10-02' })).toBe('INVALID_INPUT');
    expect(del({ ...delegation, from: '2025-09-01', to: '2025-09-30' })).toBe('INVALID_INPUT');
    expect(del(delegation, PERSON.communeStandingMember)).toBe('NOT_AUTHORISED');
    expect(del(delegation)).toBeUndefined();
  });
});

describe('request-ID idempotency', () => {
  it('a request ID applied once does nothing the second time', () => {
    const { state: atC8 } = admissionUpTo('C8');
    const req: ActRequest = {
      requestId: 'r-42',
      personId: PERSON.cellSecretary,
      command: { type: 'obstacle', text: 'Thiếu phòng họp' },
    };
    expect(alreadyApplied(atC8, 'r-42')).toBe(false);
    expect(alreadyApplied(atC8, undefined)).toBe(false);
    const first = applyAct(admission, atC8, req, validateAct(admission, atC8, req, START), vn(2025, 9, 15));
    expect(first.effects).toHaveLength(2);
    expect(alreadyApplied(first.state, 'r-42')).toBe(true);
    const second = applyAct(admission, first.state, req, { personId: PERSON.cellSecretary }, vn(2025, 9, 15, 11));
    expect(second.state).toBe(first.state);
    expect(second.effects).toEqual([]);
    // Even a different command under the same ID does nothing.
    const other = applyAct(
      admission,
      first.state,
      { ...req, command: { type: 'vote', tally: PASSING_TALLY } },
      { personId: PERSON.cellSecretary },
      vn(2025, 9, 15, 11)
    );
    expect(other.state).toBe(first.state);
    expect(other.effects).toEqual([]);
    // Acts without an ID are never deduplicated.
    const noId = act(
      admission,
      first.state,
      PERSON.cellSecretary,
      { type: 'obstacle', text: 'Thiếu phòng họp' },
      vn(2025, 9, 15, 12)
    );
    const noId2 = act(
      admission,
      noId.state,
      PERSON.cellSecretary,
      { type: 'obstacle', text: 'Thiếu phòng họp' },
      vn(2025, 9, 15, 12)
    );
    expect(currentRun(noId2.state)!.obstacles).toBe(3);
  });

  it('remembers the last 500 request IDs', () => {
    let state = admissionUpTo('C8').state;
    for (let i = 1; i <= 501; i += 1) {
      state = act(
        admission,
        state,
        PERSON.cellSecretary,
        { type: 'obstacle', text: `Lần ${i}` },
        vn(2025, 9, 15),
        `r-${i}`
      ).state;
    }
    expect(state.requestIds).toHaveLength(500);
    expect(state.requestIds[0]).toBe('r-2');
    expect(alreadyApplied(state, 'r-1')).toBe(false);
    expect(alreadyApplied(state, 'r-501')).toBe(true);
  });
});

describe('the waiting period (recognition C13)', () => {
  const ceremony = vn(2025, 10, 20, 8);

  it('completes by itself at the end of the 12 months, then the chi bộ review opens', () => {
    const started = startCase(
      recognition,
      { caseId: 'rec-1', title: 'Công nhận đảng viên chính thức', caseUnitId: BODY.cell },
      ceremony
    );
    const state = started.state;
    const run = currentRun(state)!;
    // 20/10/2026 is a Tuesday: no rolling.
    expect(run).toMatchObject({ stepId: 'C13', dueAt: endOfVnDay(2026, 10, 20) });
    expect(started.effects[1]).toMatchObject({ data: { deadline: '12 tháng — hạn 20/10/2026' } });
    const timer = nextTimer(recognition, state, vn(2025, 10, 21));
    expect(timer).toEqual({ kind: 'autoComplete', at: endOfVnDay(2026, 10, 20) });
    // Nobody acts on a waiting period, but an obstacle may still be reported.
    expect(
      refusal(recognition, state, { personId: PERSON.cellSecretary, command: { type: 'approve' } }, vn(2026, 1, 5))
    ).toBe('STEP_NOT_OPEN');
    expect(
      refusal(
        recognition,
        state,
        { personId: PERSON.cellSecretary, command: { type: 'obstacle', text: 'x' } },
        vn(2026, 1, 5)
      )
    ).toBeUndefined();

    const fired = applyTimer(recognition, state, timer!, timer!.at);
    expect(auditTypes(fired.effects)).toEqual(['periodEnded', 'stepClosed', 'stepOpened']);
    expect(fired.effects[1]).toMatchObject({ personId: undefined, data: { outcome: 'approved' } });
    expect(fired.state.runs[0]).toMatchObject({ status: 'done', outcome: 'approved', closedAt: timer!.at });
    expect(fired.state.runs[0]!.actedBy).toBeUndefined();
    expect(fired.state.completedAt.C13).toBe(timer!.at);
    const c15 = currentRun(fired.state)!;
    expect(c15.stepId).toBe('C15');
    expect(c15.dueAt).toBe(calendar.addPeriod(timer!.at, { unit: 'workingDays', n: 30 }));
    expect(fired.state.revision).toBe(state.revision + 1);
    expect(fired.state.auditSeq).toBe(state.auditSeq + 3);

    // The same timer once the step has moved does nothing: it must not close C15 without a vote.
    const again = applyTimer(recognition, fired.state, timer!, timer!.at + 1000);
    expect(again.state).toBe(fired.state);
    expect(again.effects).toEqual([]);
    // C15 is a vote with a ladder: its next timer is a reminder, not an autoComplete.
    expect(nextTimer(recognition, fired.state, timer!.at)).toMatchObject({
      kind: 'ladder',
      action: { level: 'reminder' },
    });
  });

  it('the fast test copy of the definition completes in seconds', () => {
    const fast = ctxOf(withTestDurations(recognitionV1, 4));
    const state = startCase(fast, { caseId: 'rec-fast', title: 't', caseUnitId: BODY.cell }, ceremony).state;
    expect(nextTimer(fast, state, ceremony)).toEqual({ kind: 'autoComplete', at: ceremony + 4000 });
  });
});

describe('nextTimer and applyTimer: the escalation ladder of C11', () => {
  const { state: atC11 } = admissionUpTo('C11');
  const due = endOfVnDay(2025, 12, 8);

  it('reminder → due notice → three escalation rounds, each (level, round) once, then nothing', () => {
    let state = atC11;
    const fired: string[] = [];
    const levels: string[] = [escalationLevel(state)];
    for (let i = 0; i < 10; i += 1) {
      const timer = nextTimer(admission, state, state.runs[state.runs.length - 1]!.openedAt);
      if (!timer) break;
      expect(timer.kind).toBe('ladder');
      const t = applyTimer(admission, state, timer, timer.at);
      expect(t.state.revision).toBe(state.revision + 1);
      expect(t.state.auditSeq).toBe(state.auditSeq + 1);
      const mail = mails(t.effects)[0]!;
      expect(t.effects[0]).toMatchObject({
        kind: 'audit',
        type: 'ladder',
        stepId: 'C11',
        data: { run: 1, level: mail.level, round: mail.round },
      });
      fired.push(`${mail.mail}/${mail.level}/${mail.round}/${mail.audience}@${new Date(timer.at).toISOString()}`);
      // Firing the same rung again does nothing.
      const again = applyTimer(admission, t.state, timer, timer.at + 60_000);
      expect(again.state).toBe(t.state);
      expect(again.effects).toEqual([]);
      state = t.state;
      levels.push(escalationLevel(state));
    }
    expect(fired).toEqual([
      `reminder/reminder/1/actor@${new Date(calendar.workingDaysBefore(due, 5)).toISOString()}`,
      `due/due/1/actorAndSuperiorOrgBoard@${new Date(due).toISOString()}`,
      `escalation/escalation/1/provincialStanding@${new Date(endOfVnDay(2025, 12, 15)).toISOString()}`,
      `escalation/escalation/2/provincialStanding@${new Date(endOfVnDay(2025, 12, 22)).toISOString()}`,
      `escalation/escalation/3/provincialStanding@${new Date(endOfVnDay(2025, 12, 29)).toISOString()}`,
    ]);
    expect(vnDateOf(calendar.workingDaysBefore(due, 5))).toBe('2025-12-01');
    expect(levels).toEqual(['none', 'reminder', 'due', 'escalation', 'escalation', 'escalation']);
    expect(nextTimer(admission, state, vn(2026, 1, 5))).toBeNull();
  });

  it('after an outage skips the stale rungs', () => {
    // Woken on 23/12: the reminder is gone, the due notice still goes, then only the latest escalation.
    const now = vn(2025, 12, 23);
    const first = nextTimer(admission, atC11, now)!;
    expect(first).toMatchObject({ kind: 'ladder', at: due, action: { level: 'due', round: 1 } });
    const s = applyTimer(admission, atC11, first, now).state;
    expect(nextTimer(admission, s, now)).toMatchObject({ action: { level: 'escalation', round: 2 } });
  });

  it('an old timer does nothing once the step has moved, or once an extension has moved its due date', () => {
    const timer = nextTimer(admission, atC11, vn(2025, 12, 9)) as Extract<TimerAction, { kind: 'ladder' }>;
    expect(timer.action).toMatchObject({ level: 'due', round: 1 });
    const moved = act(admission, atC11, PERSON.communeSecretary, { type: 'approve' }, vn(2025, 12, 9)).state;
    expect(stepOf(moved)).toBe('C12');
    const stale = applyTimer(admission, moved, timer, vn(2025, 12, 9, 10));
    expect(stale.state).toBe(moved);
    expect(stale.effects).toEqual([]);
    expect(currentRun(moved)!.ladderDone).toEqual([]);

    const extended = act(
      admission,
      atC11,
      PERSON.communeSecretary,
      { type: 'extend', reason: 'Chờ ý kiến', period: { unit: 'workingDays', n: 10 } },
      vn(2025, 12, 5)
    ).state;
    expect(applyTimer(admission, extended, timer, vn(2025, 12, 9)).effects).toEqual([]);
    const renewed = nextTimer(admission, extended, vn(2025, 12, 5))!;
    expect(renewed).toMatchObject({ kind: 'ladder', action: { level: 'reminder' } });
    expect(renewed.at).toBe(calendar.workingDaysBefore(calendar.addPeriod(due, { unit: 'workingDays', n: 10 }), 5));

    // An autoComplete timer on a step that is not a waiting period does nothing either.
    const bogus = applyTimer(admission, atC11, { kind: 'autoComplete', at: due }, due);
    expect(bogus.state).toBe(atC11);
    expect(bogus.effects).toEqual([]);
  });

  it('while returned, the ladder runs against the resubmission deadline', () => {
    const returnedAt = vn(2025, 10, 1);
    const returned = act(
      admission,
      atC11,
      PERSON.communeSecretary,
      { type: 'return', reasonCode: 'POLITICAL_STANDARD' },
      returnedAt
    ).state;
    const resubmitBy = calendar.addPeriod(returnedAt, { unit: 'workingDays', n: 10 });
    expect(vnDateOf(resubmitBy)).toBe('2025-10-15');
    const timer = nextTimer(admission, returned, returnedAt)!;
    expect(timer).toMatchObject({
      kind: 'ladder',
      at: calendar.workingDaysBefore(resubmitBy, 5),
      action: { level: 'reminder', round: 1 },
    });
    const fired = applyTimer(admission, returned, timer, timer.at);
    expect(mails(fired.effects)[0]).toMatchObject({ mail: 'reminder', stepId: 'C11', audience: 'actor' });
    expect(escalationLevel(fired.state)).toBe('reminder');
    // Resubmitted in place: the ladder is back on the step's own due date.
    const back = act(
      admission,
      fired.state,
      PERSON.grassrootsSecretary,
      { type: 'resubmit', documents: FRESH_DOSSIER },
      vn(2025, 10, 10)
    );
    expect(currentRun(back.state)).toMatchObject({ status: 'open', ladderDone: [], documents: FRESH_DOSSIER });
    expect(nextTimer(admission, back.state, vn(2025, 10, 10))).toMatchObject({
      action: { level: 'reminder' },
      at: calendar.workingDaysBefore(due, 5),
    });
  });

  it('a return with no resubmission deadline, or a step with no due date, schedules nothing', () => {
    const noWindow: ProcessDefinition = {
      ...admissionV1,
      steps: admissionV1.steps.map((s) =>
        s.onReturn ? { ...s, onReturn: { ...s.onReturn, resubmitWithin: undefined } } : s
      ),
    };
    const ctx = ctxOf(noWindow);
    const { state } = admissionUpTo('C11', ctx);
    const returned = act(
      ctx,
      state,
      PERSON.communeSecretary,
      { type: 'return', reasonCode: 'MISSING_DOCUMENT' },
      vn(2025, 10, 1)
    ).state;
    expect(currentRun(returned)!.returned!.resubmitBy).toBeUndefined();
    expect(nextTimer(ctx, returned, vn(2025, 10, 1))).toBeNull();
    const atC5 = admissionUpTo('C5').state;
    expect(currentRun(atC5)!.dueAt).toBeUndefined();
    expect(nextTimer(admission, atC5, vn(2025, 9, 9))).toBeNull();
  });
});

describe('the campaign deadline', () => {
  const campaign = endOfVnDay(2025, 12, 31);

  it('caps a step due later than the campaign and gives a due date to a step without one', () => {
    // P1 opened on Wednesday 24/12/2025: 10 working days would end on 09/01/2026 (1–2/1 are off).
    const late = start(planning, vn(2025, 12, 24), { caseUnitId: BODY.commune, campaignDeadline: campaign }).state;
    expect(late.campaignDeadline).toBe(campaign);
    expect(vnDateOf(calendar.addPeriod(vn(2025, 12, 24), { unit: 'workingDays', n: 10 }))).toBe('2026-01-09');
    expect(currentRun(late)).toMatchObject({ stepId: 'P1', dueAt: campaign, baseDueAt: campaign });
    // Earlier in the year the step's own deadline stands.
    const early = start(planning, vn(2025, 11, 3), { caseUnitId: BODY.commune, campaignDeadline: campaign }).state;
    expect(currentRun(early)!.dueAt).toBe(endOfVnDay(2025, 11, 17));
    // Admission C1 has no deadline: the campaign's is the step's.
    const c1 = start(admission, START, { campaignDeadline: campaign }).state;
    expect(currentRun(c1)!.dueAt).toBe(campaign);
  });

  it('P1 to P5 of a planning case run to completion under the campaign', () => {
    let state = start(planning, vn(2025, 11, 3), { caseUnitId: BODY.commune, campaignDeadline: campaign }).state;
    const plan: [string, CaseCommand, number][] = [
      [PERSON.communeDeputy, { type: 'approve' }, vn(2025, 11, 4)],
      [
        PERSON.communeSecretary,
        { type: 'vote', tally: { base: 30, present: 28, approve: 25, reject: 3, abstain: 0 } },
        vn(2025, 11, 6),
      ],
      [PERSON.communeSecretary, { type: 'approve' }, vn(2025, 11, 7)],
      [PERSON.provinceOrgSpecialist2, { type: 'appraise', outcome: 'refer' }, vn(2025, 11, 14)],
      [
        PERSON.provinceDeputy1,
        { type: 'vote', tally: { base: 15, present: 14, approve: 14, reject: 0, abstain: 0 } },
        vn(2025, 11, 20),
      ],
    ];
    for (const [personId, command, now] of plan) state = act(planning, state, personId, command, now).state;
    expect(state.status).toBe('completed');
  });
});

// ---------------------------------------------------------------------------------------------------
// Property: for random sequences of valid and invalid acts (and fired timers) on an admission case,
// validateAct never lets through an act that applyAct then fails on; every applied act raises the
// revision by exactly one; auditSeq always equals the number of audit effects emitted so far.
// ---------------------------------------------------------------------------------------------------
describe('properties of random sequences', () => {
  const everyone = [...Object.values(PERSON), 'ghost', ''];
  /** The people most likely to be allowed on each step (actors and the holders of a returned dossier). */
  const likely: Record<string, string[]> = {
    C1: [PERSON.cellSecretary, PERSON.cellDeputy],
    C2: [PERSON.politicalCentreHead],
    C3: [PERSON.applicant],
    C4: [PERSON.applicant],
    C5: [PERSON.grassrootsSecretary, PERSON.grassrootsDeputy],
    C6: [PERSON.introducer1, PERSON.introducer2],
    C7: [PERSON.cellCommitteeMember, PERSON.cellSecretary],
    C8: [PERSON.cellSecretary, PERSON.cellDeputy, PERSON.cellCommitteeMember],
    C9: [PERSON.grassrootsSecretary, PERSON.grassrootsDeputy, PERSON.cellSecretary],
    C10: [PERSON.communeOrgSpecialist, PERSON.communeOrgHead, PERSON.grassrootsSecretary],
    C11: [PERSON.communeSecretary, PERSON.communeDeputy, PERSON.communeStandingMember, PERSON.grassrootsDeputy],
    C12: [PERSON.cellSecretary],
  };

  const docsArb = fc.option(
    fc.constantFrom<unknown>(
      FRESH_DOSSIER,
      FRESH_DOSSIER.map((d) => (d.code === 'INTRODUCTION' ? { ...d, issuedOn: '2024-01-02' } : d)),
      [{ code: 'INTRODUCTION', issuedOn: '2025-02-30' }],
      [{ code: 'INTRODUCTION' }],
      'none'
    ),
    { nil: undefined }
  );
  const tallyArb = fc
    .record({
      base: fc.integer({ min: 0, max: 12 }),
      present: fc.integer({ min: 0, max: 12 }),
      approve: fc.integer({ min: 0, max: 12 }),
    })
    .map(({ base, present, approve }) => ({ base, present, approve, reject: 0, abstain: 0 }));
  const ballotsArb = fc
    .array(fc.constantFrom<'approve' | 'reject' | 'abstain'>('approve', 'reject', 'abstain'), { maxLength: 5 })
    .map((choices) => ({
      base: 5,
      presentVoterIds: ['a', 'b', 'c', 'd', 'e'],
      ballots: choices.map((choice, i) => ({ voterId: 'abcde'[i]!, choice })),
    }));
  const dateArb = fc.constantFrom(
    '2025-09-01',
    '2025-09-20',
    '2025-10-15',
    '2025-12-31',
    '2026-03-01',
    'soon',
    undefined
  );

  const NATURAL = 'natural';
  const natural = (state: CaseState): CaseCommand => {
    const run = currentRun(state);
    const step = admissionV1.steps.find((s) => s.id === run?.stepId);
    if (run?.status === 'returned') return { type: 'resubmit' };
    if (step?.act === 'vote') return { type: 'vote', tally: PASSING_TALLY, documents: FRESH_DOSSIER };
    if (step?.act === 'appraisal') return { type: 'appraise', outcome: 'recommend' };
    return { type: 'approve' };
  };
  const commandArb: fc.Arbitrary<unknown> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ type: fc.constant('approve'), documents: docsArb }, { requiredKeys: ['type'] }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constant('vote'),
        tally: fc.option(tallyArb, { nil: undefined }),
        documents: docsArb,
      }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('vote'), ballots: ballotsArb }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('vote'), tally: tallyArb, ballots: ballotsArb }) },
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('appraise'),
        outcome: fc.constantFrom('recommend', 'refer', 'hold', 'maybe'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('refuse'), reason: fc.constantFrom('Không đạt', '', undefined) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('return'),
        reasonCode: fc.constantFrom(
          'MISSING_DOCUMENT',
          'STALE_DOCUMENTS',
          'VERIFICATION_INCOMPLETE',
          'EXPIRED_CERTIFICATE',
          'POLITICAL_STANDARD',
          'NOPE'
        ),
      }),
    },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('resubmit'), documents: docsArb }) },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('extend'),
        reason: fc.constantFrom('Lý do', ''),
        period: fc.oneof(
          fc.integer({ min: -1, max: 40 }).map((n) => ({ unit: 'workingDays', n })),
          fc.constant({ unit: 'duration', iso: 'P1D' }),
          fc.constant(null)
        ),
      }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('obstacle'), text: fc.constantFrom('Vướng mắc', ' ') }) },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('delegate'),
        toPersonId: fc.constantFrom(...everyone),
        from: dateArb,
        to: dateArb,
      }),
    },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('withdraw'), reason: fc.constantFrom('Rút', '') }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>({ type: 'sign' }, { type: 'constructor' }, null, 'approve') },
    // The act the current step asks for, so that sequences get far into the chain.
    { weight: 20, arbitrary: fc.constant(NATURAL) }
  );

  type Op =
    | { kind: 'act'; likely: boolean; who: number; command: unknown; hours: number; requestId?: string }
    | { kind: 'timer'; late: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 9,
      arbitrary: fc.record(
        {
          kind: fc.constant('act' as const),
          likely: fc.constantFrom(true, true, true, false),
          who: fc.nat(),
          command: commandArb,
          hours: fc.integer({ min: 0, max: 24 * 5 }),
          requestId: fc.integer({ min: 1, max: 30 }).map((n) => `r${n}`),
        },
        { requiredKeys: ['kind', 'likely', 'who', 'command', 'hours'] }
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('timer' as const), late: fc.integer({ min: 0, max: 3 * 86_400_000 }) }),
    }
  );

  it('validateAct lets through only acts applyAct can apply; revision and auditSeq keep count', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 100 }), (ops) => {
        const started = start(admission);
        let state = started.state;
        let audited = audits(started.effects).length;
        let now = START;
        expect(state.auditSeq).toBe(audited);
        for (const op of ops) {
          let t: Transition;
          if (op.kind === 'timer') {
            const timer = nextTimer(admission, state, now);
            if (!timer) continue;
            now = Math.max(now, timer.at) + op.late;
            t = applyTimer(admission, state, timer, now);
            // A timer nextTimer announced for this very state always fires.
            expect(t.effects.length).toBeGreaterThan(0);
            expect(t.state.revision).toBe(state.revision + 1);
          } else {
            now += op.hours * 3_600_000;
            const pool = op.likely ? (likely[stepOf(state) ?? 'C1'] ?? everyone) : everyone;
            const req = {
              requestId: op.requestId,
              personId: pool[op.who % pool.length]!,
              command: op.command === NATURAL ? natural(state) : op.command,
            } as ActRequest;
            let acting;
            try {
              acting = validateAct(admission, state, req, now);
            } catch (error) {
              // A refusal is always a DomainError with a Vietnamese message.
              expect(isDomainError(error)).toBe(true);
              continue;
            }
            const seen = alreadyApplied(state, req.requestId);
            t = applyAct(admission, state, req, acting, now); // must not throw
            if (seen) {
              expect(t.state).toBe(state);
              expect(t.effects).toEqual([]);
            } else {
              expect(t.state.revision).toBe(state.revision + 1);
              expect(audits(t.effects).length).toBeGreaterThan(0);
            }
          }
          audited += audits(t.effects).length;
          expect(t.state.auditSeq).toBe(audited);
          // A case that is still going always has exactly one run waiting; a closed one has none.
          const open = t.state.status === 'open' || t.state.status === 'returned';
          expect(currentRun(t.state) !== undefined).toBe(open);
          if (open) expect(currentRun(t.state)!.status).toBe(t.state.status);
          state = t.state;
        }
      }),
      { numRuns: 200 }
    );
  });
});
