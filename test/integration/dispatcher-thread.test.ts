/**
 * The mail dispatcher in its own thread (activities/mail/dispatcher-thread.ts), as the worker runs it: against
 * the suite's MongoDB-protocol server and SMTP catcher. What the activities arm under its tokens goes out at the
 * instant; a thread that dies is started again and sends what was scheduled, nothing twice; stop ends the thread.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type mongoose from 'mongoose';
import { newProcessTag } from '../../activities/mail/accepted-log';
import { DispatcherThread } from '../../activities/mail/dispatcher-thread';
import { armMessage, outboxId, type OutboxKey } from '../../activities/mail/outbox';
import { createModels, ensureIndexes, type Models } from '../../activities/store/models';
import { eventually, mailbox, mongo, testConfig, uniqueId, withOwnDatabase } from '../support/env';

const config = withOwnDatabase(testConfig('dispatcher-thread'), 'dispatcher_thread');
let db: mongoose.Connection;
let models: Models;

beforeAll(async () => {
  db = await mongo(config);
  models = createModels(db);
  await ensureIndexes(models);
});

afterAll(async () => {
  await db.dropDatabase();
  await db.close();
});

const keyOf = (caseId: string): OutboxKey => ({ caseId, stepId: 'C2', level: 'escalation', round: 1 });
const mailOf = (caseId: string) => ({
  to: ['thuongtruc@tinhuy.example.vn'],
  subject: `Quá hạn xử lý: ${caseId}`,
  text: `Hồ sơ ${caseId} đã quá hạn.`,
  html: `<p>Hồ sơ ${caseId} đã quá hạn.</p>`,
});
const statusOf = async (caseId: string): Promise<string | undefined> =>
  (await models.Outbox.findById(outboxId(keyOf(caseId))).lean())?.status;

test('what is armed under its tokens goes out at the instant, once, and is marked sent', async () => {
  const d = new DispatcherThread({ mongodbUrl: config.mongodbUrl, smtp: config.smtp });
  await d.start();
  try {
    const caseId = uniqueId('thread');
    const sendAt = Date.now() + 1_500;
    expect(await armMessage(models, keyOf(caseId), mailOf(caseId), sendAt, d.tokenFor(sendAt))).toBe(true);
    d.schedule(sendAt);
    const [mail] = await eventually('the e-mail', async () => {
      const found = await mailbox(caseId);
      return found.length > 0 && found;
    });
    expect(new Date(mail!.receivedAt).getTime()).toBeGreaterThanOrEqual(sendAt);
    await eventually('marked sent', async () => (await statusOf(caseId)) === 'sent');
    expect(await mailbox(caseId)).toHaveLength(1);
  } finally {
    await d.stop();
  }
});

test('a thread that dies is started again under the same tokens and sends what was scheduled, nothing twice', async () => {
  const restarts: Error[] = [];
  const d = new DispatcherThread({
    mongodbUrl: config.mongodbUrl,
    smtp: config.smtp,
    onRestart: (e) => restarts.push(e),
  });
  await d.start();
  try {
    const [before, after] = [uniqueId('thread-before'), uniqueId('thread-after')];
    const first = Date.now() + 1_000;
    await armMessage(models, keyOf(before), mailOf(before), first, d.tokenFor(first));
    d.schedule(first);
    await eventually('the first e-mail', async () => (await mailbox(before)).length === 1);
    await eventually('marked sent', async () => (await statusOf(before)) === 'sent');

    // The thread dies; an instant armed and scheduled meanwhile is sent by the thread started again.
    await (d as unknown as { thread: Worker }).thread.terminate();
    const second = Date.now() + 2_000;
    await armMessage(models, keyOf(after), mailOf(after), second, d.tokenFor(second));
    d.schedule(second);
    await eventually('the restart', async () => restarts.length === 1);
    await eventually('the second e-mail', async () => (await mailbox(after)).length === 1);
    await eventually('marked sent', async () => (await statusOf(after)) === 'sent');
    // The first instant, told again to the new thread, finds nothing left to send.
    await new Promise((r) => setTimeout(r, 500));
    expect((await mailbox(before)).length).toBe(1);
    expect((await mailbox(after)).length).toBe(1);
  } finally {
    await d.stop();
  }
});

test('what a thread that died recorded as accepted is marked sent by the next one, not sent again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cadreflow-thread-accepted-'));
  const processTag = newProcessTag();
  const restarts: Error[] = [];
  const d = new DispatcherThread({
    mongodbUrl: config.mongodbUrl,
    smtp: config.smtp,
    accepted: { dir, processTag },
    onRestart: (e) => restarts.push(e),
  });
  await d.start();
  try {
    // An e-mail armed under the thread's token, which the thread sent and recorded, and died before its mark landed:
    // the message is still armed under the token the next thread holds too.
    const caseId = uniqueId('thread-recorded');
    const sendAt = Date.now() + 2_000;
    expect(await armMessage(models, keyOf(caseId), mailOf(caseId), sendAt, d.tokenFor(sendAt))).toBe(true);
    const acceptedAt = new Date(sendAt);
    const file = join(dir, `${process.pid}-${processTag}-${d.acceptedWriter}-0000dead.log`);
    writeFileSync(file, `${outboxId(keyOf(caseId))}\t${acceptedAt.toISOString()}\n`);

    await (d as unknown as { thread: Worker }).thread.terminate();
    d.schedule(sendAt);
    await eventually('the restart', async () => restarts.length === 1);
    await eventually('marked sent', async () => (await statusOf(caseId)) === 'sent');
    expect(existsSync(file)).toBe(false);
    const stored = await models.Outbox.findById(outboxId(keyOf(caseId))).lean();
    expect(stored?.sentAt?.getTime()).toBe(acceptedAt.getTime());
    // Past the instant, the new thread has found nothing to send.
    await new Promise((r) => setTimeout(r, Math.max(0, sendAt - Date.now()) + 1_500));
    expect(await mailbox(caseId)).toHaveLength(0);
  } finally {
    await d.stop();
  }
});

test('a thread whose database does not answer fails to start, and says so', async () => {
  const d = new DispatcherThread({
    mongodbUrl: 'mongodb://127.0.0.1:1/none?serverSelectionTimeoutMS=500',
    smtp: config.smtp,
  });
  await expect(d.start()).rejects.toThrow(/the mail dispatcher did not start/);
  await d.stop();
});
