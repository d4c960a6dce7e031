/**
 * The approval chains on the real servers: each process from start to end, the rejection paths, the
 * escalation ladder read from the SMTP server, obstacles, delegation, campaigns, continue-as-new, and a
 * worker killed in the middle of a flow. Timers are real, so the definitions run with deadlines of seconds
 * (withTestDurations); one check per process compares a real case's due date with the calendar's.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type mongoose from 'mongoose';
import { createModels, type Models } from '../../activities/store/models';
import { saveOrg } from '../../activities/case-activities';
import { armMessage, messageIdFor } from '../../activities/mail/outbox';
import { verifyAuditChain } from '../../activities/store/audit';
import { actOnCase, getCase, startCampaign, startCase } from '../../client/cases';
import { CaseActionError } from '../../client/temporal';
import { createWorkingCalendar, OFFICIAL_SCHEDULES } from '../../domain/calendar';
import type { CaseCommand } from '../../domain/chain';
import type { OrgSnapshot } from '../../domain/org';
import { actorFor as actorForView, passingAct } from '../../tools/demo/drive';
import {
  admissionV1,
  createDefaultRegistry,
  designationV1,
  planningV1,
  recognitionV1,
  withTestDurations,
  type ProcessDefinition,
} from '../../domain/processes';
import {
  CHAIN_CODE_LEVEL,
  caseWorkflowId,
  campaignWorkflowId,
  recognitionCaseId,
  type CampaignResult,
  type CaseView,
  type ChainInput,
} from '../../workflows/messages';
import type { RunningWorker } from '../../worker/worker';
import { BODY, buildOrg, ORG_FROM, PERSON } from '../unit/fixtures/org';
import {
  eventually,
  mailbox,
  mongo,
  sleep,
  spawnWorkerProcess,
  startInProcessWorker,
  temporalClient,
  testConfig,
  uniqueId,
} from '../support/env';
import { recordHistory } from '../support/history';
import { startMailCatcher } from '../../tools/stack/mail-catcher';
import { freePort } from '../../tools/stack/servers';

const config = testConfig(uniqueId('chain'));
/** A second commune committee under the province, for the campaign. */
const SECOND_COMMUNE = 'X2';
const SECOND_SECRETARY = 'x2-bt';
const base = buildOrg();
const org: OrgSnapshot = {
  ...base,
  bodies: [
    ...base.bodies,
    {
      id: SECOND_COMMUNE,
      name: 'Đảng ủy xã Duy Phước',
      kind: 'committee',
      parentId: BODY.province,
      validFrom: ORG_FROM,
    },
    {
      id: 'X2-BTV',
      name: 'Ban Thường vụ Đảng ủy xã Duy Phước',
      kind: 'standingBoard',
      parentId: SECOND_COMMUNE,
      validFrom: ORG_FROM,
    },
  ],
  people: [...base.people, { id: SECOND_SECRETARY, name: 'Võ Thị Sen', email: 'x2-bt@duyphuoc.example.vn' }],
  assignments: [
    ...base.assignments,
    { personId: SECOND_SECRETARY, bodyId: SECOND_COMMUNE, role: 'secretary', from: ORG_FROM },
    { personId: SECOND_SECRETARY, bodyId: 'X2-BTV', role: 'secretary', from: ORG_FROM },
  ],
};
const registry = createDefaultRegistry();
let client: Client;
let temporal: Awaited<ReturnType<typeof temporalClient>>;
let db: mongoose.Connection;
let models: Models;
let worker: RunningWorker;

beforeAll(async () => {
  temporal = await temporalClient(config);
  client = temporal.client;
  db = await mongo(config);
  models = createModels(db);
  await saveOrg(models, org);
  worker = await startInProcessWorker(config);
});

afterAll(async () => {
  await worker?.shutdown();
  await temporal?.close();
  await db?.close();
});

const deps = () => ({ client, registry, taskQueue: config.temporal.taskQueue });

async function start(
  definition: ProcessDefinition,
  extra: { caseUnitId?: string; recognition?: ProcessDefinition; historyEventLimit?: number } = {}
): Promise<string> {
  const caseId = uniqueId(definition.key.replace(/[^a-z]/g, ''));
  await startCase(deps(), {
    process: definition.key,
    caseId,
    title: `Hồ sơ thử ${caseId}`,
    caseUnitId:
      extra.caseUnitId ??
      (definition.key === 'admission' || definition.key === 'recognition' ? BODY.cell : BODY.commune),
    subjectName: 'Nguyễn Văn An',
    definition,
    recognitionDefinition: extra.recognition,
    historyEventLimit: extra.historyEventLimit,
  });
  return caseId;
}

