/**
 * The worker's mail dispatcher: sends the ladder e-mails the cases armed in the outbox (activities/mail/outbox.ts,
 * `armMessage`) at their instant, however many fall due at once. A case's own timer fires a little after
 * (workflows/chain.ts, ARMED_GRACE_MS) and finds its e-mail sent; ten thousand timers firing in one minute
 * would otherwise queue every e-mail behind them.
 *
 * Each armed message is held by the dispatcher that will send it: its claim token names the dispatcher and the
 * instant (`tokenFor`), and its claim lapses ARMED_HOLD_MS after the instant, so that no ordinary attempt takes
 * it before; the case's activity finds it busy and asks again. At the instant the dispatcher reads the messages
 * still armed under that token (a disarmed one has lost it), sends each over a pooled SMTP connection, records
 * it in the "sent" journal as it goes (sent-journal.ts: a batch insert, where a "sent" mark per message cost the
 * round its cores) and, once the round is out, marks them sent. What it cannot send — the mail server is down,
 * or the instant is more than DISPATCH_WINDOW_MS past — goes back to "pending", where the case's own activity
 * sends it with its retries.
 *
 * A round composes its e-mails ahead (PREPARE_LEAD_MS before the instant, when its transport can). At the instant
 * it first sends, as composed and without reading them again, those no change note names (outbox.ts,
 * MAIL_CHANGES: every change to an armed message is noted before it is written); then it reads what the outbox
 * still holds armed under its token and has not sent — armed or changed after it composed — and sends that,
 * as composed when the content is the one composed, else composed as it goes. Its SMTP connections it opens
 * WARM_LEAD_MS before the instant (MailTransport.warm), so that the first e-mails do not wait for them.
 *
 * The schedule is in memory: the arming activity runs in the same worker and tells it (`schedule`; the worker runs
 * the dispatcher in a thread of its own, dispatcher-thread.ts, which passes the call on). Every
 * dispatcher says it is alive in `mail_dispatchers`; what one that stopped saying so had armed is taken over by
 * another (`adoptFromDead`), and should none run, the cases send it themselves once the hold lapses.
 */
import { randomUUID } from 'node:crypto';
import type { Models, OutboxDoc } from '../store/models';
import {
  DISPATCH_WINDOW_MS,
  armedClaimedAt,
  changedMessages,
  dropOldChangeNotes,
  messageIdFor,
  noteChanges,
  retryForMarkWindow,
  sameContent,
  type MailTransport,
  type OutgoingMail,
} from './outbox';
import type { AcceptedLog } from './accepted-log';
import { journalled, journalSent, sentJournal, settleJournal } from './sent-journal';

export interface DispatcherOptions {
  /** E-mails in flight at once (the SMTP pool's connections). */
  concurrency?: number;
  /** Database writes in flight at once (the "sent" marks). */
  writeConcurrency?: number;
  now?: () => number;
  /** How long before its instant a round composes its e-mails (PREPARE_LEAD_MS). */
  prepareLeadMs?: number;
  /** Called once per instant dispatched, with what happened (logging, tests). */
  onDispatched?: (report: DispatchReport) => void;
  /** The name its claim tokens carry (tokenFor); a new one by default. */
  instance?: string;
  /** This machine's record of what the SMTP server accepted (accepted-log.ts), written before the journal. */
  accepted?: Pick<AcceptedLog, 'record'>;
}

export interface DispatchReport {
  sendAt: number;
  sent: number;
  /** Handed back to the cases' own activities: the mail server failed, or the instant was too far past. */
  released: number;
  firstError?: string;
}

/**
 * The worker's log line for an instant dispatched (none when nothing was due): how many e-mails went, how many went
 * back to their cases' own activities and why — so that a round that failed shows in the log — and when the round
 * and its marks were done (`now`). A warning when any went back.
 */
export function dispatchLogLine(r: DispatchReport, now: number): { level: 'log' | 'warn'; line: string } | undefined {
  if (r.sent === 0 && r.released === 0 && r.firstError === undefined) return undefined;
  const line =
    `e-mails due at ${new Date(r.sendAt).toISOString()}: ${r.sent} sent, ${r.released} handed back to their cases; ` +
    `round and marks done at ${new Date(now).toISOString()}` +
    (r.firstError === undefined ? '' : ` (${r.firstError})`);
  return { level: r.released > 0 || r.firstError !== undefined ? 'warn' : 'log', line };
}

