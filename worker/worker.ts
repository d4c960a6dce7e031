/**
 * The composition root: connects Temporal, MongoDB and SMTP, builds the activities and runs the worker.
 * The only place that wires real connections; it closes all of them when the worker stops.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import mongoose from 'mongoose';
import { createActivities } from '../activities';
import { AcceptedLog, newProcessTag, settleAcceptedLogs } from '../activities/mail/accepted-log';
import { dispatchLogLine } from '../activities/mail/dispatcher';
import { DispatcherThread } from '../activities/mail/dispatcher-thread';
import { createSmtpTransport } from '../activities/mail/transport';
import { createModels, ensureIndexes } from '../activities/store/models';
import type { Config } from './config';

/**
 * The tag of this process's records of accepted e-mails (activities/mail/accepted-log.ts): one for the process,
 * so that a second worker started in it (tests do) never takes the first one's files for a dead process's.
 */
const PROCESS_TAG = newProcessTag();

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped and every connection is closed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export interface WorkerRunOptions {
  /** A prebuilt workflow bundle (tests build it once); otherwise workflows/ is bundled at start. */
  workflowBundlePath?: string;
}

export async function startWorker(config: Config, opts: WorkerRunOptions = {}): Promise<RunningWorker> {
  const db = await mongoose.createConnection(config.mongodbUrl, { serverSelectionTimeoutMS: 10000 }).asPromise();
  const mail = createSmtpTransport(config.smtp);
  let connection: NativeConnection | undefined;
  let dispatcher: DispatcherThread | undefined;
  let accepted: AcceptedLog | undefined;
  try {
    connection = await NativeConnection.connect({ address: config.temporal.address });
    const models = createModels(db);
    await ensureIndexes(models);
    // Before any work: the e-mails an earlier worker on this machine saw accepted and did not live to mark sent
    // (activities/mail/accepted-log.ts).
    const marked = await settleAcceptedLogs(models, config.mailAcceptedDir, PROCESS_TAG);
    if (marked > 0) {
      console.warn(`cadreflow worker: marked sent ${marked} e-mails an earlier worker recorded as accepted`);
    }
    accepted = new AcceptedLog(models, config.mailAcceptedDir, 'cases', PROCESS_TAG);
    // The armed e-mails go out from a thread of their own (activities/mail/dispatcher-thread.ts).
    dispatcher = new DispatcherThread({
      mongodbUrl: config.mongodbUrl,
      smtp: config.smtp,
      accepted: { dir: config.mailAcceptedDir, processTag: PROCESS_TAG },
      onRestart: (e) => console.error(`cadreflow worker: the mail dispatcher is starting again (${e.message})`),
      onDispatched: (r) => {
        const log = dispatchLogLine(r, Date.now());
        if (log) console[log.level](`cadreflow worker: ${log.line}`);
      },
    });
    await dispatcher.start();
    const activities = createActivities({ models, mail, publicUrl: config.publicUrl, dispatcher, accepted });
    const workflowSource: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> = opts.workflowBundlePath
      ? { workflowBundle: { codePath: opts.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') };
    // The SDK's workflow threads copy this process's environment when the Worker creates them, and the patched SDK
    // reads the setting there (tools/sdk-patches.json): the configuration's value, its default included, goes in.
    process.env.TEMPORAL_WORKFLOW_STACK_TRACES = String(config.temporal.workflowStackTraces);
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      // The SDK's default (about 2,300 on a 4 GB heap) let the worker pass 1.5 GB while 10,000 cases woke at once.
      maxCachedWorkflows: config.temporal.cachedWorkflows,
      // A new case's first task comes from the task queue's normal partition, its later ones (while the case stays
      // in this worker's cache) from the worker's sticky queue. The SDK polls the normal one with a fifth of its
      // pollers (2 of 10): under load a start waited there while acts went ahead. Half and half: start p50 2.3–2.7 s against 3.0–4.2, p99 under 8 s against
      // 9.3–10.3, N = 1,000 (docs/benchmarks.md, 2026-12-07).
      nonStickyToStickyPollRatio: 0.5,
      activities,
      ...workflowSource,
    });
    const conn = connection;
    const sender = dispatcher;
    const record = accepted;
    const done = worker.run().finally(async () => {
      await sender.stop();
      await record.close();
      await conn.close();
      mail.close();
      await db.close();
    });
    return {
      worker,
      done,
      shutdown: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done;
      },
    };
  } catch (e) {
    await dispatcher?.stop();
    await accepted?.close();
    await connection?.close();
    mail.close();
    await db.close();
    throw e;
  }
}
