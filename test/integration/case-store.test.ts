/**
 * The case record on the real MongoDB-protocol server (FerretDB in the tests): the revision-guarded
 * projection, the hash-chained audit and its verification against tampering done with the driver, the
 * organisation slice a case needs, and the case e-mails through the real SMTP catcher, once per key.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Collection, Document } from 'mongodb';
import mongoose from 'mongoose';
import {
  createCaseActivities,
  loadCase,
  loadOrg,
  saveOrg,
  verifyAuditChain,
  type AuditAppend,
  type CaseActivities,
  type CaseMailInput,
  type CaseProjection,
} from '../../activities/case-activities';
import { DEAD_AFTER_MS, MailDispatcher, SWEEP_AFTER_MS, type DispatchReport } from '../../activities/mail/dispatcher';
import {
  ARMED_HOLD_MS,
  armMessage,
  CHANGE_NOTE_MS,
  changedMessages,
  disarmMessages,
  messageIdFor,
  noteChanges,
  outboxId,
  OutboxBusyError,
  sendOnce,
  type MailTransport,
} from '../../activities/mail/outbox';
import { AcceptedLog, newProcessTag, readAcceptedFile, settleAcceptedLogs } from '../../activities/mail/accepted-log';
import { journalled, journalSent, sentJournal, settleJournal } from '../../activities/mail/sent-journal';
import { createSmtpTransport } from '../../activities/mail/transport';
import { appendAudit } from '../../activities/store/audit';
import { writeIfNewer, type RevisionedDoc } from '../../activities/store/case-store';
import { createModels, driverCollection, ensureIndexes, type Models } from '../../activities/store/models';
import { mayAct, resolveBody, superiorOrgBoardRecipients, validateOrg, type OrgSnapshot } from '../../domain/org';
import { eventually, mailbox, mongo, testConfig, uniqueId, withOwnDatabase } from '../support/env';
import { freePort } from '../../tools/stack/servers';

// A database of its own: the organisation saved here has a province of its own, a second root beside the
// shared database's, which the API test's organisation edits would refuse as a whole.
const config = withOwnDatabase(testConfig(uniqueId('case-store')), 'case-store');
let db: mongoose.Connection;
let models: Models;
let smtp: ReturnType<typeof createSmtpTransport>;
let acts: CaseActivities;
let audit: Collection<Document>;

beforeAll(async () => {
  db = await mongo(config);
  models = createModels(db);
  await ensureIndexes(models);
  smtp = createSmtpTransport(config.smtp);
  acts = createCaseActivities({ models, mail: smtp, publicUrl: 'https://cadreflow.example.vn' });
  audit = db.db!.collection('audit');
});

afterAll(async () => {
  smtp.close();
  await db.dropDatabase().catch(() => undefined);
  await db.close();
});

const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const DAY = 86_400_000;

function projection(caseId: string, revision: number, patch: Partial<CaseProjection> = {}): CaseProjection {
  return {
    caseId,
    process: 'admission',
    processTitle: 'Kết nạp đảng viên',
    version: 1,
    title: `Kết nạp quần chúng Nguyễn Thị Lan (${caseId})`,
    caseUnitId: 'K',
    committeeId: 'X',
    subjectName: 'Nguyễn Thị Lan',
    status: 'open',
    currentStepId: 'C1',
    currentStepTitle: 'Chi bộ xét đề nghị kết nạp',
    actorLabel: 'Chi ủy',
    actorBodyId: 'K',
    actorPersonIds: ['k-bithu'],
    dueAt: T0 + 30 * DAY,
    escalationLevel: 'none',
    obstacles: 0,
    startedAt: T0,
    updatedAt: T0 + revision * 1000,
    revision,
    steps: [
      {
        stepId: 'C1',
        run: 1,
        title: 'Chi bộ xét đề nghị kết nạp',
        status: 'open',
        openedAt: T0,
        dueAt: T0 + 30 * DAY,
        actorLabel: 'Chi ủy',
      },
    ],
    ...patch,
  };
}

function entry(seq: number, data: Record<string, unknown> = { n: seq }): AuditAppend {
  return { seq, at: T0 + seq * 1000, type: seq === 1 ? 'caseStarted' : 'stepActed', personId: 'k-bithu', data };
}

describe('persistCase', () => {
  test('audit entries another attempt stored first are kept, and the rest of the batch chains to them', async () => {
    const caseId = uniqueId('case');
    const first = await acts.persistCase({ projection: projection(caseId, 1), audit: [entry(1)] });
    // An attempt whose workflow task did not complete stored entry 2 with its own content.
    await appendAudit(models, caseId, [entry(2, { attempt: 'earlier' })], first.audit);
    const written = await acts.persistCase({
      projection: projection(caseId, 2),
      audit: [entry(2, { attempt: 'this' }), entry(3), entry(4)],
      previous: first,
    });
    const stored = await audit.find({ caseId }).sort({ seq: 1 }).toArray();
    expect(stored.map((d) => [d.seq as number, d.data as unknown])).toEqual([
      [1, { n: 1 }],
      [2, { attempt: 'earlier' }],
      [3, { n: 3 }],
      [4, { n: 4 }],
    ]);
    expect(stored[2]!.prevHash).toBe(stored[1]!.hash);
    expect(written.audit).toEqual({ seq: 4, hash: stored[3]!.hash });
    expect(await verifyAuditChain(models, caseId)).toMatchObject({ ok: true, checked: 4 });
  });

  test('a newer revision replaces the record; an older one arriving late changes nothing', async () => {
    const caseId = uniqueId('case');
    const rev1 = projection(caseId, 1, { campaignId: 'dot-2026' });
    await acts.persistCase({ projection: rev1, audit: [entry(1)] });
    expect(await loadCase(models, caseId)).toEqual(rev1);

    // Revision 2: the first step is done and returned once, a second step opens.
    const rev2 = projection(caseId, 2, {
      currentStepId: 'C2',
      currentStepTitle: 'Đảng ủy xã thẩm định',
      actorPersonIds: ['x-bithu', 'x-pho'],
      escalationLevel: 'reminder',
      steps: [
        {
          stepId: 'C1',
          run: 1,
          title: 'Chi bộ xét đề nghị kết nạp',
          status: 'done',
          outcome: 'approved',
          openedAt: T0,
          closedAt: T0 + DAY,
          actorLabel: 'Chi ủy',
          actedBy: 'x-pho',
          onBehalfOf: 'k-bithu',
          votes: [{ round: 1, approve: 7, base: 9, present: 9, passed: true, explanation: '7/9 tán thành, đạt' }],
          documents: [{ code: 'NQ-05', issuedOn: '2026-01-06' }],
        },
        {
          stepId: 'C2',
          run: 1,
          title: 'Đảng ủy xã thẩm định',
          status: 'open',
          openedAt: T0 + DAY,
          dueAt: T0 + 20 * DAY,
          actorLabel: 'Ban Thường vụ Đảng ủy xã',
          returned: { reasonCode: 'missing', reasonLabel: 'Thiếu tài liệu', at: T0 + 2 * DAY },
        },
      ],
    });
    await acts.persistCase({ projection: rev2, audit: [entry(2), entry(3)] });

    // Revision 3: completed; the optional fields it no longer has are gone from the record.
    const rev3 = projection(caseId, 3, {
      status: 'completed',
      currentStepId: undefined,
      currentStepTitle: undefined,
      actorLabel: undefined,
      actorBodyId: undefined,
      actorPersonIds: [],
      dueAt: undefined,
      steps: rev2.steps.map((s) => ({ ...s, status: 'done' as const, dueAt: undefined, returned: undefined })),
    });
    await acts.persistCase({ projection: rev3, audit: [entry(4)] });

    // The retry of revision 2 arrives after revision 3: ignored, steps included; its audit is already there.
    await acts.persistCase({ projection: rev2, audit: [entry(2), entry(3)] });
    expect(await loadCase(models, caseId)).toEqual(rev3);
    const stored = await models.Case.findById(caseId).lean();
    expect(stored).toMatchObject({ revision: 3, status: 'completed', auditSeq: 4 });
    for (const field of ['dueAt', 'currentStepId', 'actorLabel', 'campaignId'])
      expect(stored).not.toHaveProperty(field);
    const steps = await models.CaseStep.find({ caseId }).sort({ order: 1 }).lean();
    // C1 was already done at revision 2 and is not rewritten.
    expect(steps.map((s) => [s._id, s.revision, s.status])).toEqual([
      [`${caseId}|C1|1`, 2, 'done'],
      [`${caseId}|C2|1`, 3, 'done'],
    ]);
    expect(steps[1]).not.toHaveProperty('returned');
    expect(steps[0]!.votes).toEqual(rev2.steps[0]!.votes);

    // The same revision again changes nothing either.
    await acts.persistCase({ projection: { ...rev3, title: 'changed' }, audit: [] });
    expect((await loadCase(models, caseId))?.title).toBe(rev3.title);
    expect(await models.AuditEntry.countDocuments({ caseId })).toBe(4);
  });

  test('a workflow task that never completed wrote a revision its retry reached another way: the retry, at a later clock, replaces it', async () => {
    const caseId = uniqueId('orphan');
    const first = await acts.persistCase({ projection: projection(caseId, 1), audit: [entry(1)] });
    // The attempt whose worker died: a timer's rung, revision 2 at its clock.
    const orphan = projection(caseId, 2, { escalationLevel: 'reminder', updatedAt: T0 + 2_000 });
    await acts.persistCase({ projection: orphan, audit: [], previous: first });
    // Its retry, later, took the act that came meanwhile: revision 2 too, and revision 3 never written before it.
    const retried = projection(caseId, 2, {
      status: 'completed',
      currentStepId: undefined,
      currentStepTitle: undefined,
      updatedAt: T0 + 2_500,
      steps: [{ ...projection(caseId, 1).steps[0]!, status: 'done', outcome: 'approved', closedAt: T0 + 2_500 }],
    });
    await acts.persistCase({ projection: retried, audit: [], previous: first });
    expect(await loadCase(models, caseId)).toEqual(retried);
    // The dead attempt's activity retried late, or an attempt that went further (revision 3) at the earlier clock:
    // neither replaces what the completed task wrote.
    await acts.persistCase({ projection: orphan, audit: [], previous: first });
    await acts.persistCase({ projection: { ...orphan, revision: 3, title: 'further' }, audit: [], previous: first });
    expect(await loadCase(models, caseId)).toEqual(retried);
    // Read back with no `previous` too: the stored state is as new, so nothing is written.
    await acts.persistCase({ projection: { ...orphan, revision: 3, title: 'further' }, audit: [] });
    expect((await loadCase(models, caseId))?.title).toBe(retried.title);
  });

  test('a run that task changed and its retry did not is written again, with the retry’s content', async () => {
    const caseId = uniqueId('orphan-run');
    const first = await acts.persistCase({ projection: projection(caseId, 1), audit: [entry(1)] });
    const c1 = projection(caseId, 1).steps[0]!;
    // The attempt that did not complete extended C1's deadline; its retry only raised the ladder's level.
    const orphan = projection(caseId, 2, { updatedAt: T0 + 2_000, steps: [{ ...c1, extendedTo: T0 + 40 * DAY }] });
    await acts.persistCase({ projection: orphan, audit: [], previous: first });
    const retried = projection(caseId, 2, { updatedAt: T0 + 2_500, escalationLevel: 'reminder' });
    const written = await acts.persistCase({ projection: retried, audit: [], previous: first });
    expect(await loadCase(models, caseId)).toEqual(retried);
    // The next write finds the record where the retry left it: only what it changed is written.
    const next = projection(caseId, 3, { escalationLevel: 'due' });
    await acts.persistCase({ projection: next, audit: [], previous: written });
    expect(await loadCase(models, caseId)).toEqual(next);
    expect((await models.CaseStep.findById(`${caseId}|C1|1`).lean())?.revision).toBe(2);
  });

  test('a revision writes only the step runs it changed, and the case lists the runs that are its own', async () => {
    const caseId = uniqueId('partial');
    const c1 = projection(caseId, 1).steps[0]!;
    const c2 = { ...c1, stepId: 'C2', title: 'Đảng ủy xã thẩm định', openedAt: T0 + DAY };
    const rev1 = projection(caseId, 1, {
      steps: [{ ...c1, status: 'done', outcome: 'approved', closedAt: T0 + DAY }, c2],
    });
    await acts.persistCase({ projection: rev1, audit: [entry(1)] });
    // Revision 2 changes only C2: C1 keeps the revision it was written at, and reads back unchanged.
    const rev2 = projection(caseId, 2, { steps: [rev1.steps[0]!, { ...c2, status: 'done', closedAt: T0 + 2 * DAY }] });
    await acts.persistCase({ projection: rev2, audit: [entry(2)] });
    const revisions = async (): Promise<unknown[]> =>
      (await models.CaseStep.find({ caseId }).sort({ order: 1 }).lean()).map((s) => [s.stepId, s.revision]);
    expect(await revisions()).toEqual([
      ['C1', 1],
      ['C2', 2],
    ]);
    expect(await loadCase(models, caseId)).toEqual(rev2);
    expect((await models.Case.findById(caseId).lean())?.stepRuns?.map((r) => r.id)).toEqual([
      `${caseId}|C1|1`,
      `${caseId}|C2|1`,
    ]);

    // A run the workflow no longer lists stays stored but is not the case's any more.
    const rev3 = projection(caseId, 3, { steps: [rev2.steps[1]!] });
    await acts.persistCase({ projection: rev3, audit: [] });
    expect(await loadCase(models, caseId)).toEqual(rev3);
    // A late retry of revision 2 puts back neither the run nor the list.
    await acts.persistCase({ projection: rev2, audit: [entry(2)] });
    expect(await loadCase(models, caseId)).toEqual(rev3);
  });

  test('a write that knows the previous one answered reads nothing and ends in the same record; its retry changes nothing', async () => {
    const caseId = uniqueId('chained');
    const c1 = projection(caseId, 1).steps[0]!;
    const rev1 = projection(caseId, 1);
    const first = await acts.persistCase({ projection: rev1, audit: [entry(1)] });
    expect(first.audit?.seq).toBe(1);
    const rev2 = projection(caseId, 2, {
      currentStepId: 'C2',
      steps: [
        { ...c1, status: 'done', outcome: 'approved', closedAt: T0 + DAY },
        { ...c1, stepId: 'C2', title: 'Đảng ủy xã thẩm định', openedAt: T0 + DAY },
      ],
    });
    const input = { projection: rev2, audit: [entry(2), entry(3)], previous: first };
    // The second write on a connection that reports every command it sends.
    const watched = await mongoose.createConnection(config.mongodbUrl, { monitorCommands: true }).asPromise();
    const commands: string[] = [];
    watched.getClient().on('commandStarted', (e: { commandName: string }) => void commands.push(e.commandName));
    const second = await createCaseActivities({ models: createModels(watched), mail: smtp, publicUrl: '' }).persistCase(
      input
    );
    await watched.close();
    // The two audit entries in one insert, the closed run updated, the new run inserted, the case updated: no
    // read. (Mongoose's own collection and index creation on the new connection left aside.)
    const dataCommands = commands.filter((c) =>
      ['find', 'insert', 'update', 'delete', 'aggregate', 'count'].includes(c)
    );
    expect(dataCommands.sort()).toEqual(['insert', 'insert', 'update', 'update']);
    expect(second.audit?.seq).toBe(3);
    expect(await loadCase(models, caseId)).toEqual(rev2);
    // The activity retried with the same input: everything is stored already.
    expect(await acts.persistCase(input)).toEqual(second);
    expect(await loadCase(models, caseId)).toEqual(rev2);
    expect(await models.AuditEntry.countDocuments({ caseId })).toBe(3);
    expect(await verifyAuditChain(models, caseId)).toMatchObject({ ok: true, checked: 3 });
  });

  test('a record written before the case listed its runs reads as it did then', async () => {
    const caseId = uniqueId('legacy');
    const rev1 = projection(caseId, 1);
    await acts.persistCase({ projection: rev1, audit: [entry(1)] });
    await models.Case.collection.updateOne({ _id: caseId } as never, { $unset: { stepRuns: '' } });
    expect(await loadCase(models, caseId)).toEqual(rev1);
    // Then, every revision rewrote all its runs: a run older than the case was not its own.
    await models.Case.collection.updateOne({ _id: caseId } as never, { $set: { revision: 2 } });
    expect((await loadCase(models, caseId))?.steps).toEqual([]);
  });

  test('two first writes racing: the newer revision wins whichever lands first', async () => {
    for (let i = 0; i < 5; i += 1) {
      const caseId = uniqueId('race');
      await Promise.all([
        acts.persistCase({ projection: projection(caseId, 2, { title: 'newer' }), audit: [] }),
        acts.persistCase({ projection: projection(caseId, 1, { title: 'older' }), audit: [] }),
      ]);
      expect(await models.Case.findById(caseId).lean()).toMatchObject({ revision: 2, title: 'newer' });
      expect(await models.CaseStep.findById(`${caseId}|C1|1`).lean()).toMatchObject({ revision: 2 });
    }
  });

  test('an abandoned attempt of a revision racing the next revision: one write of a case at a time, the newer one stays', async () => {
    // A local activity that outlives its timeout (a database that stalled) is retried beside the attempt still
    // under way, and the workflow moves on to the next revision when the retry succeeds: the stalled attempt's
    // writes would land beside the next revision's. FerretDB applies a conditional update as a read and a
    // whole-document write, so two updates of one case at once could leave the older revision standing; the
    // activities must never have two writes of one case document in flight at once.
    const watched = await mongoose.createConnection(config.mongodbUrl, { monitorCommands: true }).asPromise();
    const inFlight = new Map<number, string>();
    const overlaps: string[] = [];
    const client = watched.getClient();
    client.on('commandStarted', (e: { requestId: number; command: Document }) => {
      const id =
        e.command.update === 'cases' ? (e.command.updates as Array<{ q: { _id: string } }>)[0]?.q._id : undefined;
      if (id === undefined) return;
      if ([...inFlight.values()].includes(id)) overlaps.push(id);
      inFlight.set(e.requestId, id);
    });
    for (const event of ['commandSucceeded', 'commandFailed'])
      client.on(event, (e: { requestId: number }) => void inFlight.delete(e.requestId));
    const racing = createCaseActivities({ models: createModels(watched), mail: smtp, publicUrl: '' });
    const lost: string[] = [];
    try {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const caseId = uniqueId('stalled');
          // Each call carries what the previous one answered, as the workflow's do: no read before writing.
          const first = await racing.persistCase({ projection: projection(caseId, 1), audit: [entry(1)] });
          const older = { projection: projection(caseId, 2, { title: 'older' }), audit: [entry(2)], previous: first };
          const second = await racing.persistCase(older);
          const newer = { projection: projection(caseId, 3, { title: 'newer' }), audit: [entry(3), entry(4)] };
          await Promise.all([
            racing.persistCase(older),
            racing.persistCase(older),
            racing.persistCase({ ...newer, previous: second }),
            racing.persistCase(older),
          ]);
          const doc = await models.Case.findById(caseId).lean();
          if (doc?.revision !== 3 || doc.title !== 'newer' || doc.auditSeq !== 4)
            lost.push(`${caseId}: revision ${doc?.revision}, auditSeq ${doc?.auditSeq}`);
        })
      );
    } finally {
      await watched.close();
    }
    expect(overlaps).toEqual([]);
    expect(lost).toEqual([]);
  });

  test("the race made certain: the older insert lands between the newer one's update and its insert", async () => {
    const caseId = uniqueId('race');
    const real = driverCollection(models.Case) as unknown as Collection<RevisionedDoc>;
    const older = { _id: caseId, revision: 1, title: 'older' };
    const racing = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'insertOne') return Reflect.get(target, prop, receiver) as unknown;
        return async (doc: RevisionedDoc) => {
          await target.insertOne(older);
          return target.insertOne(doc);
        };
      },
    });
    expect(await writeIfNewer(racing, { _id: caseId, revision: 2, title: 'newer' }, [])).toBe('written');
    expect(await models.Case.findById(caseId).lean()).toEqual({ _id: caseId, revision: 2, title: 'newer' });
    // And the other way round: the older one loses.
    const again = uniqueId('race');
    await real.insertOne({ _id: again, revision: 2, title: 'newer' });
    expect(await writeIfNewer(real, { _id: again, revision: 1, title: 'older' }, [])).toBe('stale');
  });

  test('the inbox query: my open cases, soonest due first', async () => {
    const person = uniqueId('person');
    const ids = [uniqueId('inbox'), uniqueId('inbox'), uniqueId('inbox')];
    await Promise.all(
      ids.map((caseId, i) =>
        acts.persistCase({
          projection: projection(caseId, 1, { actorPersonIds: [person, 'other'], dueAt: T0 + (3 - i) * DAY }),
          audit: [],
        })
      )
    );
    const mine = await models.Case.find({ actorPersonIds: person, status: 'open' }).sort({ dueAt: 1 }).lean();
    expect(mine.map((c) => c._id)).toEqual([...ids].reverse());
  });

  test('malformed input is refused for good', async () => {
    const caseId = uniqueId('bad');
    await expect(
      acts.persistCase({ projection: projection(caseId, 1), audit: [entry(1, { 'a.b': 1 })] })
    ).rejects.toMatchObject({ type: 'INVALID_INPUT', nonRetryable: true });
    await expect(
      acts.persistCase({ projection: projection(caseId, 1), audit: [entry(1, { $where: 1 })] })
    ).rejects.toMatchObject({ type: 'INVALID_INPUT', nonRetryable: true });
    const dup = projection(caseId, 1);
    await expect(
      acts.persistCase({ projection: { ...dup, steps: [...dup.steps, ...dup.steps] }, audit: [] })
    ).rejects.toMatchObject({ type: 'INVALID_INPUT' });
    expect(await models.Case.countDocuments({ _id: caseId })).toBe(0);
  });
});

describe('the audit chain', () => {
  /** A case with `n` audit entries, appended over several revisions. */
  async function caseWithAudit(n: number): Promise<string> {
    const caseId = uniqueId('audit');
    for (let seq = 1; seq <= n; seq += 1) {
      await acts.persistCase({ projection: projection(caseId, seq), audit: [entry(seq)] });
    }
    return caseId;
  }

  test('appended once, chained by hash, whatever the retries and the order of a batch', async () => {
    const caseId = uniqueId('audit');
    const tricky: Record<string, unknown> = {
      note: 'Đồng chí Nguyễn Văn A “đề nghị” <b>hoãn</b> \u{1F600}',
      empty: {},
      list: [1, 0.1, -0, null, { z: 1, a: [] }],
      big: 1_767_578_400_000,
      flag: false,
      nothing: null,
      skipped: undefined,
    };
    const batch = [entry(3), entry(1, tricky), entry(2)];
    await acts.persistCase({ projection: projection(caseId, 1), audit: batch });
    const first = await audit.find({ caseId }).sort({ seq: 1 }).toArray();
    expect(first.map((e) => e._id)).toEqual([`${caseId}|1`, `${caseId}|2`, `${caseId}|3`]);
    expect(first[0]!.prevHash).toBe('');
    expect(first[1]!.prevHash).toBe(first[0]!.hash);
    expect(first[2]!.prevHash).toBe(first[1]!.hash);
    expect(first[0]).not.toHaveProperty('data.skipped');
    expect(first[0]!.data).toMatchObject({ empty: {}, note: tricky.note });

    // The same batch again (a retried activity), and again with changed content: nothing moves.
    await acts.persistCase({ projection: projection(caseId, 1), audit: batch });
    await acts.persistCase({ projection: projection(caseId, 2), audit: [entry(2, { n: 'forged' }), entry(4)] });
    const again = await audit.find({ caseId }).sort({ seq: 1 }).toArray();
    expect(again.slice(0, 3)).toEqual(first);
    expect(again).toHaveLength(4);
    expect(await acts.verifyAudit({ caseId })).toEqual({ ok: true, checked: 4, problems: [] });
  });

  test('an entry whose predecessor is not recorded yet fails, retryably, and stores no entry and no case state', async () => {
    const caseId = await caseWithAudit(2);
    const attempt = acts.persistCase({ projection: projection(caseId, 4), audit: [entry(4)] });
    await expect(attempt).rejects.toThrow(/entry 3 is not recorded yet/);
    await expect(attempt).rejects.not.toHaveProperty('nonRetryable', true);
    expect(await audit.countDocuments({ caseId })).toBe(2);
    expect(await models.Case.findById(caseId).lean()).toMatchObject({ revision: 2 });
    // Once the missing entry arrives, the retry goes through.
    await acts.persistCase({ projection: projection(caseId, 3), audit: [entry(3)] });
    await acts.persistCase({ projection: projection(caseId, 4), audit: [entry(4)] });
    expect(await verifyAuditChain(models, caseId)).toEqual({ ok: true, checked: 4, problems: [] });
  });

  test('a changed field is detected', async () => {
    const caseId = await caseWithAudit(4);
    await audit.updateOne({ _id: `${caseId}|2` as never }, { $set: { data: { n: 20 } } });
    const result = await acts.verifyAudit({ caseId });
    expect(result).toMatchObject({ ok: false, checked: 4 });
    expect(result.problems).toEqual([expect.objectContaining({ caseId, seq: 2, code: 'changed' })]);
    expect(result.problems[0]!.problem).toContain('đã bị thay đổi');
  });

  test('a changed instant or person is detected too', async () => {
    const caseId = await caseWithAudit(3);
    await audit.updateOne({ _id: `${caseId}|3` as never }, { $set: { at: T0 } });
    await audit.updateOne({ _id: `${caseId}|1` as never }, { $unset: { personId: '' } });
    const result = await acts.verifyAudit({ caseId });
    expect(result.problems.map((p) => [p.seq, p.code])).toEqual([
      [1, 'changed'],
      [3, 'changed'],
    ]);
  });

  test('a deleted entry is detected, in the middle and at the end', async () => {
    const caseId = await caseWithAudit(5);
    await audit.deleteOne({ _id: `${caseId}|3` as never });
    let result = await acts.verifyAudit({ caseId });
    expect(result).toMatchObject({ ok: false, checked: 4 });
    expect(result.problems).toEqual([expect.objectContaining({ caseId, seq: 3, code: 'missing' })]);

    // The tail leaves no gap: the case's recorded auditSeq shows it.
    await audit.deleteOne({ _id: `${caseId}|5` as never });
    result = await acts.verifyAudit({ caseId });
    expect(result.problems.map((p) => [p.seq, p.code])).toEqual([
      [3, 'missing'],
      [5, 'missing'],
    ]);
  });

  test('a changed prevHash, and a forged entry with a recomputed hash, break the chain', async () => {
    const caseId = await caseWithAudit(4);
    await audit.updateOne({ _id: `${caseId}|3` as never }, { $set: { prevHash: '0'.repeat(64) } });
    let result = await acts.verifyAudit({ caseId });
    expect(result.problems.map((p) => [p.seq, p.code])).toEqual([
      [3, 'broken-link'],
      [3, 'changed'],
    ]);

    // A forger who rewrites entry 2 with a correct hash of the new content still breaks entry 3's link.
    const other = await caseWithAudit(4);
    const { entryHash } = await import('../../activities/store/audit');
    const doc = (await audit.findOne({ _id: `${other}|2` as never }))!;
    const forged = { ...doc, data: { n: 'forged' } };
    await audit.replaceOne({ _id: doc._id }, { ...forged, hash: entryHash(forged) });
    result = await acts.verifyAudit({ caseId: other });
    expect(result.problems).toEqual([expect.objectContaining({ caseId: other, seq: 3, code: 'broken-link' })]);

    // Moving an entry to another sequence number is seen as well.
    const third = await caseWithAudit(3);
    await audit.updateOne({ _id: `${third}|2` as never }, { $set: { seq: 7 } });
    result = await acts.verifyAudit({ caseId: third });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['bad-id', 'changed', 'missing']));
  });

  test('verifying every chain reports the broken cases and only them', async () => {
    const good = await caseWithAudit(3);
    const bad = await caseWithAudit(3);
    await audit.updateOne({ _id: `${bad}|1` as never }, { $set: { type: 'caseWithdrawn' } });
    const result = await acts.verifyAudit({});
    expect(result.ok).toBe(false);
    expect(result.checked).toBeGreaterThanOrEqual(6);
    expect(result.problems.filter((p) => p.caseId === good)).toEqual([]);
    expect(result.problems.filter((p) => p.caseId === bad)).toEqual([
      expect.objectContaining({ seq: 1, code: 'changed' }),
    ]);
  });
});

