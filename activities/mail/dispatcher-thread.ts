/**
 * The worker's mail dispatcher (dispatcher.ts) in a thread of its own, with its own MongoDB connection and SMTP
 * pool. At an instant when thousands of e-mails fall due, the round competes with nothing of the worker's own: the
 * worker's heap (every cached case; its garbage collections grow with it) and the async context the Temporal SDK
 * runs activities in (on Node 20 it hooks every promise of the process) are not the thread's. The activities
 * talk to it through the same two calls (ArmedMailSchedule): the claim tokens name this object's instance, which
 * the thread's dispatcher carries, so tokenFor answers at once, and schedule() is a message to the thread.
 *
 * Should the thread die, it is started again under the same instance — the messages it holds stay its own — and
 * told again every instant not yet past its window. The new thread first marks sent what the dead one recorded
 * as accepted (accepted-log.ts, settleWriterFiles): holding the same claims, it would otherwise send those again.
 */
import { randomUUID } from 'node:crypto';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../../worker/config';
import { dispatchToken, type ArmedMailSchedule, type DispatchReport } from './dispatcher';
import { DISPATCH_WINDOW_MS } from './outbox';

export interface DispatcherThreadOptions {
  mongodbUrl: string;
  smtp: Config['smtp'];
  /** Where the thread records what the SMTP server accepted (accepted-log.ts), under the worker's process tag. */
  accepted?: { dir: string; processTag: string };
  /** Called with each round's report. */
  onDispatched?: (report: DispatchReport) => void;
  /** Called when the thread died and is being started again. */
  onRestart?: (error: Error) => void;
}

/** What the thread starts with (dispatcher-thread-main.ts). */
export interface DispatcherThreadData {
  mongodbUrl: string;
  smtp: Config['smtp'];
  instance: string;
  accepted?: { dir: string; processTag: string; writer: string; settleFirst: boolean };
}

export type ToThread = { type: 'schedule'; sendAt: number } | { type: 'stop' };
export type FromThread =
  { type: 'started' } | { type: 'start-failed'; error: string } | { type: 'dispatched'; report: DispatchReport };

/** How long to wait before starting a thread again after one failed to start. */
const RESTART_PAUSE_MS = 1_000;

export class DispatcherThread implements ArmedMailSchedule {
  private readonly instance = randomUUID();
  /** The name the thread's record of accepted e-mails is written under: one per instance, kept by its restarts. */
  readonly acceptedWriter = `dispatcher${this.instance.slice(0, 8)}`;
  private thread: Worker | undefined;
  /** The instants scheduled and not yet past their window: told again to a thread started after one died. */
  private readonly instants = new Set<number>();
  private stopping = false;
  /** The start of a thread after one died, while it lasts. */
  private restarting: Promise<void> | undefined;

  constructor(private readonly opts: DispatcherThreadOptions) {}

  tokenFor(sendAt: number): string {
    return dispatchToken(this.instance, sendAt);
  }

  schedule(sendAt: number): void {
    if (this.stopping) return;
    const past = Date.now() - DISPATCH_WINDOW_MS;
    for (const t of this.instants) if (t < past) this.instants.delete(t);
    this.instants.add(sendAt);
    this.thread?.postMessage({ type: 'schedule', sendAt } satisfies ToThread);
  }

  /** Starts the thread; rejects when its dispatcher cannot start (the database does not answer). */
  async start(): Promise<void> {
    this.thread = await this.spawn(false);
  }

  /** Stops the thread's dispatcher (it finishes the instants under way) and waits for the thread to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    const thread = this.thread;
    this.thread = undefined;
    if (!thread) return;
    const ended = new Promise<void>((res) => thread.once('exit', () => res()));
    thread.postMessage({ type: 'stop' } satisfies ToThread);
    await ended;
  }

  /** `afterDeath`: a thread of this instance died; the new one settles its record of accepted e-mails first. */
  private spawn(afterDeath: boolean): Promise<Worker> {
    const { accepted } = this.opts;
    const data: DispatcherThreadData = {
      mongodbUrl: this.opts.mongodbUrl,
      smtp: this.opts.smtp,
      instance: this.instance,
      ...(accepted ? { accepted: { ...accepted, writer: this.acceptedWriter, settleFirst: afterDeath } } : {}),
    };
    // From the build, or from the sources through tsx's require hook (on Node 20 the `--import tsx` a process
    // was started with does not reach its threads' loader); execArgv replaces what the thread would inherit, so a
    // process started with --cpu-prof passes that on for the thread to be profiled too.
    const fromSources = extname(__filename) === '.ts';
    const profile = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
    const thread = new Worker(join(__dirname, `dispatcher-thread-main${extname(__filename)}`), {
      workerData: data,
      ...(fromSources ? { execArgv: [...profile, '--require', require.resolve('tsx/cjs')] } : {}),
    });
    return new Promise((resolve, reject) => {
      let started = false;
      thread.on('message', (m: FromThread) => {
        if (m.type === 'started') {
          started = true;
          for (const sendAt of this.instants) thread.postMessage({ type: 'schedule', sendAt } satisfies ToThread);
          resolve(thread);
        } else if (m.type === 'start-failed') {
          reject(new Error(`the mail dispatcher did not start: ${m.error}`));
        } else this.opts.onDispatched?.(m.report);
      });
      let failure: Error | undefined;
      thread.on('error', (e) => (failure = e));
      thread.once('exit', (code) => {
        const error = failure ?? new Error(`the mail dispatcher's thread ended (exit code ${code})`);
        if (!started) return reject(error);
        if (this.stopping || this.thread !== thread) return;
        this.thread = undefined;
        this.opts.onRestart?.(error);
        this.restarting = this.restart().finally(() => (this.restarting = undefined));
      });
    });
  }

  /** Starts a thread again until one starts or stop() is called; stop() waits for it and ends what started. */
  private async restart(): Promise<void> {
    while (!this.stopping) {
      try {
        this.thread = await this.spawn(true);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, RESTART_PAUSE_MS));
      }
    }
  }
}