/** The part the arming activity uses. */
export interface ArmedMailSchedule {
  /** The claim token under which this dispatcher sends what is armed for `sendAt`. */
  tokenFor(sendAt: number): string;
  /** Sends what is armed under tokenFor(sendAt) at that instant. */
  schedule(sendAt: number): void;
}

/** How often a dispatcher says it is alive. */
export const HEARTBEAT_MS = 10_000;
/** After how long without a word a dispatcher counts as stopped, and what it armed is adopted. */
export const DEAD_AFTER_MS = 30_000;
/**
 * How old a journal entry is before any dispatcher's sweep settles it: past the window in which its round sends
 * (DISPATCH_WINDOW_MS), so that a sweep never marks what a live round is about to mark itself.
 */
export const SWEEP_AFTER_MS = DISPATCH_WINDOW_MS + 30_000;
/** How long before its instant a round reads and composes the e-mails armed for it by then. */
export const PREPARE_LEAD_MS = 60_000;
/**
 * How long before its instant a round opens its SMTP connections (MailTransport.warm): inside the transport's
 * socket timeout (15 s), after the composing ahead.
 */
export const WARM_LEAD_MS = 2_000;
/** A round composes ahead only when its instant is at least this far away (else it composes as it sends). */
const PREPARE_MIN_AHEAD_MS = 5_000;
/** At most this many e-mails of one instant are composed ahead (about 5 KB each): a bound on memory. */
const PREPARE_MAX = 20_000;

type Mail = OutgoingMail & { messageId: string };

/** An e-mail composed ahead, with the content it was composed from (the outbox may change it before the instant). */
interface Composed {
  mail: Mail;
  raw: Buffer;
}

/** An e-mail of a round, with its composed text when it goes as composed ahead. */
interface Outgoing {
  id: string;
  mail: Mail;
  raw?: Buffer;
}

/** What an outbox message sends. */
function mailOf(doc: OutboxDoc): Mail {
  return { to: doc.to, subject: doc.subject, text: doc.text, html: doc.html, messageId: messageIdFor(doc) };
}

interface Preparation {
  timer?: NodeJS.Timeout;
  ready: Map<string, Composed>;
  stopped: boolean;
}

const TOKEN_PREFIX = 'dispatch:';

/** The dispatcher named by a claim token (tokenFor). */
function instanceOf(token: string): string {
  return token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length, token.lastIndexOf('@')) : '';
}

/** setTimeout's longest delay; a later instant is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Runs `work` over the items `next` yields, `width` at a time. */
async function drain<T>(next: () => Promise<T | null>, width: number, work: (item: T) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = await next(); item !== null; item = await next()) await work(item);
    })
  );
}

/** At most `width` calls of the returned function run at once; the others wait their turn. */
function limiter(width: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= width) await new Promise<void>((r) => waiting.push(r));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/** Messages read from the database per batch (their journal entries looked up at once). */
const READ_BATCH = 100;
/** Journal entries written per insert at most, and the least time between the starts of two inserts. */
const JOURNAL_BATCH = 100;
const JOURNAL_GAP_MS = 20;

/**
 * Hands items to `flush`, one flush at a time and at most one per `gapMs`: an item that comes when the last flush
 * started longer ago than that goes at once, and what comes sooner waits for the gap (or for `size` items) and goes
 * in one flush. A journal entry is thus written as soon as it comes at the pace of a case's ladder e-mails — the
 * window in which a killed worker leaves an accepted e-mail unrecorded, and sent again, is one insert — and in a
 * burst of thousands the entries go in batches (an insert per entry cost the round more than a quarter of its
 * pace on FerretDB). `close` flushes what is left at once and waits for it; a failed flush is reported there.
 */