describe('the organisation slice', () => {
  // Tỉnh ủy P ─┬─ P-BTV, P-TT, P-BTC ─ K3 (a cell of an inner body)
  //            ├─ Huyện ủy D (until 30/6/2025) ─┬─ D-BTV, D-BTC
  //            │                                └─ X (until 30/6/2025)
  //            ├─ X (from 1/7/2025) ─┬─ X-BTV
  //            │                     ├─ K (the case's unit) ─ K-CU
  //            │                     └─ K2
  //            └─ Y ─ Y-BTV
  function org(prefix: string): OrgSnapshot {
    const id = (s: string): string => `${prefix}-${s}`;
    const body = (s: string, kind: OrgSnapshot['bodies'][number]['kind'], parent?: string, more = {}) => ({
      id: id(s),
      name: `Cơ quan ${s}`,
      kind,
      ...(parent ? { parentId: id(parent) } : {}),
      validFrom: '2020-01-01',
      ...more,
    });
    const person = (s: string) => ({ id: id(s), name: `Đồng chí ${s}`, email: `${s}@${prefix}.example.vn` });
    const role = (p: string, b: string, r: OrgSnapshot['assignments'][number]['role'], more = {}) => ({
      personId: id(p),
      bodyId: id(b),
      role: r,
      from: '2020-01-01',
      ...more,
    });
    return {
      bodies: [
        body('P', 'provincialCommittee'),
        body('P-BTV', 'standingBoard', 'P'),
        body('P-TT', 'standing', 'P', { email: `thuongtruc@${prefix}.example.vn` }),
        body('P-BTC', 'organizationBoard', 'P'),
        body('K3', 'cell', 'P-BTC'),
        body('D', 'committee', 'P', { validTo: '2025-06-30' }),
        body('D-BTV', 'standingBoard', 'D', { validTo: '2025-06-30' }),
        body('D-BTC', 'organizationBoard', 'D', { validTo: '2025-06-30' }),
        body('X', 'grassrootsCommittee', 'D', { validTo: '2025-06-30' }),
        { ...body('X', 'committee', 'P'), validFrom: '2025-07-01', name: 'Đảng ủy xã X' },
        body('X-BTV', 'standingBoard', 'X'),
        body('K', 'cell', 'X'),
        body('K-CU', 'other', 'K'),
        body('K2', 'cell', 'X'),
        body('Y', 'committee', 'P'),
        body('Y-BTV', 'standingBoard', 'Y'),
      ],
      people: [
        'p-bithu',
        'p-tt',
        'p-btc',
        'd-bithu',
        'x-bithu',
        'x-pho',
        'k-bithu',
        'k2-bithu',
        'y-bithu',
        'y-pho',
        'k3-bithu',
        'tro-ly',
      ].map(person),
      assignments: [
        role('p-bithu', 'P-BTV', 'secretary'),
        role('p-tt', 'P-TT', 'deputySecretary'),
        role('p-btc', 'P-BTC', 'head'),
        role('d-bithu', 'D-BTV', 'secretary', { to: '2025-06-30' }),
        role('x-bithu', 'X-BTV', 'secretary'),
        role('k-bithu', 'K', 'secretary'),
        role('k2-bithu', 'K2', 'secretary'),
        role('y-bithu', 'Y-BTV', 'secretary'),
        role('k3-bithu', 'K3', 'secretary'),
      ],
      delegations: [
        {
          id: id('uq-x'),
          fromPersonId: id('x-bithu'),
          toPersonId: id('x-pho'),
          bodyId: id('X-BTV'),
          from: '2026-01-01',
          to: '2026-12-31',
          stepIds: ['C2'],
        },
        { id: id('uq-tt'), fromPersonId: id('p-tt'), toPersonId: id('tro-ly'), from: '2026-01-01', to: '2026-03-31' },
        { id: id('uq-y'), fromPersonId: id('y-bithu'), toPersonId: id('y-pho'), from: '2026-01-01', to: '2026-12-31' },
      ],
    };
  }

  test('saveOrg is idempotent and loadOrg reads back exactly what was saved', async () => {
    const prefix = uniqueId('org');
    const snapshot = org(prefix);
    await saveOrg(models, snapshot);
    await saveOrg(models, snapshot);
    const all = await loadOrg(models);
    const mine = <T>(list: T[], key: (t: T) => string): T[] =>
      list.filter((t) => key(t).startsWith(prefix)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const sortBy = <T>(list: T[], key: (t: T) => string): T[] => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const bodyKey = (b: OrgSnapshot['bodies'][number]) => `${b.id}|${b.validFrom}`;
    expect(mine(all.bodies, bodyKey)).toEqual(sortBy(snapshot.bodies, bodyKey));
    expect(mine(all.people, (p) => p.id)).toEqual(sortBy(snapshot.people, (p) => p.id));
    expect(mine(all.assignments, (a) => a.personId + a.bodyId)).toEqual(
      sortBy(snapshot.assignments, (a) => a.personId + a.bodyId)
    );
    const delegations = mine(all.delegations, (d) => d.id);
    expect(delegations).toEqual(sortBy(snapshot.delegations, (d) => d.id));
    // An absent step list stays absent: an empty one would mean "no step".
    expect(delegations.find((d) => d.id === `${prefix}-uq-tt`)).not.toHaveProperty('stepIds');
    expect(await models.OrgBody.countDocuments({ id: `${prefix}-X` })).toBe(2);
  });

  test('loadOrgSlice: the path up to the root, their inner bodies, and only the people that matter', async () => {
    const prefix = uniqueId('slice');
    const id = (s: string): string => `${prefix}-${s}`;
    const full = org(prefix);
    await saveOrg(models, full);
    const slice = await acts.loadOrgSlice({ caseUnitId: id('K'), onDate: '2026-02-02' });

    expect([...new Set(slice.bodies.map((b) => b.id))].sort()).toEqual(
      ['P', 'P-BTV', 'P-TT', 'P-BTC', 'D', 'D-BTV', 'D-BTC', 'X', 'X-BTV', 'K', 'K-CU'].map(id).sort()
    );
    expect(slice.bodies.filter((b) => b.id === id('X'))).toHaveLength(2);
    expect(slice.people.map((p) => p.id).sort()).toEqual(
      ['p-bithu', 'p-tt', 'p-btc', 'd-bithu', 'x-bithu', 'x-pho', 'k-bithu', 'tro-ly'].map(id).sort()
    );
    expect(slice.delegations.map((d) => d.id).sort()).toEqual([id('uq-tt'), id('uq-x')]);
    expect(slice.assignments.every((a) => slice.bodies.some((b) => b.id === a.bodyId))).toBe(true);

    // The slice is a valid tree and answers what the workflow asks as the whole tree does.
    expect(() => validateOrg(slice)).not.toThrow();
    const actor = {
      body: { anchor: 'caseUnit' as const, up: 1, inner: 'standingBoard' as const },
      roles: ['secretary' as const],
      label: 'Ban Thường vụ Đảng ủy xã',
    };
    for (const onDate of ['2025-03-03', '2026-02-02']) {
      expect(resolveBody(slice, actor.body, id('K'), onDate)).toEqual(resolveBody(full, actor.body, id('K'), onDate));
      const ctx = { actor, caseUnitId: id('K'), onDate, stepId: 'C2' };
      expect(superiorOrgBoardRecipients(slice, ctx)).toEqual(superiorOrgBoardRecipients(full, ctx));
      for (const personId of ['x-bithu', 'x-pho', 'd-bithu'].map(id)) {
        expect(mayAct(slice, { ...ctx, personId })).toEqual(mayAct(full, { ...ctx, personId }));
      }
    }

    // Someone with nothing to do here can be asked for by name, so that a refusal names them.
    const withOutsider = await acts.loadOrgSlice({
      caseUnitId: id('K'),
      onDate: '2026-02-02',
      personIds: [id('y-pho')],
    });
    expect(withOutsider.people.map((p) => p.id)).toContain(id('y-pho'));
    await expect(acts.loadOrgSlice({ caseUnitId: id('K'), onDate: '2/2/2026' })).rejects.toMatchObject({
      type: 'INVALID_INPUT',
    });
  });
});

function mailInput(caseId: string, patch: Partial<CaseMailInput> = {}): CaseMailInput {
  return {
    key: { caseId, stepId: 'C2', level: 'escalation', round: 1 },
    kind: 'escalation',
    to: ['thuongtruc@tinhuy.example.vn', ' ', 'THUONGTRUC@tinhuy.example.vn'],
    caseId,
    caseTitle: `Kết nạp quần chúng Nguyễn Thị Lan ${caseId}`,
    processTitle: 'Kết nạp đảng viên',
    stepTitle: 'Đảng ủy xã thẩm định',
    actorLabel: 'Ban Thường vụ Đảng ủy xã',
    actorNames: ['Trần Văn Bình'],
    deadlineText: '20 ngày làm việc — hạn 02/02/2026',
    overdueWorkingDays: 5,
    round: 1,
    ...patch,
  };
}

describe('sendCaseMail', () => {
  test('the same key twice sends one e-mail; another round sends another', async () => {
    const caseId = uniqueId('mail');
    const first = await acts.sendCaseMail(mailInput(caseId));
    const second = await acts.sendCaseMail(mailInput(caseId, { overdueWorkingDays: 6 }));
    expect(first.status).toBe('sent');
    expect(second).toEqual({ status: 'already-sent', messageId: first.messageId });
    const mails = await mailbox(caseId);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      to: ['thuongtruc@tinhuy.example.vn'],
      subject: `[cadreflow] Quá hạn 5 ngày làm việc: Đảng ủy xã thẩm định — Kết nạp quần chúng Nguyễn Thị Lan ${caseId}`,
      messageId: first.messageId,
    });
    expect(mails[0]!.text).toContain('Kính gửi Thường trực Tỉnh ủy');
    expect(mails[0]!.text).toContain(`https://cadreflow.example.vn/cases/${encodeURIComponent(caseId)}`);
    expect(mails[0]!.html).toContain('<strong>Đảng ủy xã thẩm định</strong>');
    // The mark keeps when the SMTP server accepted it and, by the database's clock, when the mark landed.
    const stored = await models.Outbox.findOne({ caseId }).lean();
    expect(stored).toMatchObject({ status: 'sent', sentAt: expect.any(Date), markedAt: expect.any(Date) });
    expect(stored!.markedAt!.getTime()).toBeGreaterThanOrEqual(Date.parse(mails[0]!.receivedAt) - 1000);

    await acts.sendCaseMail(
      mailInput(caseId, { key: { caseId, stepId: 'C2', level: 'escalation', round: 2 }, round: 2 })
    );
    const after = await mailbox(caseId);
    expect(after).toHaveLength(2);
    expect(after[1]!.subject).toMatch(/\(lần 2\)$/);
  });

  test('a slow attempt keeps its claim: a retry meanwhile finds it busy, and one e-mail goes out', async () => {
    // The lease shortened 60 times: an attempt that takes three leases to send still holds its claim,
    // because it renews it; one that stopped renewing (its worker died) loses it. (With a 200 ms lease the
    // slow attempt was once refused its own claim on a loaded machine.)
    const lease = { leaseMs: 1000, renewMs: 100 };
    const caseId = uniqueId('lease');
    const key = { caseId, stepId: 'C3', level: 'escalation', round: 1 };
    const mail = {
      to: ['thuongtruc@tinhuy.example.vn'],
      subject: `Thử hợp đồng thuê ${caseId}`,
      text: caseId,
      html: caseId,
    };
    const slow: MailTransport = {
      send: async (m) => {
        await new Promise((r) => setTimeout(r, 3 * lease.leaseMs));
        return smtp.send(m);
      },
    };
    const first = sendOnce(models, slow, key, mail, undefined, lease);
    await new Promise((r) => setTimeout(r, 1.5 * lease.leaseMs));
    await expect(sendOnce(models, smtp, key, mail, undefined, lease)).rejects.toBeInstanceOf(OutboxBusyError);
    expect((await first).status).toBe('sent');
    expect((await sendOnce(models, smtp, key, mail, undefined, lease)).status).toBe('already-sent');
    expect(await mailbox(caseId)).toHaveLength(1);

    // A claim nobody renews any more is taken over after the lease, and the message goes out.
    const orphan = { ...key, round: 2 };
    await models.Outbox.create({
      _id: outboxId(orphan),
      ...orphan,
      ...mail,
      status: 'sending',
      attempts: 1,
      claimedAt: new Date(Date.now() - 2 * lease.leaseMs),
      claimToken: 'a-worker-that-died',
      createdAt: new Date(),
    });
    expect((await sendOnce(models, smtp, orphan, mail, undefined, lease)).status).toBe('sent');
    expect(await mailbox(caseId)).toHaveLength(2);
  });

  test('an e-mail accepted by a worker that died before its mark landed is marked by the next worker, not sent again', async () => {
    // The dying worker: a connection of its own whose writes stop once the SMTP server has accepted the message,
    // as when the database goes away at that moment (or the worker is killed then); its claim lapses meanwhile.
    const lease = { leaseMs: 300, renewMs: 100 };
    const dir = mkdtempSync(join(tmpdir(), 'cadreflow-accepted-'));
    const caseId = uniqueId('accepted');
    const key = { caseId, stepId: 'C12', level: 'decision', round: 1 };
    const mail = {
      to: ['thuongtruc@tinhuy.example.vn'],
      subject: `Thử ghi nhận ${caseId}`,
      text: caseId,
      html: caseId,
    };
    const dyingDb = await mongo(config);
    const dying = createModels(dyingDb);
    let accepted = false;
    let revive: () => void = () => undefined;
    const revived = new Promise<void>((r) => (revive = r));
    const original = dying.Outbox.updateOne.bind(dying.Outbox);
    const spy = jest
      .spyOn(dying.Outbox, 'updateOne')
      .mockImplementation(((...args: unknown[]) =>
        accepted
          ? revived.then(() => (original as (...a: unknown[]) => unknown)(...args))
          : (original as (...a: unknown[]) => unknown)(...args)) as never);
    const acceptedTransport: MailTransport = {
      send: async (m) => {
        const r = await smtp.send(m);
        accepted = true;
        return r;
      },
    };
    const record = new AcceptedLog(dying, dir, 'cases', newProcessTag());
    const first = sendOnce(dying, acceptedTransport, key, mail, undefined, lease, record);
    try {
      await eventually('the SMTP server accepted it', async () => accepted && (await mailbox(caseId)).length === 1);
      await new Promise((r) => setTimeout(r, 3 * lease.leaseMs));
      expect(await models.Outbox.findById(outboxId(key)).lean()).toMatchObject({ status: 'sending' });

      // The next worker on the machine, before it takes any work; then the case's retry.
      expect(await settleAcceptedLogs(models, dir, newProcessTag())).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
      expect(await models.Outbox.findById(outboxId(key)).lean()).toMatchObject({ status: 'sent' });
      expect((await sendOnce(models, smtp, key, mail, undefined, lease)).status).toBe('already-sent');
      expect(await mailbox(caseId)).toHaveLength(1);
    } finally {
      revive();
      await first.catch(() => undefined);
      spy.mockRestore();
      await dyingDb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a running writer keeps its file; a partial last line is skipped; files of a process still running are left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadreflow-accepted-'));
    try {
      // Three messages the SMTP server accepted and no mark followed.
      const caseId = uniqueId('files');
      const [live, other, cut] = ['live', 'other', 'cut'].map((stepId) => ({
        caseId,
        stepId,
        level: 'decision',
        round: 1,
      }));
      for (const key of [live!, other!, cut!]) {
        await models.Outbox.create({
          _id: outboxId(key),
          ...key,
          to: ['a@b.vn'],
          subject: 's',
          text: 't',
          html: 'h',
          status: 'sending',
          attempts: 1,
          claimedAt: new Date(),
          claimToken: 'x',
          createdAt: new Date(),
        });
      }
      const statuses = async () =>
        Promise.all([live!, other!, cut!].map(async (k) => (await models.Outbox.findById(outboxId(k)).lean())?.status));
      const tag = newProcessTag();
      const running = new AcceptedLog(models, dir, 'cases', tag);
      running.record([outboxId(live!)], new Date());
      // Written at the end of this turn of the event loop.
      expect(readdirSync(dir)).toEqual([]);
      await new Promise((r) => setImmediate(r));
      expect(readdirSync(dir)).toHaveLength(1);
      // Another process on the machine, still running (this one's parent), and a killed one's cut line.
      const otherFile = join(dir, `${process.ppid}-${newProcessTag()}-cases-00000001.log`);
      writeFileSync(otherFile, `${outboxId(other!)}\t${new Date().toISOString()}\n`);
      const cutFile = join(dir, `${process.pid}-${newProcessTag()}-dispatcher-00000001.log`);
      writeFileSync(cutFile, `${outboxId(cut!)}\t${new Date().toISOString()}\n${caseId}|more|deci`);
      expect(readAcceptedFile(cutFile).size).toBe(1);
      expect(await settleAcceptedLogs(models, dir, tag)).toBe(1);
      expect(await statuses()).toEqual(['sending', 'sending', 'sent']);
      const left = readdirSync(dir);
      expect(left).toHaveLength(2);
      expect(left).toContain(basename(otherFile));
      expect(left.find((f) => f !== basename(otherFile))).toMatch(
        new RegExp(`^${process.pid}-${tag}-cases-[0-9a-f]{8}\\.log$`)
      );
      // A writer that closes marks its own e-mails and deletes its file.
      await running.close();
      expect(await statuses()).toEqual(['sent', 'sending', 'sent']);
      expect(readdirSync(dir)).toEqual([basename(otherFile)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a "sent" mark the database refuses once is retried: one e-mail, marked sent', async () => {
    const caseId = uniqueId('mark');
    const key = { caseId, stepId: 'C4', level: 'escalation', round: 1 };
    const mail = {
      to: ['thuongtruc@tinhuy.example.vn'],
      subject: `Thử đánh dấu ${caseId}`,
      text: caseId,
      html: caseId,
    };
    const original = models.Outbox.updateOne.bind(models.Outbox);
    let refused = 0;
    // As FerretDB on SQLite answered under load: "database is locked (SQLITE_BUSY)".
    const spy = jest.spyOn(models.Outbox, 'updateOne').mockImplementation(((...args: unknown[]) => {
      const set = (args[1] as { $set?: { status?: string } }).$set;
      if (set?.status === 'sent' && refused === 0) {
        refused += 1;
        throw new Error('database is locked (5) (SQLITE_BUSY)');
      }
      return (original as (...a: unknown[]) => unknown)(...args);
    }) as never);
    try {
      expect((await sendOnce(models, smtp, key, mail)).status).toBe('sent');
    } finally {
      spy.mockRestore();
    }
    expect(refused).toBe(1);
    expect(await models.Outbox.findById(outboxId(key)).lean()).toMatchObject({ status: 'sent', attempts: 1 });
    expect((await sendOnce(models, smtp, key, mail)).status).toBe('already-sent');
    expect(await mailbox(caseId)).toHaveLength(1);
  });

  test('the lease renewals and the "sent" mark never overlap, so a renewal cannot put a sent message back', async () => {
    // FerretDB runs a conditional update as a read and a write of the whole document: a renewal that read the
    // message before the mark and wrote after it would set it back to "sending". Renewals here are slow (a
    // loaded database) and frequent, so one is running when the message goes out.
    const lease = { leaseMs: 5000, renewMs: 50 };
    const caseId = uniqueId('renew');
    const key = { caseId, stepId: 'C5', level: 'escalation', round: 1 };
    const mail = { to: ['thuongtruc@tinhuy.example.vn'], subject: `Thử gia hạn ${caseId}`, text: caseId, html: caseId };
    const original = models.Outbox.updateOne.bind(models.Outbox);
    const calls: { kind: 'renew' | 'mark'; start: number; end: number }[] = [];
    const spy = jest.spyOn(models.Outbox, 'updateOne').mockImplementation((async (...args: unknown[]) => {
      const set = (args[1] as { $set?: { status?: string; claimedAt?: unknown } }).$set;
      const kind = set?.status === 'sent' ? 'mark' : set?.claimedAt !== undefined && !set.status ? 'renew' : undefined;
      const start = Date.now();
      if (kind === 'renew') await new Promise((r) => setTimeout(r, 120));
      const result: unknown = await (original as (...a: unknown[]) => Promise<unknown>)(...args);
      if (kind) calls.push({ kind, start, end: Date.now() });
      return result;
    }) as never);
    const slowish: MailTransport = {
      send: async (m) => {
        await new Promise((r) => setTimeout(r, 300));
        return smtp.send(m);
      },
    };
    try {
      expect((await sendOnce(models, slowish, key, mail, undefined, lease)).status).toBe('sent');
    } finally {
      spy.mockRestore();
    }
    const mark = calls.find((c) => c.kind === 'mark');
    const renewals = calls.filter((c) => c.kind === 'renew');
    expect(mark).toBeDefined();
    expect(renewals.length).toBeGreaterThan(0);
    const overlapping = renewals.filter((r) => r.end > mark!.start && r.start < mark!.end);
    expect(overlapping).toEqual([]);
    expect(await models.Outbox.findById(outboxId(key)).lean()).toMatchObject({ status: 'sent' });
    expect(await mailbox(caseId)).toHaveLength(1);
  });

  test('no recipient is a permanent failure, and nothing is queued', async () => {
    const caseId = uniqueId('mail');
    await expect(acts.sendCaseMail(mailInput(caseId, { to: [' '] }))).rejects.toMatchObject({
      type: 'NO_RECIPIENT',
      nonRetryable: true,
    });
    expect(await models.Outbox.countDocuments({ caseId })).toBe(0);
  });
});

describe('armed e-mails and the dispatcher', () => {
  const started: MailDispatcher[] = [];
  async function dispatcher(
    mail: MailTransport = smtp,
    reports: DispatchReport[] = [],
    accepted?: AcceptedLog
  ): Promise<MailDispatcher> {
    const d = new MailDispatcher(models, mail, {
      onDispatched: (r) => reports.push(r),
      ...(accepted ? { accepted } : {}),
    });
    await d.start();
    started.push(d);
    return d;
  }
  /** A dispatcher that composes 4 s ahead, over a transport that counts its calls. */
  async function composingDispatcher() {
    const calls = { composed: 0, sentRaw: 0, sent: 0 };
    const counting: MailTransport = {
      send: (mail) => ((calls.sent += 1), smtp.send(mail)),
      compose: (mail, date) => ((calls.composed += 1), smtp.compose(mail, date)),
      sendRaw: (to, raw) => ((calls.sentRaw += 1), smtp.sendRaw(to, raw)),
    };
    const reports: DispatchReport[] = [];
    const d = new MailDispatcher(models, counting, { prepareLeadMs: 4_000, onDispatched: (r) => reports.push(r) });
    await d.start();
    started.push(d);
    return { calls, counting, reports, d };
  }
  /** Runs `test` with a dispatcher and the case activities that arm for it, over a mail server that is down. */
  async function withMailServerDown(
    test: (down: { reports: DispatchReport[]; armedActs: CaseActivities }) => Promise<void>
  ): Promise<void> {
    const down = createSmtpTransport({ ...config.smtp, port: await freePort() });
    try {
      const reports: DispatchReport[] = [];
      const d = await dispatcher(down, reports);
      await test({
        reports,
        armedActs: createCaseActivities({ models, mail: down, publicUrl: 'https://x.vn', dispatcher: d }),
      });
    } finally {
      down.close();
    }
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map((d) => d.stop()));
  });
  const statusOf = async (caseId: string): Promise<string | undefined> =>
    (await models.Outbox.findById(outboxId(mailInput(caseId).key)).lean())?.status;

  test('armed e-mails go out at their instant, once; a disarmed one never; the case afterwards finds them sent', async () => {
    const reports: DispatchReport[] = [];
    const recordDir = mkdtempSync(join(tmpdir(), 'cadreflow-accepted-'));
    const d = await dispatcher(smtp, reports, new AcceptedLog(models, recordDir, 'dispatcher', newProcessTag()));
    const armedActs = createCaseActivities({
      models,
      mail: smtp,
      publicUrl: 'https://cadreflow.example.vn',
      dispatcher: d,
    });
    const [a, b, c] = [uniqueId('armed'), uniqueId('armed'), uniqueId('armed')];
    const sendAt = Date.now() + 2_000;
    await armedActs.armCaseMails({ sendAt, arm: [a, b, c].map((id) => mailInput(id)), disarm: [] });
    // b's step moved before the instant.
    await armedActs.armCaseMails({ sendAt, arm: [], disarm: [mailInput(b).key] });
    expect([await statusOf(a), await statusOf(b), await statusOf(c)]).toEqual(['armed', 'cancelled', 'armed']);
    // Held by the dispatcher until its instant and after: an ordinary attempt meanwhile finds it busy.
    await expect(acts.sendCaseMail(mailInput(a))).rejects.toBeInstanceOf(OutboxBusyError);
    expect(await mailbox(a)).toHaveLength(0);

    await eventually('the armed e-mails', async () => (await mailbox(a)).length + (await mailbox(c)).length === 2);
    for (const id of [a, c]) {
      const [mail] = await mailbox(id);
      expect(new Date(mail!.receivedAt).getTime()).toBeGreaterThanOrEqual(sendAt);
      expect(mail!.subject).toContain('Quá hạn 5 ngày làm việc');
    }
    await eventually('marked sent', async () => (await statusOf(a)) === 'sent' && (await statusOf(c)) === 'sent');
    await eventually('the round report', async () => reports.length === 1);
    expect(reports).toEqual([{ sendAt, sent: 2, released: 0 }]);
    // Each was recorded on this machine's disk as the SMTP server accepted it (accepted-log.ts).
    const [recordFile] = readdirSync(recordDir);
    expect([...readAcceptedFile(join(recordDir, recordFile!)).keys()].sort()).toEqual(
      [a, c].map((id) => outboxId(mailInput(id).key)).sort()
    );
    rmSync(recordDir, { recursive: true, force: true });
    // The case's own timer comes after: nothing more goes out.
    expect(await acts.sendCaseMail(mailInput(a))).toMatchObject({ status: 'already-sent' });
    expect(await mailbox(a)).toHaveLength(1);
    expect(await mailbox(b)).toHaveLength(0);
    // A cancelled e-mail is the case's to send should its timer still fire (armed again, or the act came late).
    expect(await acts.sendCaseMail(mailInput(b))).toMatchObject({ status: 'sent' });
    expect(await mailbox(b)).toHaveLength(1);
  });

  test('an e-mail armed late for an instant being sent goes out after that round, and nothing twice', async () => {
    // A slow mail server: the round of the instant is still sending (nothing marked yet) when the late one is armed.
    const slow: MailTransport = {
      send: async (mail) => {
        await new Promise((r) => setTimeout(r, 1_500));
        return smtp.send(mail);
      },
    };
    const reports: DispatchReport[] = [];
    const d = await dispatcher(slow, reports);
    const armedActs = createCaseActivities({ models, mail: slow, publicUrl: 'https://x.vn', dispatcher: d });
    const [first, late] = [uniqueId('armed-round'), uniqueId('armed-round')];
    const sendAt = Date.now() + 300;
    await armedActs.armCaseMails({ sendAt, arm: [mailInput(first)], disarm: [] });
    await new Promise((r) => setTimeout(r, 800));
    await armedActs.armCaseMails({ sendAt, arm: [mailInput(late)], disarm: [] });
    await eventually('both e-mails', async () => reports.length === 2, 20_000);
    expect(reports.map((r) => r.sent)).toEqual([1, 1]);
    expect(await mailbox(first)).toHaveLength(1);
    expect(await mailbox(late)).toHaveLength(1);
  });

  test('a round composes its e-mails ahead and sends them as composed, dated their instant; one changed or armed since is composed as it goes', async () => {
    const { calls, counting, reports, d } = await composingDispatcher();
    const armedActs = createCaseActivities({ models, mail: counting, publicUrl: 'https://x.vn', dispatcher: d });
    const [same, gone, changed, late] = [
      uniqueId('ahead-same'),
      uniqueId('ahead-gone'),
      uniqueId('ahead-changed'),
      uniqueId('ahead-late'),
    ];
    // Whole seconds, as a Date header has them.
    const sendAt = Math.ceil((Date.now() + 5_000) / 1000) * 1000;
    await armedActs.armCaseMails({ sendAt, arm: [same, gone, changed].map((id) => mailInput(id)), disarm: [] });
    await eventually('the round composed ahead', async () => calls.composed === 3, 4_000);
    expect(Date.now()).toBeLessThan(sendAt);
    // After the composing: one step moved (disarmed), one rung armed again with other content, one armed late.
    await armedActs.armCaseMails({ sendAt, arm: [], disarm: [mailInput(gone).key, mailInput(changed).key] });
    await armedActs.armCaseMails({
      sendAt,
      arm: [mailInput(changed, { overdueWorkingDays: 7 }), mailInput(late)],
      disarm: [],
    });
    await eventually('the round', async () => reports.length === 1, 15_000);
    expect(reports).toEqual([{ sendAt, sent: 3, released: 0 }]);
    expect(calls).toEqual({ composed: 3, sentRaw: 1, sent: 2 });
    const [sameMail] = await mailbox(same);
    expect(sameMail!.messageId).toBe(messageIdFor(mailInput(same).key));
    expect(sameMail!.subject).toContain('Quá hạn 5 ngày làm việc');
    expect(new Date(sameMail!.headers.date!).getTime()).toBe(sendAt);
    expect(await mailbox(gone)).toHaveLength(0);
    const changedMails = await mailbox(changed);
    expect(changedMails.map((m) => m.subject)).toEqual([expect.stringContaining('Quá hạn 7 ngày làm việc')]);
    expect(await mailbox(late)).toHaveLength(1);
    expect([await statusOf(same), await statusOf(gone), await statusOf(changed), await statusOf(late)]).toEqual([
      'sent',
      'cancelled',
      'sent',
      'sent',
    ]);
  });

  test('at the instant a round sends what it composed without reading it again; a change is noted first, and a noted message is read again', async () => {
    const { calls, reports, d } = await composingDispatcher();
    const [quiet, noted, gone] = [uniqueId('notes-quiet'), uniqueId('notes-noted'), uniqueId('notes-gone')];
    const ids = [quiet, noted, gone].map((c) => outboxId(mailInput(c).key));
    const notedNow = async (): Promise<string[]> =>
      [...(await changedMessages(models))].filter((id) => ids.includes(id));
    const sendAt = Math.ceil((Date.now() + 5_000) / 1000) * 1000;
    const arm = (caseId: string): Promise<boolean> =>
      armMessage(models, mailInput(caseId).key, rendered(caseId), sendAt, d.tokenFor(sendAt));
    const rendered = (caseId: string) => ({
      to: ['thuongtruc@tinhuy.vn'],
      subject: `Quá hạn: ${caseId}`,
      text: `Hồ sơ ${caseId} quá hạn`,
      html: `<p>Hồ sơ ${caseId} quá hạn</p>`,
    });
    for (const caseId of [quiet, noted, gone]) expect(await arm(caseId)).toBe(true);
    d.schedule(sendAt);
    // Armed new, and armed again as it stands (a case does at each revision): nothing to note.
    expect(await arm(quiet)).toBe(true);
    expect(await notedNow()).toEqual([]);
    await eventually('the round composed ahead', async () => calls.composed === 3, 4_000);
    expect(Date.now()).toBeLessThan(sendAt);
    // quiet's stored copy altered behind the outbox's functions, with no note: the round does not read it again.
    await models.Outbox.updateOne({ _id: ids[0] }, { $set: { subject: 'sửa ngoài quy trình' } });
    // noted: a change noted whose write never landed (its worker died in between): read again, unchanged.
    await noteChanges(models, [ids[1]!]);
    // gone: disarmed, noted first.
    await disarmMessages(models, [mailInput(gone).key]);
    expect((await notedNow()).sort()).toEqual([ids[1], ids[2]].sort());
    await eventually('the round', async () => reports.length === 1, 15_000);
    expect(reports).toEqual([{ sendAt, sent: 2, released: 0 }]);
    // Both as composed: noted's outbox copy was read again and found the same.
    expect(calls).toEqual({ composed: 3, sentRaw: 2, sent: 0 });
    expect((await mailbox(quiet)).map((m) => m.subject)).toEqual([`Quá hạn: ${quiet}`]);
    expect(await mailbox(noted)).toHaveLength(1);
    expect(await mailbox(gone)).toHaveLength(0);
    expect([await statusOf(quiet), await statusOf(noted), await statusOf(gone)]).toEqual(['sent', 'sent', 'cancelled']);
  });

  test('change notes are dropped once older than CHANGE_NOTE_MS; a dispatcher that takes over notes what it takes', async () => {
    const [old, fresh] = [uniqueId('note-old'), uniqueId('note-fresh')].map((c) => outboxId(mailInput(c).key)) as [
      string,
      string,
    ];
    await noteChanges(models, [old], () => new Date(Date.now() - CHANGE_NOTE_MS - 1_000));
    await noteChanges(models, [fresh]);
    const d = await dispatcher();
    expect(await d.dropOldNotes()).toBeGreaterThanOrEqual(1);
    const left = await changedMessages(models);
    expect([left.has(old), left.has(fresh)]).toEqual([false, true]);
  });

  test('a mail server down at the instant: the e-mail goes back to the case, which sends it once', async () => {
    await withMailServerDown(async ({ reports, armedActs }) => {
      const caseId = uniqueId('armed-down');
      await armedActs.armCaseMails({ sendAt: Date.now() + 500, arm: [mailInput(caseId)], disarm: [] });
      await eventually('the attempt', async () => reports.length === 1);
      expect(reports[0]).toMatchObject({ sent: 0, released: 1, firstError: expect.any(String) });
      expect(await models.Outbox.findById(outboxId(mailInput(caseId).key)).lean()).toMatchObject({
        status: 'pending',
        lastError: expect.any(String),
      });
      expect(await acts.sendCaseMail(mailInput(caseId))).toMatchObject({ status: 'sent' });
      expect(await mailbox(caseId)).toHaveLength(1);
    });
  });

  test('a message armed again for another instant while a round sends it goes out once', async () => {
    // The act's write came late: the round of the first instant had taken the message when it was armed again.
    const caseId = uniqueId('rearmed-in-flight');
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let held = 0;
    const holding: MailTransport = {
      send: async (mail) => {
        if (mail.subject.includes(caseId) && held++ === 0) await gate;
        return smtp.send(mail);
      },
    };
    const reports: DispatchReport[] = [];
    const d = await dispatcher(holding, reports);
    const armedActs = createCaseActivities({ models, mail: holding, publicUrl: 'https://x.vn', dispatcher: d });
    const first = Date.now() + 500;
    try {
      await armedActs.armCaseMails({ sendAt: first, arm: [mailInput(caseId)], disarm: [] });
      await eventually('the first round sending it', async () => held === 1);
      const second = Date.now();
      await armedActs.armCaseMails({
        sendAt: second,
        arm: [mailInput(caseId, { actorNames: ['Lê Thị Hoa'] })],
        disarm: [],
      });
      await eventually('the second round', async () => reports.some((r) => r.sendAt === second));
      expect(reports).toEqual([{ sendAt: second, sent: 0, released: 0 }]);
    } finally {
      open();
    }
    await eventually('the first round', async () => reports.length === 2);
    expect(reports[1]).toEqual({ sendAt: first, sent: 1, released: 0 });
    expect(await statusOf(caseId)).toBe('sent');
    expect(await mailbox(caseId)).toHaveLength(1);
  });

  test('a disarm that lands after the instant: what the round handed back unsent is cancelled, what it sent stays sent', async () => {
    // The act came just before the instant; its write landed after the dispatcher's round had taken the messages.
    await withMailServerDown(async ({ reports, armedActs }) => {
      const [handedBack, sentBefore] = [uniqueId('late-disarm-back'), uniqueId('late-disarm-sent')];
      await armedActs.armCaseMails({ sendAt: Date.now() + 500, arm: [mailInput(handedBack)], disarm: [] });
      await eventually('the attempt', async () => reports.length === 1);
      expect(await statusOf(handedBack)).toBe('pending');
      // One the case's own attempt sent already (after an earlier failed claim or not) is not cancelled.
      expect(await acts.sendCaseMail(mailInput(sentBefore))).toMatchObject({ status: 'sent' });

      await armedActs.armCaseMails({
        sendAt: Date.now() + 60_000,
        arm: [],
        disarm: [mailInput(handedBack).key, mailInput(sentBefore).key],
      });
      expect([await statusOf(handedBack), await statusOf(sentBefore)]).toEqual(['cancelled', 'sent']);
      // A pending message some attempt has tried (its mail server failed) belongs to that attempt's retries.
      const tried = uniqueId('late-disarm-tried');
      await expect(armedActs.sendCaseMail(mailInput(tried))).rejects.toThrow();
      await disarmMessages(models, [mailInput(tried).key]);
      expect(await statusOf(tried)).toBe('pending');
    });
  });

  test('a disarm leaves alone a message the SMTP server accepted and its round has not marked sent yet', async () => {
    const caseId = uniqueId('disarm-journalled');
    const rendered = { to: ['tt@tinhuy.vn'], subject: 'Quá hạn', text: 'quá hạn', html: '<p>quá hạn</p>' };
    await armMessage(models, mailInput(caseId).key, rendered, Date.now() - 1_000, undefined);
    const id = outboxId(mailInput(caseId).key);
    await journalSent(models, [id], new Date());
    await disarmMessages(models, [mailInput(caseId).key]);
    expect(await statusOf(caseId)).toBe('armed');
    await settleJournal(models, await journalled(models, [id]));
    expect(await statusOf(caseId)).toBe('sent');
  });

  test('e-mails the SMTP server accepted from a dispatcher that died before marking them are never sent again', async () => {
    // Its round sent them and wrote their journal entries (sent-journal.ts), then its worker died: no "sent" mark.
    const gone = await dispatcher();
    const goneActs = createCaseActivities({ models, mail: smtp, publicUrl: 'https://x.vn', dispatcher: gone });
    const [adopted, lapsed] = [uniqueId('journal-adopted'), uniqueId('journal-lapsed')];
    const sendAt = Date.now() + 3_000;
    await goneActs.armCaseMails({ sendAt, arm: [mailInput(adopted)], disarm: [] });
    await gone.stop();
    // The other one's hold ran out long ago: the case's own attempt may take it.
    const past = Date.now() - ARMED_HOLD_MS - 20_000;
    const rendered = { to: ['tt@tinhuy.vn'], subject: 'Quá hạn', text: 'quá hạn', html: '<p>quá hạn</p>' };
    await armMessage(models, mailInput(lapsed).key, rendered, past, 'dispatch:gone@1');
    const ids = [adopted, lapsed].map((c) => outboxId(mailInput(c).key)) as [string, string];
    await journalSent(models, [ids[0]], new Date());
    const registry = db.db!.collection<{ _id: string; aliveAt: Date }>('mail_dispatchers');
    await registry.updateMany({}, { $set: { aliveAt: new Date(Date.now() - DEAD_AFTER_MS - 1_000) } });

    // Another dispatcher finds the first stopped: what it journalled is marked sent at once, before its instant,
    // and not taken over (nothing is left to send at the instant).
    const reports: DispatchReport[] = [];
    await dispatcher(smtp, reports);
    expect(await statusOf(adopted)).toBe('sent');
    expect(Date.now()).toBeLessThan(sendAt);
    // The case's own attempt at the second, journalled after that, finds its entry: marked sent, not sent.
    await journalSent(models, [ids[1]], new Date());
    expect(await acts.sendCaseMail(mailInput(lapsed))).toMatchObject({ status: 'already-sent' });
    expect(await statusOf(lapsed)).toBe('sent');
    expect(await journalled(models, ids)).toEqual(new Map());
    await new Promise((r) => setTimeout(r, Math.max(500, sendAt + 500 - Date.now())));
    expect(reports).toEqual([]);
    expect([...(await mailbox(adopted)), ...(await mailbox(lapsed))]).toHaveLength(0);
  });

  test('a round of several read batches sends each e-mail once; those the journal holds already are marked sent, not sent again', async () => {
    // 250 e-mails: three batches of the round's reads, each with its journal looked up; composed
    // 4 s ahead, and 20 of them changed after that (read again at the instant, in a batch of their own).
    const { counting, reports, d } = await composingDispatcher();
    const armedActs = createCaseActivities({ models, mail: counting, publicUrl: 'https://x.vn', dispatcher: d });
    const prefix = uniqueId('batches');
    const caseIds = Array.from({ length: 250 }, (_, i) => `${prefix}-n${String(i).padStart(3, '0')}`);
    const sendAt = Date.now() + 10_000;
    await armedActs.armCaseMails({ sendAt, arm: caseIds.map((c) => mailInput(c)), disarm: [] });
    // Three of them sent by an earlier round that did not live to mark them, one in each batch.
    const journalledCases = [caseIds[5], caseIds[150], caseIds[240]] as string[];
    await journalSent(
      models,
      journalledCases.map((c) => outboxId(mailInput(c).key)),
      new Date()
    );
    await new Promise((r) => setTimeout(r, Math.max(0, sendAt - 2_000 - Date.now())));
    const changed = caseIds.slice(200, 220);
    await armedActs.armCaseMails({
      sendAt,
      arm: changed.map((c) => mailInput(c, { overdueWorkingDays: 6 })),
      disarm: [],
    });
    expect(Date.now()).toBeLessThan(sendAt);

    await eventually('the round report', async () => reports.length === 1, 30_000);
    expect(reports).toEqual([{ sendAt, sent: 247, released: 0 }]);
    const got = new Map<string, number>();
    let changedSent = 0;
    for (const m of await mailbox(prefix)) {
      const c = new RegExp(`${prefix}-n\\d{3}`).exec(`${m.subject}\n${m.text}`)?.[0] as string;
      got.set(c, (got.get(c) ?? 0) + 1);
      if (changed.includes(c) && m.subject.includes('Quá hạn 6 ngày làm việc')) changedSent += 1;
    }
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    expect(changedSent).toBe(20);
    expect([...got.keys()].sort()).toEqual(caseIds.filter((c) => !journalledCases.includes(c)));
    await eventually('all marked sent', async () => {
      const statuses = await models.Outbox.find({ caseId: { $in: caseIds } })
        .select({ status: 1 })
        .lean();
      return statuses.length === 250 && statuses.every((s) => s.status === 'sent');
    });
    expect(
      await journalled(
        models,
        journalledCases.map((c) => outboxId(mailInput(c).key))
      )
    ).toEqual(new Map());
  });

  test("a sweep settles the journal entries a round left, once that round's window is over", async () => {
    const d = await dispatcher();
    const [old, fresh] = [uniqueId('journal-old'), uniqueId('journal-fresh')];
    const rendered = { to: ['tt@tinhuy.vn'], subject: 'Quá hạn', text: 'quá hạn', html: '<p>quá hạn</p>' };
    for (const caseId of [old, fresh])
      await armMessage(models, mailInput(caseId).key, rendered, Date.now() - 1_000, undefined);
    const [oldId, freshId] = [old, fresh].map((c) => outboxId(mailInput(c).key)) as [string, string];
    await journalSent(models, [oldId], new Date(Date.now() - SWEEP_AFTER_MS - 1_000));
    await journalSent(models, [freshId], new Date());
    expect(await d.sweepJournal()).toBe(1);
    expect([await statusOf(old), await statusOf(fresh)]).toEqual(['sent', 'armed']);
    expect([...(await journalled(models, [oldId, freshId])).keys()]).toEqual([freshId]);
    await sentJournal(models).deleteOne({ _id: freshId });
    await models.Outbox.deleteMany({ _id: { $in: [oldId, freshId] } });
  });

  test('a dispatcher that stopped answering: another takes what it armed and sends it at its instant', async () => {
    const gone = await dispatcher();
    const goneActs = createCaseActivities({ models, mail: smtp, publicUrl: 'https://x.vn', dispatcher: gone });
    const caseId = uniqueId('armed-adopted');
    const sendAt = Date.now() + 4_000;
    await goneActs.armCaseMails({ sendAt, arm: [mailInput(caseId)], disarm: [] });
    // Its worker dies: no more heartbeats, nothing sent.
    await gone.stop();
    const registry = db.db!.collection<{ _id: string; aliveAt: Date }>('mail_dispatchers');
    await registry.updateMany({}, { $set: { aliveAt: new Date(Date.now() - DEAD_AFTER_MS - 1_000) } });

    const reports: DispatchReport[] = [];
    await dispatcher(smtp, reports); // start() adopts at once
    // Noted as changed: what the stopped one composed of it must not go as composed.
    expect((await changedMessages(models)).has(outboxId(mailInput(caseId).key))).toBe(true);
    const mail = await eventually('the adopted e-mail', async () => (await mailbox(caseId))[0]);
    expect(new Date(mail.receivedAt).getTime()).toBeGreaterThanOrEqual(sendAt);
    // The catcher shows a message as it arrives, before the round that sent it reports.
    await eventually('the round report', async () => reports.length === 1);
    expect(reports).toEqual([{ sendAt, sent: 1, released: 0 }]);
    await eventually('marked sent', async () => (await statusOf(caseId)) === 'sent');
    expect(await mailbox(caseId)).toHaveLength(1);
  });
});