const actorFor = (view: CaseView, definition: ProcessDefinition): string => actorForView(org, view, definition);

async function advance(process: string, caseId: string, definition: ProcessDefinition): Promise<CaseView> {
  const view = await getCase(client, process, caseId);
  return actOnCase(client, process, caseId, {
    requestId: uniqueId('req'),
    personId: actorFor(view, definition),
    command: passingAct(view, definition),
  });
}

async function runToEnd(
  process: string,
  caseId: string,
  definition: ProcessDefinition,
  stopAt?: string
): Promise<CaseView> {
  let view = await getCase(client, process, caseId);
  for (let i = 0; i < 40 && view.status === 'open' && view.current?.stepId !== stopAt; i++) {
    if (definition.steps.find((s) => s.id === view.current?.stepId)?.act === 'waitingPeriod') {
      view = await eventually('the waiting period to end', async () => {
        const v = await getCase(client, process, caseId);
        return v.current?.stepId !== view.current?.stepId && v;
      });
      continue;
    }
    view = await advance(process, caseId, definition);
  }
  return view;
}

const auditCount = (caseId: string): Promise<number> => models.AuditEntry.countDocuments({ caseId });

/** The events a `patched()` call leaves in a history: its marker, and the TemporalChangeVersion upsert. */
function patchEvents(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): number {
  return (history.events ?? []).filter(
    (e) =>
      e.markerRecordedEventAttributes?.markerName === 'core_patch' ||
      e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion
  ).length;
}

