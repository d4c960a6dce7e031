/** Entry point of the worker process: `node dist/worker/main.js`. Stops cleanly on SIGINT/SIGTERM. */
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config';
import { startWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  // The SDK's own handlers would also shut the worker down; ours do it once and wait for the connections.
  Runtime.install({ shutdownSignals: [] });
  const running = await startWorker(config, { workflowBundlePath: config.workflowBundle || undefined });
  const stop = (): void => void running.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`cadreflow worker running on task queue ${config.temporal.taskQueue} at ${config.temporal.address}`);
  await running.done;
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
