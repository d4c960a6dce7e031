/**
 * The API server (with the web UI) as its own process, started from sources through its real entry point
 * on a free port, against the configuration of a test: Node loads the ES-module dependencies of the
 * Fastify plugins that jest's module loader cannot.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../tools/stack/binaries';
import { freePort } from '../../../tools/stack/servers';
import type { Config } from '../../../worker/config';

export interface ApiProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startApiProcess(config: Config): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'client', 'api', 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      CADREFLOW_ENV: config.env,
      MONGODB_URL: config.mongodbUrl,
      TEMPORAL_ADDRESS: config.temporal.address,
      TEMPORAL_NAMESPACE: config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
      DEV_MAILBOX_URL: config.devMailboxUrl,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  // Not left running should the process that started it end without stopping it (an uncaught error).
  const orphaned = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', orphaned);
  void exited.then(() => process.off('exit', orphaned));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API process exited: ${out}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`API process not ready in 60 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