export function batcher(
  size: number,
  gapMs: number,
  flush: (ids: string[], at: Date) => Promise<void>
): { add(id: string, at: Date): void; close(): Promise<void> } {
  let waiting: Array<[string, Date]> = [];
  let flushing: Promise<void> | undefined;
  let failure: Error | undefined;
  let lastStart = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  const pump = (): void => {
    if (flushing || waiting.length === 0) return;
    const wait = lastStart + gapMs - Date.now();
    if (wait > 0 && waiting.length < size && !closing) {
      timer ??= setTimeout(() => ((timer = undefined), pump()), wait);
      return;
    }
    clearTimeout(timer);
    timer = undefined;
    lastStart = Date.now();
    const batch = waiting.slice(0, size);
    waiting = waiting.slice(size);
    flushing = flush(
      batch.map(([id]) => id),
      batch[batch.length - 1]![1]
    )
      .catch((e: unknown) => void (failure ??= e instanceof Error ? e : new Error(JSON.stringify(e))))
      .finally(() => {
        flushing = undefined;
        pump();
      });
  };
  return {
    add(id, at) {
      waiting.push([id, at]);
      pump();
    },
    async close() {
      closing = true;
      pump();
      while (flushing) await flushing;
      if (failure !== undefined) throw failure;
    },
  };
}

/** The claim token of dispatcher `instance` for the instant `sendAt`. */
export function dispatchToken(instance: string, sendAt: number): string {
  return `${TOKEN_PREFIX}${instance}@${sendAt}`;
}

