/**
 * Entry point of the baseline's worker process: the bare workflows of baseline-workflows.ts and the bare
 * escalation's e-mail activity on their own task queue (BENCH_TASK_QUEUE) at TEMPORAL_ADDRESS. Run as its
 * own process, like the cadreflow worker, so both are measured the same way.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { join } from 'node:path';
import { closeBareMail, sendBareMail } from './bare-activities';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'cadreflow-bench-baseline';
  Runtime.install({ shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: join(__dirname, 'baseline-workflows.ts'),
    activities: { sendBareMail },
    bundlerOptions: { ignoreModules: [] },
  });
  const stop = (): void => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`bench worker running on task queue ${taskQueue} at ${address}`);
  try {
    await worker.run();
  } finally {
    closeBareMail();
    await connection.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