describe('admission and recognition', () => {
  test('an admission case runs C1 → C12, records every step, and hands over to recognition, which runs to the end', async () => {
    const admission = withTestDurations(admissionV1, 120);
    const recognition = withTestDurations(recognitionV1, 3, 60);
    const caseId = await start(admission, { recognition });
    const done = await runToEnd('admission', caseId, admission);
    expect(done.status).toBe('completed');
    expect(done.state.runs.map((r) => r.stepId)).toEqual([
      'C1',
      'C2',
      'C3',
      'C4',
      'C5',
      'C6',
      'C7',
      'C8',
      'C9',
      'C10',
      'C11',
      'C12',
    ]);
    await client.workflow.getHandle(caseWorkflowId('admission', caseId)).result();
    await recordHistory(client.workflow.getHandle(caseWorkflowId('admission', caseId)), 'admission-completed');
    // Started at CHAIN_CODE_LEVEL: the patches' paths are taken without a marker or a search-attribute upsert.
    expect(patchEvents(await client.workflow.getHandle(caseWorkflowId('admission', caseId)).fetchHistory())).toBe(0);

    const stored = await models.Case.findById(caseId).lean();
    expect(stored).toMatchObject({ status: 'completed', process: 'admission', committeeId: BODY.commune });
    expect(await models.CaseStep.countDocuments({ caseId })).toBe(12);
    expect((await verifyAuditChain(models, caseId)).ok).toBe(true);
    await eventually('the decision notice', async () =>
      (await mailbox(caseId)).some((m) => m.subject.includes('Thông báo'))
    );

    // The probation (3 s here instead of 12 months) ends by itself; the chi bộ and committees then vote and decide.
    const recognitionId = recognitionCaseId(caseId);
    const recHandle = client.workflow.getHandle(caseWorkflowId('recognition', recognitionId));
    const probation = await eventually('the recognition case', async () =>
      getCase(client, 'recognition', recognitionId).catch(() => undefined)
    );
    expect(probation.current?.stepId).toBe('C13');
    const finished = await runToEnd('recognition', recognitionId, recognition);
    expect(finished.status).toBe('completed');
    expect(finished.state.runs.map((r) => r.stepId)).toEqual(['C13', 'C15', 'C16', 'C17']);
    await recHandle.result();
    await recordHistory(recHandle, 'recognition-completed');
    expect(patchEvents(await recHandle.fetchHistory())).toBe(0);
    // The recognition is a case of its own: its record and audit trail do not touch the admission's.
    expect(await models.Case.findById(recognitionId).lean()).toMatchObject({
      status: 'completed',
      process: 'recognition',
    });
    expect(await models.Case.findById(caseId).lean()).toMatchObject({ status: 'completed', process: 'admission' });
    expect((await verifyAuditChain(models, recognitionId)).ok).toBe(true);
    expect((await verifyAuditChain(models, caseId)).ok).toBe(true);
  });

  test('a real admission case: C11 is due 60 working days after the chi bộ resolution (C8), as the calendar counts', async () => {
    const caseId = await start(admissionV1);
    const view = await runToEnd('admission', caseId, admissionV1, 'C11');
    expect(view.current?.stepId).toBe('C11');
    const c8 = view.state.completedAt.C8 as number;
    const calendar = createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES });
    expect(view.current?.dueAt).toBe(calendar.addPeriod(c8, { unit: 'workingDays', n: 60 }));
    expect(view.current?.deadlineText).toMatch(/^60 ngày làm việc — hạn \d{2}\/\d{2}\/\d{4}$/);
    await actOnCase(client, 'admission', caseId, {
      personId: PERSON.cellSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  });

  test('refusals: wrong person, wrong act, malformed input — each with its code and nothing written', async () => {
    const def = withTestDurations(admissionV1, 120);
    const caseId = await start(def);
    await eventually('the case recorded', async () => (await auditCount(caseId)) > 0);
    const before = await auditCount(caseId);
    const view = await getCase(client, 'admission', caseId);
    const refused = (personId: string, command: CaseCommand) =>
      actOnCase(client, 'admission', caseId, { personId, command });

    await expect(refused(PERSON.outsider, { type: 'approve' })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
      messageVi: expect.any(String),
    });
    await expect(refused(actorFor(view, def), { type: 'appraise', outcome: 'recommend' })).rejects.toMatchObject({
      code: 'STEP_NOT_OPEN',
    });
    await expect(refused(actorFor(view, def), { type: 'refuse', reason: '' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      messageVi: 'Phải nêu lý do từ chối.',
    });
    await expect(refused(actorFor(view, def), { type: 'teleport' } as unknown as CaseCommand)).rejects.toBeInstanceOf(
      CaseActionError
    );

    expect(await auditCount(caseId)).toBe(before);
    expect((await getCase(client, 'admission', caseId)).revision).toBe(view.revision);
    const history = await client.workflow.getHandle(caseWorkflowId('admission', caseId)).fetchHistory();
    const acceptedUpdates = history.events?.flatMap((e) => {
      const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      return name ? [name] : [];
    });
    expect(acceptedUpdates).toEqual(['caseRecorded']); // the start's wait for its record; no refused act

    // The same request twice is applied once.
    const req = { requestId: uniqueId('req'), personId: actorFor(view, def), command: passingAct(view, def) };
    const first = await actOnCase(client, 'admission', caseId, req);
    const again = await actOnCase(client, 'admission', caseId, req);
    expect(again.revision).toBe(first.revision);
    expect(first.current?.stepId).toBe('C2');

    // Refusal at background verification (C5) ends the case as refused.
    const atC5 = await runToEnd('admission', caseId, def, 'C5');
    await actOnCase(client, 'admission', caseId, {
      personId: actorFor(atC5, def),
      command: { type: 'refuse', reason: 'Lý lịch chưa rõ ràng' },
    });
    const refusedCase = await client.workflow.getHandle(caseWorkflowId('admission', caseId)).result();
    expect(refusedCase.status).toBe('refused');
    await expect(refused(PERSON.cellSecretary, { type: 'approve' })).rejects.toMatchObject({ code: 'CASE_CLOSED' });
    await recordHistory(client.workflow.getHandle(caseWorkflowId('admission', caseId)), 'admission-refused');
  });

  test('three failed chi bộ votes send the case up to the grassroots committee; a stale introduction returns the dossier', async () => {
    const def = withTestDurations(admissionV1, 120);
    const caseId = await start(def);
    let view = await runToEnd('admission', caseId, def, 'C8');
    const secretary = actorFor(view, def);
    const failing = { type: 'vote' as const, tally: { base: 21, present: 20, approve: 13, reject: 7, abstain: 0 } };

    // Introductions issued 13 months ago are too old on the day of the vote → returned for supplement.
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10);
    const stale = await actOnCase(client, 'admission', caseId, {
      personId: secretary,
      command: { ...failing, documents: [{ code: 'INTRODUCTION', issuedOn: old }] },
    });
    expect(stale.status).toBe('returned');
    expect(stale.current).toMatchObject({ stepId: 'C8', status: 'returned' });
    expect(stale.state.runs.find((r) => r.stepId === 'C8')?.returned?.reasonCode).toBe('STALE_DOCUMENTS');
    expect(stale.state.runs.find((r) => r.stepId === 'C8')?.votes).toEqual([]);
    // The chi ủy supplies new introductions; the dossier goes back through the steps the reason names.
    await actOnCase(client, 'admission', caseId, {
      personId: actorFor(stale, def),
      command: { type: 'resubmit', note: 'Đã làm lại giấy giới thiệu' },
    });
    view = await runToEnd('admission', caseId, def, 'C8');
    expect(view.current).toMatchObject({ stepId: 'C8', status: 'open' });

    for (let round = 1; round <= 3; round++) {
      view = await actOnCase(client, 'admission', caseId, { personId: secretary, command: failing });
      const explanation = view.state.runs
        .filter((r) => r.stepId === 'C8')
        .flatMap((r) => r.votes)
        .pop()?.explanation;
      expect(explanation).toMatch(/^Không đạt: 13\/21/);
    }
    expect(view.current?.stepId).toBe('C9');
    const c8 = view.state.runs.filter((r) => r.stepId === 'C8').pop();
    expect(c8).toMatchObject({ outcome: 'escalated' });
    await actOnCase(client, 'admission', caseId, {
      personId: PERSON.cellSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  });
});

describe('deadlines, the ladder and obstacles', () => {
  test('an overdue step: reminder, due notice, then escalations to Thường trực Tỉnh ủy, in order, each once', async () => {
    // Rungs 3 s apart, so that a busy machine does not make one rung overtake the next (the ladder skips a
    // rung that a later one has made pointless, which is right after an outage but not what this test is about).
    const def = withTestDurations(planningV1, 6, 3);
    const caseId = await start(def);
    // P1 is due 6 s after it opens; reminder 3 s before, notice at due, escalation 3 s after and every 3 s, 3 rounds.
    const mails = await eventually(
      'five ladder e-mails',
      async () => {
        const m = await mailbox(caseId);
        return m.length >= 5 && m;
      },
      60_000
    );
    await sleep(3_000);
    const all = await mailbox(caseId);
    expect(all).toHaveLength(5);
    // In the order they went out (a rung's e-mail is stored ahead of its instant, armed).
    const outbox = await models.Outbox.find({ caseId, status: 'sent' }).sort({ sentAt: 1 }).lean();
    expect(outbox.map((o) => `${o.level}:${o.round}`)).toEqual([
      'reminder:1',
      'due:1',
      'escalation:1',
      'escalation:2',
      'escalation:3',
    ]);
    expect(mails.map((m) => m.seq)).toEqual([...mails.map((m) => m.seq)].sort((a, b) => a - b));
    const escalation = all.find((m) => m.to.includes('thuongtruc@tinhuy.example.vn'));
    expect(escalation?.text).toContain('Thường trực Tỉnh ủy');
    expect(await models.Case.findById(caseId).lean()).toMatchObject({ escalationLevel: 'escalation' });

    // Acting stops the ladder at once.
    await advance('planning', caseId, def);
    await sleep(2_500);
    const after = await models.Outbox.countDocuments({ caseId, stepId: 'P1' });
    expect(after).toBe(5);
    await actOnCase(client, 'planning', caseId, {
      personId: PERSON.communeSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
    const handle = client.workflow.getHandle(caseWorkflowId('planning', caseId));
    await handle.result();
    await recordHistory(handle, 'planning-ladder');
  });

  test('a rung armed ahead: an act before its instant disarms it; an act after it records the rung first, one e-mail', async () => {
    // P1 due 8 s after it opens, its reminder 4 s before: both armed in the outbox as the case starts.
    const def = withTestDurations(planningV1, 8, 4);
    const early = await start(def);
    await eventually('the reminder armed', async () =>
      (await models.Outbox.find({ caseId: early }).lean()).some((o) => o.status === 'armed')
    );
    const moved = await advance('planning', early, def);
    expect(moved.current?.stepId).not.toBe('P1');
    // The act came before the instant: P1's reminder is disarmed and never goes out.
    const p1 = await models.Outbox.find({ caseId: early, stepId: 'P1' }).lean();
    expect(p1.map((o) => `${o.level}:${o.status}`)).toEqual(['reminder:cancelled']);
    await sleep(5_000);
    const p1Reminder = messageIdFor({ caseId: early, stepId: 'P1', level: 'reminder', round: 1 });
    expect((await mailbox(early)).filter((m) => m.messageId === p1Reminder)).toHaveLength(0);

    const late = await start(def);
    const [reminder] = await eventually('the reminder at its instant', async () => {
      const m = await mailbox(late);
      return m.length > 0 && m;
    });
    // Acted after the reminder went out and before the case's own timer recorded it (up to the due instant).
    const view = await advance('planning', late, def);
    const run = view.state.runs.find((r) => r.stepId === 'P1');
    expect(run?.ladderDone).toEqual([{ level: 'reminder', round: 1 }]);
    const audit = await models.AuditEntry.find({ caseId: late }).sort({ seq: 1 }).lean();
    const types = audit.map((e) => e.type);
    expect(types.indexOf('ladder')).toBeGreaterThan(-1);
    expect(types.indexOf('ladder')).toBeLessThan(types.lastIndexOf('stepClosed'));
    await sleep(6_000);
    const mails = await mailbox(late);
    expect(mails.filter((m) => m.messageId === reminder!.messageId)).toHaveLength(1);
    // The due notice was disarmed by the act.
    const p1late = await models.Outbox.find({ caseId: late, stepId: 'P1' }).sort({ createdAt: 1 }).lean();
    expect(p1late.map((o) => `${o.level}:${o.status}`)).toEqual(['reminder:sent', 'due:cancelled']);
    for (const caseId of [early, late]) {
      await actOnCase(client, 'planning', caseId, {
        personId: PERSON.communeSecretary,
        command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
      });
    }
  });

  test('an act disarms the next rung too, which a workflow task that never completed may have armed', async () => {
    const def = withTestDurations(planningV1, 8, 4);
    const caseId = await start(def);
    await eventually('the reminder armed', async () =>
      (await models.Outbox.find({ caseId }).lean()).some((o) => o.status === 'armed')
    );
    // As an attempt that recorded the reminder's rung and died before its task completed would leave it: the due
    // notice armed, while this history still has the reminder armed and no rung recorded.
    const due = { caseId, stepId: 'P1', level: 'due', round: 1 };
    const mail = { to: ['thuong-truc@example.vn'], subject: 'Đến hạn', text: 'Đến hạn', html: '<p>Đến hạn</p>' };
    expect(await armMessage(models, due, mail, Date.now() + 8_000, undefined)).toBe(true);
    const moved = await advance('planning', caseId, def);
    expect(moved.current?.stepId).not.toBe('P1');
    const p1 = await models.Outbox.find({ caseId, stepId: 'P1' }).sort({ level: 1 }).lean();
    expect(p1.map((o) => `${o.level}:${o.status}`)).toEqual(['due:cancelled', 'reminder:cancelled']);
    await sleep(9_000);
    expect((await mailbox(caseId)).filter((m) => m.messageId === messageIdFor(due))).toHaveLength(0);
    await actOnCase(client, 'planning', caseId, {
      personId: PERSON.communeSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  });

  test('an act sent the moment a case starts waits for the case to be ready, and is applied', async () => {
    const def = withTestDurations(planningV1, 600);
    const caseId = uniqueId('planning');
    await startCase(deps(), {
      process: 'planning',
      caseId,
      title: `Hồ sơ thử ${caseId}`,
      caseUnitId: BODY.commune,
      definition: def,
    });
    const view = await actOnCase(client, 'planning', caseId, {
      requestId: uniqueId('req'),
      personId: PERSON.communeSecretary,
      command: { type: 'approve', note: 'Đồng ý ngay' },
    });
    expect(view.state.runs[0]).toMatchObject({ stepId: 'P1', outcome: 'approved', actedBy: PERSON.communeSecretary });
    await actOnCase(client, 'planning', caseId, {
      personId: PERSON.communeSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  });

  test('an obstacle report goes to Thường trực Tỉnh ủy at once, once', async () => {
    const def = withTestDurations(planningV1, 600);
    const caseId = await start(def);
    const view = await getCase(client, 'planning', caseId);
    const requestId = uniqueId('req');
    const req = {
      requestId,
      personId: actorFor(view, def),
      command: { type: 'obstacle' as const, text: 'Chưa có ý kiến của cấp ủy nơi cư trú' },
    };
    await actOnCase(client, 'planning', caseId, req);
    await actOnCase(client, 'planning', caseId, req);
    const mails = await eventually('the obstacle e-mail', async () => {
      const m = await mailbox(caseId);
      return m.length > 0 && m;
    });
    await sleep(1_000);
    expect(await mailbox(caseId)).toHaveLength(1);
    expect(mails[0]?.text).toContain('Chưa có ý kiến của cấp ủy nơi cư trú');
    await actOnCase(client, 'planning', caseId, {
      personId: PERSON.communeSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  });

  test('a mail server that is down holds up no act: the case moves on, and its e-mail goes once, when it is back', async () => {
    // A worker of its own, sending to a mail server of its own that is down from the start.
    const [smtpPort, httpPort] = await Promise.all([freePort(), freePort()]);
    const catcher = await startMailCatcher({ smtpPort, httpPort });
    await catcher.stopSmtp();
    const own = {
      ...config,
      temporal: { ...config.temporal, taskQueue: uniqueId('no-mail') },
      smtp: { ...config.smtp, port: smtpPort },
    };
    const mailless = await startInProcessWorker(own);
    try {
      const def = withTestDurations(planningV1, 600);
      const caseId = uniqueId('planning');
      await startCase(
        { client, registry, taskQueue: own.temporal.taskQueue },
        { process: 'planning', caseId, title: `Hồ sơ thử ${caseId}`, caseUnitId: BODY.commune, definition: def }
      );
      const within = async <T>(what: string, p: Promise<T>, ms = 20_000): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${what} waited for the mail server`)), ms);
        });
        try {
          return await Promise.race([p, late]);
        } finally {
          clearTimeout(timer);
        }
      };
      let view = await getCase(client, 'planning', caseId);
      // An obstacle report sends an e-mail at once; the acts after it must not wait for that e-mail.
      await within(
        'the obstacle report',
        actOnCase(client, 'planning', caseId, {
          personId: actorFor(view, def),
          command: { type: 'obstacle', text: 'Chờ ý kiến thẩm định của Ban Tổ chức' },
        })
      );
      const stepBefore = view.current?.stepId;
      view = await within(
        'the act after it',
        actOnCase(client, 'planning', caseId, {
          requestId: uniqueId('req'),
          personId: actorFor(view, def),
          command: passingAct(view, def),
        })
      );
      expect(view.current?.stepId).not.toBe(stepBefore);
      expect(catcher.summaries()).toHaveLength(0);
      const pending = await models.Outbox.find({ caseId }).lean();
      expect(pending.every((o) => o.status !== 'sent')).toBe(true);

      // The case ends only once its e-mails have gone: it waits for the mail server, then sends each once.
      await within(
        'the withdrawal',
        actOnCase(client, 'planning', caseId, {
          personId: PERSON.communeSecretary,
          command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
        })
      );
      const handle = client.workflow.getHandle(caseWorkflowId('planning', caseId));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await catcher.startSmtp();
      await within('the case to end', handle.result(), 90_000);
      const obstacle = (await catcher.messages()).filter((m) =>
        m.text.includes('Chờ ý kiến thẩm định của Ban Tổ chức')
      );
      expect(obstacle).toHaveLength(1);
      const ids = catcher.summaries().map((m) => m.messageId);
      expect(new Set(ids).size).toBe(ids.length);
      // Nothing owed is left unsent (a rung armed ahead and disarmed by an act is "cancelled").
      expect(await models.Outbox.countDocuments({ caseId, status: { $nin: ['sent', 'cancelled'] } })).toBe(0);
    } finally {
      await mailless.shutdown();
      await catcher.close();
    }
  }, 180_000);

  test('a delegate may act only inside the delegation’s dates', async () => {
    const def = withTestDurations(planningV1, 600);
    const caseId = await start(def);
    const view = await getCase(client, 'planning', caseId);
    const holder = actorFor(view, def);
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 31 * 3600_000).toISOString().slice(0, 10);
    const delegate = PERSON.communeStandingMember;
    // A delegation that starts tomorrow does not let the delegate act today.
    await actOnCase(client, 'planning', caseId, {
      personId: holder,
      command: { type: 'delegate', toPersonId: delegate, from: tomorrow, to: tomorrow },
    });
    await expect(
      actOnCase(client, 'planning', caseId, { personId: delegate, command: passingAct(view, def) })
    ).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
    await actOnCase(client, 'planning', caseId, {
      personId: holder,
      command: { type: 'delegate', toPersonId: delegate, from: today, to: tomorrow },
    });
    const moved = await actOnCase(client, 'planning', caseId, { personId: delegate, command: passingAct(view, def) });
    const p1 = moved.state.runs.find((r) => r.stepId === 'P1');
    expect(p1).toMatchObject({ actedBy: delegate, onBehalfOf: holder });
    await actOnCase(client, 'planning', caseId, {
      personId: PERSON.communeSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  });
});

describe('planning, personnel and campaigns', () => {
  test('a planning case runs to the end; a real one is due 10 working days after it opens', async () => {
    const def = withTestDurations(planningV1, 120);
    const caseId = await start(def);
    const done = await runToEnd('planning', caseId, def);
    expect(done.status).toBe('completed');
    const handle = client.workflow.getHandle(caseWorkflowId('planning', caseId));
    await handle.result();
    await recordHistory(handle, 'planning-completed');

    const real = await start(planningV1);
    const view = await getCase(client, 'planning', real);
    const calendar = createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES });
    const rule = planningV1.steps[0]?.deadline;
    expect(rule).toBeDefined();
    expect(view.current?.dueAt).toBe(calendar.addPeriod(view.current?.openedAt as number, rule!.period));
    await actOnCase(client, 'planning', real, {
      personId: PERSON.communeSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  });

  test('a case started at a code level above the worker’s waits for a newer worker: its task fails, nothing is written', async () => {
    const caseId = uniqueId('level');
    const input: ChainInput = {
      caseId,
      title: `Hồ sơ thử ${caseId}`,
      caseUnitId: BODY.commune,
      definition: withTestDurations(planningV1, 120),
      schedules: [...OFFICIAL_SCHEDULES],
      codeLevel: CHAIN_CODE_LEVEL + 1,
    };
    const handle = await client.workflow.start('planningWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId: caseWorkflowId('planning', caseId),
      args: [input],
    });
    const failure = await eventually('the refused workflow task', async () =>
      (await handle.fetchHistory()).events?.find((e) => e.workflowTaskFailedEventAttributes)
    );
    expect(failure.workflowTaskFailedEventAttributes?.failure?.message).toBe(
      `case started at code level ${CHAIN_CODE_LEVEL + 1}; this worker runs level ${CHAIN_CODE_LEVEL}: a newer worker must run it`
    );
    // The case stays open for a worker of its level; this one wrote nothing of it.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await models.Case.findById(caseId).lean()).toBeNull();
    expect(await auditCount(caseId)).toBe(0);
    await handle.terminate('Kết thúc kiểm thử');
  });

  test('real recognition and personnel cases are due when the calendar says', async () => {
    const calendar = createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES });
    // Probation: 12 calendar months from the ceremony (the step's opening), rolled to a working day.
    const recognition = await start(recognitionV1);
    const rec = await getCase(client, 'recognition', recognition);
    expect(rec.current?.stepId).toBe('C13');
    expect(rec.current?.dueAt).toBe(
      calendar.addPeriod(rec.current?.openedAt as number, { unit: 'calendarMonths', n: 12 })
    );
    expect(rec.current?.deadlineText).toMatch(/^12 tháng — hạn \d{2}\/\d{2}\/\d{4}$/);
    // Designation: the provincial default of 10 working days a step.
    const personnel = await start(designationV1);
    const per = await getCase(client, 'personnel', personnel);
    expect(per.current?.dueAt).toBe(
      calendar.addPeriod(per.current?.openedAt as number, { unit: 'workingDays', n: 10 })
    );
    expect(per.current?.deadlineText).toMatch(/^10 ngày làm việc — hạn /);
    for (const [process, caseId] of [
      ['recognition', recognition],
      ['personnel', personnel],
    ] as const) {
      await actOnCase(client, process, caseId, {
        personId: process === 'recognition' ? PERSON.cellSecretary : PERSON.communeSecretary,
        command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
      });
    }
  });

  test('a personnel designation runs to the end, across continue-as-new, with every audit entry once', async () => {
    const def = withTestDurations(designationV1, 120);
    const caseId = await start(def, { historyEventLimit: 12 });
    const handle = client.workflow.getHandle(caseWorkflowId('personnel-designation', caseId));
    const firstRun = (await handle.describe()).runId;
    const done = await runToEnd('personnel', caseId, def);
    expect(done.status).toBe('completed');
    expect(done.state.runs.map((r) => r.stepId)).toEqual(['D1', 'D2', 'D3']);
    const final = await handle.result();
    expect((await handle.describe()).runId).not.toBe(firstRun);
    expect(final.state.auditSeq).toBe(await auditCount(caseId));
    expect((await verifyAuditChain(models, caseId)).ok).toBe(true);
    await recordHistory(
      client.workflow.getHandle(caseWorkflowId('personnel', caseId), firstRun),
      'personnel-continued-as-new'
    );
  });

  test('a campaign starts one case per committee, capped by its deadline, and starting it again creates nothing', async () => {
    const def = withTestDurations(planningV1, 600);
    const campaignId = uniqueId('qh2026');
    const deadline = Date.now() + 120_000;
    const input = {
      campaignId,
      titleVi: 'Rà soát quy hoạch cán bộ năm 2026',
      definition: def,
      schedules: [...OFFICIAL_SCHEDULES],
      deadline,
      units: [
        { caseUnitId: BODY.commune, title: 'Quy hoạch cán bộ — Đảng ủy xã Duy Xuyên' },
        { caseUnitId: SECOND_COMMUNE, title: 'Quy hoạch cán bộ — Đảng ủy xã Duy Phước' },
      ],
    };
    expect(await startCampaign(deps(), input)).toMatchObject({ created: true });
    expect(await startCampaign(deps(), input)).toMatchObject({ created: false });
    const cases = await eventually('both cases', async () => {
      const found = await models.Case.find({ campaignId }).lean();
      return found.length === 2 && found;
    });
    for (const c of cases) expect(c.dueAt).toBeLessThanOrEqual(deadline);
    for (const c of cases) {
      await actOnCase(client, 'planning', c._id, {
        personId: c.caseUnitId === BODY.commune ? PERSON.communeSecretary : SECOND_SECRETARY,
        command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
      });
    }
    const handle = client.workflow.getHandle(campaignWorkflowId(campaignId));
    const result = (await handle.result()) as CampaignResult;
    expect(result.cases.map((c) => c.status)).toEqual(['withdrawn', 'withdrawn']);
    await recordHistory(handle, 'campaign-planning');
  });
});

test('the worker killed mid-flow: the case goes on with no duplicate e-mail or audit entry', async () => {
  const q = testConfig(uniqueId('chain-crash'));
  let proc = await spawnWorkerProcess(q);
  const def = withTestDurations(planningV1, 5, 1);
  const caseId = uniqueId('crash');
  try {
    await startCase(
      { client, registry, taskQueue: q.temporal.taskQueue },
      { process: 'planning', caseId, title: `Hồ sơ thử ${caseId}`, caseUnitId: BODY.commune, definition: def }
    );
    await eventually('the first e-mail', async () => (await mailbox(caseId)).length > 0, 30_000);
    await proc.kill();
    await sleep(2_000);
    proc = await spawnWorkerProcess(q);
    // The ladder catches up after the outage (a rung made pointless by a later one is skipped): wait for
    // the last escalation round, then every e-mail must have reached the SMTP server exactly once.
    await eventually(
      'the last escalation',
      async () => (await models.Outbox.countDocuments({ caseId, level: 'escalation', round: 3, status: 'sent' })) === 1,
      60_000
    );
    await sleep(2_000);
    const outbox = (await models.Outbox.find({ caseId }).lean()).filter((o) => o.status !== 'cancelled');
    const mails = await mailbox(caseId);
    expect(outbox.every((o) => o.status === 'sent')).toBe(true);
    expect(mails).toHaveLength(outbox.length);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(mails.length);
    const view = await getCase(client, 'planning', caseId);
    expect(await auditCount(caseId)).toBe(view.state.auditSeq);
    expect((await verifyAuditChain(models, caseId)).ok).toBe(true);
    await actOnCase(client, 'planning', caseId, {
      personId: PERSON.communeSecretary,
      command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
    });
  } finally {
    await proc.stop();
  }
}, 300_000);