export class MailDispatcher implements ArmedMailSchedule {
  private readonly instance: string;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  /** The instants being sent, and those armed again meanwhile. */
  private readonly sending = new Set<number>();
  private readonly again = new Set<number>();
  /** The rounds composing their e-mails ahead, by instant. */
  private readonly preparing = new Map<number, Preparation>();
  /** The instants whose SMTP connections are to be opened ahead (WARM_LEAD_MS), by instant. */
  private readonly warming = new Map<number, NodeJS.Timeout>();
  /**
   * The messages a round of this dispatcher has taken to send, until they are marked sent (or, not sent, handed
   * back). Another round skips them: a message armed again for another instant after a round had taken it (the
   * act's write came late) is read by that instant's round too, and would go out twice.
   */
  private readonly inFlight = new Set<string>();
  private stopped = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly models: Models,
    private readonly transport: MailTransport,
    private readonly opts: DispatcherOptions = {}
  ) {
    this.now = opts.now ?? Date.now;
    this.instance = opts.instance ?? randomUUID();
  }

  tokenFor(sendAt: number): string {
    return dispatchToken(this.instance, sendAt);
  }

  schedule(sendAt: number): void {
    if (this.stopped || this.timers.has(sendAt)) return;
    // Armed for an instant being sent right now (its arming came late): sent once that round has marked its
    // messages, so that no message is read twice under the same token.
    if (this.sending.has(sendAt)) {
      this.again.add(sendAt);
      return;
    }
    const wait = Math.min(Math.max(0, sendAt - this.now()), MAX_DELAY_MS);
    this.schedulePreparation(sendAt);
    this.scheduleWarming(sendAt);
    this.timers.set(
      sendAt,
      setTimeout(() => {
        this.timers.delete(sendAt);
        if (sendAt > this.now()) return this.schedule(sendAt);
        clearTimeout(this.warming.get(sendAt));
        this.warming.delete(sendAt);
        // A failure leaves the messages armed and held: once the hold lapses, the cases send them.
        this.sending.add(sendAt);
        const run = this.dispatch(sendAt)
          .catch((e: unknown) => this.opts.onDispatched?.({ sendAt, sent: 0, released: 0, firstError: String(e) }))
          .finally(() => {
            this.running.delete(run);
            this.sending.delete(sendAt);
            if (this.again.delete(sendAt)) this.schedule(sendAt);
          });
        this.running.add(run);
      }, wait)
    );
  }

  /**
   * Opens the transport's connections WARM_LEAD_MS before `sendAt`, when it can, so that the round's first e-mails
   * do not wait for them (docs/benchmarks.md: opened at the instant, the first thousand went at half the pace).
   */
  private scheduleWarming(sendAt: number): void {
    const ahead = sendAt - this.now();
    if (!this.transport.warm || this.warming.has(sendAt) || ahead <= WARM_LEAD_MS || ahead > MAX_DELAY_MS) return;
    this.warming.set(
      sendAt,
      setTimeout(() => {
        this.warming.delete(sendAt);
        void this.transport.warm?.().catch(() => undefined); // what is not open is opened by the sending
      }, ahead - WARM_LEAD_MS)
    );
  }

  /** Composes, PREPARE_LEAD_MS before `sendAt`, what is armed for it by then (see the top of this file). */
  private schedulePreparation(sendAt: number): void {
    const [ahead, lead] = [sendAt - this.now(), this.opts.prepareLeadMs ?? PREPARE_LEAD_MS];
    if (!this.transport.compose || !this.transport.sendRaw || this.preparing.has(sendAt)) return;
    if (ahead < Math.min(PREPARE_MIN_AHEAD_MS, lead) || ahead - lead > MAX_DELAY_MS) return;
    const preparation: Preparation = { ready: new Map(), stopped: false };
    preparation.timer = setTimeout(
      () => void this.prepare(sendAt, preparation).catch(() => undefined), // what is not composed is composed later
      Math.max(0, ahead - lead)
    );
    this.preparing.set(sendAt, preparation);
  }

  private async prepare(sendAt: number, preparation: Preparation): Promise<void> {
    if (!this.transport.compose) return;
    const date = new Date(sendAt);
    const cursor = this.armedUnder(this.tokenFor(sendAt));
    try {
      for (
        let doc = await cursor.next();
        doc !== null && !preparation.stopped && preparation.ready.size < PREPARE_MAX;
        doc = await cursor.next()
      ) {
        const mail = mailOf(doc);
        preparation.ready.set(doc._id, { mail, raw: await this.transport.compose(mail, date) });
      }
    } finally {
      await cursor.close();
    }
  }

  /** Ends the preparation of `sendAt`'s round, answering what it composed. */
  private takePrepared(sendAt: number): Map<string, Composed> {
    const preparation = this.preparing.get(sendAt);
    if (!preparation) return new Map();
    this.preparing.delete(sendAt);
    preparation.stopped = true;
    clearTimeout(preparation.timer);
    return preparation.ready;
  }

  /** The messages armed under `token`, read as they come. */
  private armedUnder(token: string) {
    return this.models.Outbox.find({ claimToken: token, status: 'armed' }).lean<OutboxDoc>().cursor();
  }

  /**
   * Starts the dispatcher: says it is alive (every HEARTBEAT_MS, in `mail_dispatchers`) and, each time, takes
   * over what dispatchers that stopped saying so had armed.
   */
  async start(): Promise<void> {
    await this.beat();
    await this.adoptFromDead();
    this.heartbeat = setInterval(() => {
      this.beat()
        .then(() => this.adoptFromDead())
        // Journal entries a round did not settle (its worker died, or the database was away then): old enough
        // that their round is over, and not while this one sends (a sweep's marks would take the round's cores).
        .then(async () => (this.sending.size > 0 ? 0 : (await this.sweepJournal()) + (await this.dropOldNotes())))
        .catch(() => undefined); // the database is away: tried again at the next beat
    }, HEARTBEAT_MS);
  }

  private registry() {
    return this.models.Outbox.db.collection<{ _id: string; aliveAt: Date }>('mail_dispatchers');
  }

  private async beat(): Promise<void> {
    await this.registry().updateOne(
      { _id: this.instance },
      { $set: { aliveAt: new Date(this.now()) } },
      { upsert: true }
    );
  }

  /**
   * Takes over the armed messages of dispatchers that have not said they are alive for DEAD_AFTER_MS (their
   * worker stopped or died), and schedules them: a later instant is kept, one already past is sent at once.
   * Answers how many were taken.
   */
  async adoptFromDead(): Promise<number> {
    const staleBefore = this.now() - DEAD_AFTER_MS;
    const dead = (await this.registry().find({}).toArray())
      .filter((d) => d._id !== this.instance && d.aliveAt.getTime() < staleBefore)
      .map((d) => d._id);
    if (dead.length === 0) return 0;
    // What the stopped ones sent and did not mark is marked now, whatever its age: a round of theirs that was
    // under way will not mark it, and its record must not wait for a sweep (an act may have disarmed such a
    // message — "cancelled" — after the round had read it armed; the e-mail went out, and the record says so).
    // A live round's entries marked here too cost it a few writes, and change nothing.
    await this.sweepJournal(0);
    const deadSet = new Set(dead);
    const armed = await this.models.Outbox.find({ status: 'armed' })
      .select({ _id: 1, sendAt: 1, claimToken: 1 })
      .lean<Pick<OutboxDoc, '_id' | 'sendAt' | 'claimToken'>[]>();
    const theirs = armed.filter((d) => d.sendAt && d.claimToken && deadSet.has(instanceOf(d.claimToken)));
    // Should the stopped dispatcher still be sending, what it composed of these must no longer go as composed.
    await noteChanges(
      this.models,
      theirs.map((d) => d._id)
    );
    let taken = 0;
    let i = 0;
    await drain(
      async () => theirs[i++] ?? null,
      this.opts.writeConcurrency ?? 8,
      async (d) => {
        const sendAt = (d.sendAt as Date).getTime();
        const r = await this.models.Outbox.updateOne(
          { _id: d._id, status: 'armed', claimToken: d.claimToken },
          { $set: { claimToken: this.tokenFor(sendAt), claimedAt: armedClaimedAt(sendAt) } }
        );
        if (r.modifiedCount > 0) {
          taken += 1;
          this.schedule(sendAt);
        }
      }
    );
    await this.registry().deleteMany({ _id: { $in: dead }, aliveAt: { $lt: new Date(staleBefore) } });
    return taken;
  }

  /** Settles the journal entries older than `olderThanMs` (SWEEP_AFTER_MS, see start). Answers how many. */
  async sweepJournal(olderThanMs = SWEEP_AFTER_MS): Promise<number> {
    const before = this.now() - olderThanMs;
    const stale = new Map(
      (await sentJournal(this.models).find({}).toArray())
        .filter((e) => e.at.getTime() < before)
        .map((e) => [e._id, e.at])
    );
    if (stale.size === 0) return 0;
    const settled = await settleJournal(this.models, stale, this.opts.writeConcurrency ?? 8);
    for (const id of stale.keys()) this.inFlight.delete(id);
    return settled;
  }

  /** Deletes the change notes older than CHANGE_NOTE_MS (outbox.ts). Answers how many. */
  async dropOldNotes(): Promise<number> {
    return dropOldChangeNotes(this.models, this.now);
  }

  /** Stops scheduling and waits for the instants under way; what it still holds is adopted by another. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const sendAt of [...this.preparing.keys()]) this.takePrepared(sendAt);
    for (const t of this.warming.values()) clearTimeout(t);
    this.warming.clear();
    await Promise.all([...this.running]);
  }

  private async dispatch(sendAt: number): Promise<void> {
    const token = this.tokenFor(sendAt);
    const report: DispatchReport = { sendAt, sent: 0, released: 0 };
    const composed = this.takePrepared(sendAt);
    const writing = limiter(this.opts.writeConcurrency ?? 8);
    // What the SMTP server accepted, journalled in batches as it goes (sent-journal.ts), and marked after the round.
    const accepted = new Map<string, Date>();
    const journal = batcher(JOURNAL_BATCH, JOURNAL_GAP_MS, (ids, at) =>
      retryForMarkWindow(() => journalSent(this.models, ids, at))
    );
    let failed = false;
    const taken: string[] = [];
    const work = async ({ id, mail, raw }: Outgoing): Promise<void> => {
      if (this.inFlight.has(id)) return; // another round has it
      this.inFlight.add(id);
      taken.push(id);
      if (failed || this.now() > sendAt + DISPATCH_WINDOW_MS) {
        report.released += 1;
        await writing(() => this.release(id, token, report.firstError ?? "past the dispatcher's window"));
        return;
      }
      try {
        await (raw && this.transport.sendRaw ? this.transport.sendRaw(mail.to, raw) : this.transport.send(mail));
      } catch (e) {
        failed = true;
        report.firstError ??= (e as Error).message;
        report.released += 1;
        await writing(() => this.release(id, token, (e as Error).message));
        return;
      }
      report.sent += 1;
      const at = new Date(this.now());
      this.opts.accepted?.record([id], at);
      accepted.set(id, at);
      journal.add(id, at);
    };
    // Items are taken a batch at a time, and a message the journal holds already (sent by a dispatcher that died
    // before marking it, then adopted) is settled, not sent again.
    const batches = (read: () => Promise<Outgoing[]>): (() => Promise<Outgoing | null>) => {
      const ready: Outgoing[] = [];
      const refill = async (): Promise<void> => {
        const batch = await read();
        const done = await journalled(
          this.models,
          batch.map((d) => d.id)
        );
        for (const [id, at] of done) accepted.set(id, at);
        ready.push(...batch.filter((d) => !done.has(d.id)));
        if (batch.length > 0 && ready.length === 0) await refill();
      };
      let reading = Promise.resolve<Outgoing | null>(null);
      // One read at a time.
      return () =>
        (reading = reading.then(async () => {
          if (ready.length === 0) await refill();
          return ready.shift() ?? null;
        }));
    };
    const width = this.opts.concurrency ?? 8;
    let settled = false;
    try {
      try {
        // First the e-mails composed ahead that no change note names (outbox.ts, MAIL_CHANGES): the outbox holds
        // them armed under this token as they were composed, so they go without reading them again (that read, of
        // whole messages, cost FerretDB about 0.4 ms of CPU per message, measured: 4 s for ten thousand).
        const untouched = composed.size > 0 ? await this.untouched(composed) : [];
        let i = 0;
        await drain(
          batches(async () => untouched.slice(i, (i += READ_BATCH))),
          width,
          work
        );
        // Then what the outbox holds armed under the token and was not sent above: armed or changed after the
        // round composed, or beyond what it composes. Read as the sending goes.
        const cursor = this.armedUnder(token);
        try {
          await drain(
            batches(async () => {
              const batch: Outgoing[] = [];
              for (
                let doc = await cursor.next();
                doc !== null;
                doc = batch.length < READ_BATCH ? await cursor.next() : null
              ) {
                if (accepted.has(doc._id)) continue;
                const mail = mailOf(doc);
                const ahead = composed.get(doc._id);
                batch.push({
                  id: doc._id,
                  mail,
                  ...(ahead && sameContent(ahead.mail, mail) ? { raw: ahead.raw } : {}),
                });
              }
              return batch;
            }),
            width,
            work
          );
        } finally {
          await cursor.close();
        }
      } finally {
        await journal.close();
      }
      // The round is out: the journal's entries become "sent" marks. (Should this fail, the next sweep does it.)
      settled = await settleJournal(this.models, accepted, this.opts.writeConcurrency ?? 8).then(
        () => true,
        () => false
      );
    } finally {
      // What it sent stays taken until it is marked sent (by a sweep, when not here); the rest is free at once.
      for (const id of taken) if (settled || !accepted.has(id)) this.inFlight.delete(id);
    }
    this.opts.onDispatched?.(report);
  }

  /**
   * Those of the composed e-mails no change note names, to be sent as composed. When the notes cannot be read,
   * none: the round reads them all from the outbox.
   */
  private async untouched(composed: Map<string, Composed>): Promise<Outgoing[]> {
    let changed: Set<string>;
    try {
      changed = await changedMessages(this.models);
    } catch {
      return [];
    }
    return [...composed].filter(([id]) => !changed.has(id)).map(([id, { mail, raw }]) => ({ id, mail, raw }));
  }

  /** Hands a message back to the case's own activity, which sends it with its retries. */
  private async release(id: string, token: string, error: string): Promise<void> {
    try {
      await this.models.Outbox.updateOne(
        { _id: id, claimToken: token, status: 'armed' },
        { $set: { status: 'pending', lastError: error }, $unset: { claimToken: 1, claimedAt: 1 } }
      );
    } catch {
      // The database is down too: the message stays held, and the case sends it once the hold lapses.
    }
  }
}
