/**
 * The body of the mail dispatcher's thread (dispatcher-thread.ts): connects to MongoDB and the SMTP server, runs
 * a MailDispatcher under the instance it was given, and does what the worker's thread tells it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import mongoose from 'mongoose';
import { createModels } from '../store/models';
import { AcceptedLog, settleWriterFiles } from './accepted-log';
import { MailDispatcher } from './dispatcher';
import type { DispatcherThreadData, FromThread, ToThread } from './dispatcher-thread';
import { createSmtpTransport } from './transport';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('dispatcher-thread-main runs as a worker thread');
  const data = workerData as DispatcherThreadData;
  const tell = (m: FromThread): void => port.postMessage(m);
  const db = await mongoose.createConnection(data.mongodbUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const mail = createSmtpTransport(data.smtp);
  const models = createModels(db);
  const accepted = data.accepted
    ? new AcceptedLog(models, data.accepted.dir, data.accepted.writer, data.accepted.processTag)
    : undefined;
  const dispatcher = new MailDispatcher(models, mail, {
    concurrency: data.smtp.poolSize,
    instance: data.instance,
    onDispatched: (report) => tell({ type: 'dispatched', report }),
    ...(accepted ? { accepted } : {}),
  });
  try {
    // A thread of this instance died: what it recorded as accepted is marked sent before its claims, which are
    // this thread's too, are taken up again. Failing that (the database away), the thread does not start.
    if (data.accepted?.settleFirst) {
      const { dir, processTag, writer } = data.accepted;
      const marked = await settleWriterFiles(models, dir, processTag, writer);
      if (marked > 0)
        console.warn(
          `cadreflow worker: marked sent ${marked} e-mails the dispatcher's previous thread recorded as accepted`
        );
    }
    await dispatcher.start();
  } catch (e) {
    mail.close();
    await db.close();
    throw e;
  }
  port.on('message', (m: ToThread) => {
    if (m.type === 'schedule') return dispatcher.schedule(m.sendAt);
    void dispatcher
      .stop()
      .finally(async () => {
        mail.close();
        await accepted?.close();
        await db.close();
      })
      .finally(() => port.close());
  });
  tell({ type: 'started' });
}

main().catch((e: unknown) => {
  parentPort?.postMessage({
    type: 'start-failed',
    error: e instanceof Error ? e.message : String(e),
  } satisfies FromThread);
  process.exit(1);
});
