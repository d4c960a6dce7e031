/**
 * One approval step end to end on the real servers: a sign-off started through the client helpers,
 * signed through a Temporal Update, its decision stored in MongoDB, and the escalation e-mail read from
 * the SMTP server.
 */
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { CaseActionError, getSignOffState, signStep, startSignOff } from '../../client/temporal';
import { createModels, type Models } from '../../activities/store/models';
import type { SignOffInput } from '../../workflows/messages';
import type { RunningWorker } from '../../worker/worker';
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
  whenPolled,
} from '../support/env';
import { recordHistory } from '../support/history';

const config = testConfig(uniqueId('signoff'));
let client: Client;
let temporal: Awaited<ReturnType<typeof temporalClient>>;
let db: mongoose.Connection;
let models: Models;

beforeAll(async () => {
  temporal = await temporalClient(config);
  client = temporal.client;
  db = await mongo(config);
  models = createModels(db);
});

afterAll(async () => {
  await temporal.close();
  await db.close();
});

function signOff(caseId: string, dueInMs: number): SignOffInput {
  return {
    caseId,
    title: `Kết nạp đảng viên ${caseId}`,
    stepId: 'C11',
    stepTitle: 'Quyết định kết nạp đảng viên',
    signerIds: ['bi-thu-1', 'pho-bi-thu-1'],
    signerEmails: ['bithu@dangbo.local'],
    dueAt: Date.now() + dueInMs,
    escalationEmails: ['thuongtruc@tinhuy.local'],
  };
}

describe('sign-off with an in-process worker', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startInProcessWorker(config);
  });
  afterAll(async () => {
    await worker.shutdown();
  });

  test('signed in time: the decision is stored once and no e-mail is sent', async () => {
    const caseId = uniqueId('case');
    const handle = await startSignOff(client, signOff(caseId, 60_000), config.temporal.taskQueue);
    const requestId = uniqueId('req');
    const state = await signStep(client, caseId, { personId: 'pho-bi-thu-1', decision: 'approve' }, requestId);
    expect(state).toMatchObject({ status: 'approved', decidedBy: 'pho-bi-thu-1', escalated: false });

    // The same request again is answered the same way and changes nothing.
    const again = await signStep(client, caseId, { personId: 'pho-bi-thu-1', decision: 'approve' }, requestId);
    expect(again).toEqual(state);

    await handle.result();
    await recordHistory(handle, 'sign-off-approved');
    const decisions = await models.Decision.find({ caseId }).lean();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ personId: 'pho-bi-thu-1', decision: 'approve', stepId: 'C11' });
    expect(await mailbox(caseId)).toHaveLength(0);
  });

  test('a person who may not sign is refused with a Vietnamese message, and nothing is written', async () => {
    const caseId = uniqueId('case');
    const handle = await startSignOff(client, signOff(caseId, 60_000), config.temporal.taskQueue);
    const attempt = signStep(client, caseId, { personId: 'nguoi-la', decision: 'approve' });
    await expect(attempt).rejects.toBeInstanceOf(CaseActionError);
    await expect(attempt).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
      messageVi: expect.stringContaining('không có thẩm quyền'),
    });

    // Malformed input and a refusal without a reason are refused the same way.
    await expect(
      signStep(client, caseId, { personId: 'bi-thu-1', decision: 'maybe' as 'approve' })
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(signStep(client, caseId, { personId: 'bi-thu-1', decision: 'refuse' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      messageVi: 'Từ chối phải nêu lý do.',
    });

    expect(await getSignOffState(client, caseId)).toMatchObject({ status: 'open' });
    expect(await models.Decision.countDocuments({ caseId })).toBe(0);
    // Rejected updates leave no event in the history.
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);

    // A refusal with a reason closes the step; a later signature is refused as the step is no longer open.
    await signStep(client, caseId, { personId: 'bi-thu-1', decision: 'refuse', reason: 'Hồ sơ chưa đủ điều kiện' });
    await expect(signStep(client, caseId, { personId: 'pho-bi-thu-1', decision: 'approve' })).rejects.toMatchObject({
      code: 'CASE_CLOSED',
    });
    await handle.result();
    await recordHistory(handle, 'sign-off-refused');
    expect(await models.Decision.countDocuments({ caseId })).toBe(1);
  });

  test('overdue: exactly one escalation e-mail reaches Thường trực Tỉnh ủy', async () => {
    const caseId = uniqueId('case');
    const handle = await startSignOff(client, signOff(caseId, 1_500), config.temporal.taskQueue);
    const mails = await eventually('the escalation e-mail', async () => {
      const m = await mailbox(caseId);
      return m.length > 0 && m;
    });
    expect(mails[0]).toMatchObject({ to: ['thuongtruc@tinhuy.local'], subject: expect.stringContaining('Quá hạn') });
    expect(mails[0]!.text).toContain('Kính gửi Thường trực Tỉnh ủy');
    expect(mails[0]!.html).toContain('<strong>Quyết định kết nạp đảng viên</strong>');
    await eventually('the escalation recorded', async () => (await getSignOffState(client, caseId)).escalated);
    await sleep(2_000);
    expect(await mailbox(caseId)).toHaveLength(1);
    expect(await models.Outbox.find({ caseId }).lean()).toEqual([
      expect.objectContaining({ status: 'sent', level: 'escalation', round: 1, attempts: 1 }),
    ]);

    // Signing after the escalation still closes the case, without another e-mail.
    await signStep(client, caseId, { personId: 'bi-thu-1', decision: 'approve' });
    await handle.result();
    await recordHistory(handle, 'sign-off-escalated');
    expect(await mailbox(caseId)).toHaveLength(1);
  });
});

// Its own timeout, beyond the suite's 120 s: two restarts, and up to a start-to-close timeout before the retry
// records the e-mail.
test('the worker killed while the step waits: after a restart, still exactly one e-mail', async () => {
  const q = testConfig(uniqueId('signoff-crash'));
  let worker = await spawnWorkerProcess(q);
  const caseId = uniqueId('case');
  try {
    await startSignOff(client, signOff(caseId, 4_000), q.temporal.taskQueue);
    // Let the worker pick the workflow up and start its timer, then kill it like a crash.
    await eventually('the workflow running', async () => (await getSignOffState(client, caseId)).status === 'open');
    await worker.kill();
    await sleep(5_000); // the due instant passes while no worker runs
    expect(await mailbox(caseId)).toHaveLength(0);
    worker = await spawnWorkerProcess(q);
    await eventually('the escalation e-mail', async () => (await mailbox(caseId)).length > 0);
    // A second crash and restart after the e-mail must not send it again.
    await worker.kill();
    worker = await spawnWorkerProcess(q);
    // The kill can fall between the SMTP server's acceptance and the activity's completion: the case then
    // records the escalation only when the attempt's 30 s start-to-close timeout has lapsed and the retry has
    // found the e-mail sent in the outbox — without sending it again.
    // A query sent right after a restart can reach the server before the new worker's first poll does.
    const state = await eventually(
      'the escalation recorded after the restart',
      async () => {
        const s = await whenPolled('the state after the restart', () => getSignOffState(client, caseId));
        return s.escalated && s;
      },
      60_000
    );
    expect(state).toMatchObject({ status: 'open', escalated: true });
    await sleep(2_000);
    expect(await mailbox(caseId)).toHaveLength(1);
  } finally {
    await worker.stop();
  }
}, 180_000);
