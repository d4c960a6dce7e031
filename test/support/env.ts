/**
 * What an integration test needs from the run's real servers: the configuration pointing at them, a
 * Temporal client, a MongoDB connection, the SMTP catcher's mailbox, and a worker (in-process, or as a
 * child process that can be killed like a crash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { connectClient } from '../../client/temporal';
import { loadConfig, type Config } from '../../worker/config';
import { startWorker, type RunningWorker } from '../../worker/worker';
import { REPO_ROOT } from '../../tools/stack/binaries';
import type { CaughtMail } from '../../tools/stack/mail-catcher';

/** The configuration of this test, on its own task queue so that tests running side by side never mix. */
export function testConfig(taskQueue: string): Config {
  const c = loadConfig(process.env);
  return { ...c, temporal: { ...c.temporal, taskQueue } };
}

/**
 * The same configuration on a MongoDB database of its own (drop it when done) instead of the run's shared
 * one: for a test that reads across every case or adds to the organisation tree, which other files edit
 * and validate as a whole meanwhile.
 */
export function withOwnDatabase(config: Config, name: string): Config {
  return { ...config, mongodbUrl: config.mongodbUrl.replace(/\/[^/]*$/, `/${uniqueId(name).replace(/-/g, '_')}`) };
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function temporalClient(config: Config): Promise<{ client: Client; close(): Promise<void> }> {
  return connectClient(config.temporal.address, config.temporal.namespace);
}

export async function mongo(config: Config): Promise<mongoose.Connection> {
  return mongoose.createConnection(config.mongodbUrl).asPromise();
}

export async function startInProcessWorker(config: Config): Promise<RunningWorker> {
  return startWorker(config, { workflowBundlePath: config.workflowBundle || undefined });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL, as a crash: no graceful shutdown. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The worker as its own process (the real entry point, run from sources), so that a test can kill it; `env` adds to
 * the environment it is given.
 */
export async function spawnWorkerProcess(config: Config, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'worker', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const deadline = Date.now() + 60000;
  while (!out.includes('cadreflow worker running')) {
    if (child.exitCode !== null) throw new Error(`worker process exited: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker process not ready in 60 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** Messages the SMTP catcher has received, optionally only those whose subject or body mention `needle`. */
export async function mailbox(needle?: string): Promise<CaughtMail[]> {
  const res = await fetch(`${process.env.MAIL_CATCHER_URL}/messages`);
  const all = (await res.json()) as CaughtMail[];
  return needle ? all.filter((m) => m.subject.includes(needle) || m.text.includes(needle)) : all;
}

export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The gRPC status the server answers a query with while no worker polls the workflow's task queue. */
const FAILED_PRECONDITION = 9;

/**
 * A query asked right after a worker starts can reach the server before the worker's first poll does
 * (FAILED_PRECONDITION, "no poller seen"): asked again until the worker answers. Any other failure is the answer.
 */
export function whenPolled<T>(what: string, query: () => Promise<T>): Promise<T> {
  return eventually(what, () =>
    query().catch((e: unknown) => {
      if ((e as { cause?: { code?: number } }).cause?.code === FAILED_PRECONDITION) return undefined;
      throw e;
    })
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
