/**
 * The worker's own record, on its local disk, of the e-mails the SMTP server accepted: written as the server
 * accepts them, before the outbox's "sent" mark (outbox.ts) or the dispatcher's journal entry (sent-journal.ts),
 * which both need the database. A worker killed between the acceptance and that write would otherwise send the
 * e-mail again once its claim lapses. The window is a few milliseconds while the database answers, but lasts as
 * long as the database is away: a chaos run measured 35 s for e-mails accepted just as the MongoDB-protocol
 * server stopped.
 *
 * Each writer appends `<outbox id>\t<ISO instant>\n` lines to a file of its own named
 * `<pid>-<process tag>-<writer>-<random>.log`. The lines recorded during one turn of the event loop go to the
 * kernel in one synchronous write at its end (setImmediate): a round of thousands of e-mails costs a write per
 * turn, not per e-mail, and a line waits no longer than the SMTP server's next answer would to be read. A process
 * killed mid-write leaves at most a partial last line, which is skipped. The record outlives the worker process,
 * not the machine: nothing is fsync'd.
 *
 * A worker starting on the machine, before it takes any work, marks sent the e-mails of every file left by a
 * process that no longer runs, then deletes the file (settleAcceptedLogs). A writer's own file is settled and
 * deleted when the writer closes, and once it passes ROTATE_BYTES it is settled in the background and a new one
 * started: marking an accepted e-mail sent is right whoever does it first. A writer of a running process that died
 * (the dispatcher's thread) has its files settled by the one started in its place, before that one takes any work
 * (settleWriterFiles): it holds the same claims, and would send their e-mails again at once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Models } from '../store/models';
import { settleJournal } from './sent-journal';

/** A file passing this many bytes (about 160,000 e-mails) is settled and a new one started. */
export const ROTATE_BYTES = 16 << 20;
/** How many of a file's e-mails are looked up at once when it is settled. */
const SETTLE_CHUNK = 500;

const FILE = /^(\d+)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([a-z0-9]+)-([0-9a-f]{8})\.log$/;

/** Whether a process of that id runs (one that runs under another user counts as running). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The entries of a file: id → instant; a line cut short by a killed process is skipped. */
export function readAcceptedFile(file: string): Map<string, Date> {
  const entries = new Map<string, Date>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const at = new Date(line.slice(tab + 1));
    if (!Number.isNaN(at.getTime())) entries.set(line.slice(0, tab), at);
  }
  return entries;
}

/**
 * Marks sent the e-mails of one file that are not marked yet (most are: their own marks landed), then deletes
 * it. Answers how many it marked.
 */
async function settleFile(models: Models, file: string): Promise<number> {
  let entries: Map<string, Date>;
  try {
    entries = readAcceptedFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  const ids = [...entries.keys()];
  let marked = 0;
  for (let i = 0; i < ids.length; i += SETTLE_CHUNK) {
    const chunk = ids.slice(i, i + SETTLE_CHUNK);
    const unmarked = await models.Outbox.find({ _id: { $in: chunk }, status: { $ne: 'sent' } })
      .select({ _id: 1 })
      .lean<Array<{ _id: string }>>();
    marked += await settleJournal(models, new Map(unmarked.map((d) => [d._id, entries.get(d._id) as Date])));
  }
  unlinkSync(file);
  return marked;
}

/** Settles the files in `dir` that `settle` picks by (pid, process tag, writer); answers how many e-mails it marked. */
async function settleFiles(
  models: Models,
  dir: string,
  settle: (pid: number, processTag: string, writer: string) => boolean
): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let settled = 0;
  for (const name of names) {
    const m = FILE.exec(name);
    if (m && settle(Number(m[1]), m[2] as string, m[3] as string)) settled += await settleFile(models, join(dir, name));
  }
  return settled;
}

/**
 * Settles the files in `dir` that no running writer holds: those of a process that no longer runs, and those of
 * an earlier process with this one's id (a restarted container's worker is often process 1 again), but never
 * this process's own (`processTag`). Answers how many e-mails were marked.
 */
export function settleAcceptedLogs(models: Models, dir: string, processTag: string): Promise<number> {
  return settleFiles(models, dir, (pid, tag) => tag !== processTag && (pid === process.pid || !processRuns(pid)));
}

/**
 * Settles the files of one writer of this process (`processTag`) that is gone, for the writer started in its
 * place (a dispatcher thread started again after one died), before it takes any work. Answers how many e-mails
 * were marked.
 */
export function settleWriterFiles(models: Models, dir: string, processTag: string, writer: string): Promise<number> {
  return settleFiles(models, dir, (_pid, tag, w) => tag === processTag && w === writer);
}

/** One writer's record (see the header). */
export class AcceptedLog {
  private fd: number | undefined;
  private file = '';
  private bytes = 0;
  /** The lines of this turn of the event loop, written at its end. */
  private pending: string[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private readonly settling = new Set<Promise<unknown>>();

  /**
   * `processTag`: the same for every writer of this process (the worker passes its own to the dispatcher's
   * thread), so that no writer of a running process has its file settled from under it.
   */
  constructor(
    private readonly models: Models,
    private readonly dir: string,
    private readonly writer: string,
    private readonly processTag: string
  ) {}

  /**
   * Records that the SMTP server accepted these e-mails (outbox ids) at `at`: written at the end of this turn of
   * the event loop. Never throws; a write that fails is logged (the e-mails are then only as safe as without it).
   */
  record(ids: readonly string[], at: Date): void {
    if (ids.length === 0) return;
    const when = at.toISOString();
    for (const id of ids) this.pending.push(`${id}\t${when}\n`);
    this.flushing ??= setImmediate(() => this.flush());
  }

  /** Writes the lines recorded since the last write. */
  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    try {
      if (this.fd === undefined) this.open();
      this.bytes += writeSync(this.fd as number, lines.join(''));
      if (this.bytes >= ROTATE_BYTES) this.rotate();
    } catch (e) {
      console.warn(
        `cadreflow: ${lines.length} accepted e-mails could not be recorded on disk (${(e as Error).message})`
      );
    }
  }

  /** Closes the file, and marks its e-mails sent and deletes it (left for the next start if that fails). */
  async close(): Promise<void> {
    this.flush();
    const file = this.fd === undefined ? undefined : this.file;
    this.shut();
    await Promise.allSettled([...this.settling]);
    if (file) await settleFile(this.models, file).catch(() => undefined);
  }

  private open(): void {
    mkdirSync(this.dir, { recursive: true });
    this.file = join(
      this.dir,
      `${process.pid}-${this.processTag}-${this.writer}-${randomBytes(4).toString('hex')}.log`
    );
    this.fd = openSync(this.file, 'a');
    this.bytes = 0;
  }

  private shut(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private rotate(): void {
    const full = this.file;
    this.shut();
    const done = settleFile(this.models, full)
      .catch(() => undefined)
      .finally(() => this.settling.delete(done));
    this.settling.add(done);
  }
}

/** A tag for this process's writers (see AcceptedLog). */
export const newProcessTag = (): string => randomUUID();
