/**
 * Exactly-once e-mail through a MongoDB outbox. Each message has a business key (case, step, level,
 * round); the first writer inserts it, a sender claims it (pending → sending), sends it over SMTP with a
 * Message-ID derived from the key, and marks it sent. A retry, a replayed activity or a second worker
 * finds it sent and does nothing. SMTP failures put it back to pending and throw, so the activity's
 * retry policy waits out a lost mail server.
 *
 * A claim is a lease: it carries a token of the attempt that holds it, and that attempt renews it every
 * CLAIM_RENEW_MS while it works, so an attempt that is only slow (a loaded database, a slow mail server, an
 * activity past its timeout that still runs) keeps it, and a retry meanwhile finds it busy. Only an attempt
 * that stopped renewing — its worker died — loses it, after CLAIM_LEASE_MS; and an attempt sends only while
 * the stored claim is still its own.
 *
 * The "sent" mark after the SMTP server accepted the message is retried for MARK_RETRY_MS (a database
 * answering "busy" once must not turn into a second e-mail a lease later).
 *
 * The acceptance is first recorded on the worker's own disk (accepted-log.ts), which the next worker started on
 * the machine turns into "sent" marks before it takes any work: a worker that dies before the mark lands — while
 * the database is away, that is as long as it is away — does not send the message again. The window left: a
 * worker that dies after the message's last byte and before it has read and recorded the SMTP server's answer
 * (RFC 1047's window, which no client can close: the server has the message, the client cannot know), or whose
 * machine is lost with the record, or whose claim another machine's worker takes over before a worker starts
 * again on its machine. Its claim expires after CLAIM_LEASE_MS and the message is sent again with
 * the same Message-ID, which lets the receiving server or client discard the copy.
 */
import { createHash, randomUUID } from 'node:crypto';
import { driverCollection, isDuplicateKey, type Models, type OutboxDoc } from '../store/models';
import type { AcceptedLog } from './accepted-log';
import { journalled, settleJournal } from './sent-journal';

export const CLAIM_LEASE_MS = 60_000;
/**
 * How long after its instant an armed message stays with the dispatcher that holds it: the dispatcher sends it
 * within DISPATCH_WINDOW_MS and marks it sent well inside this; only then may an ordinary attempt take it over
 * (the dispatcher's worker died).
 */
export const ARMED_HOLD_MS = 180_000;
/** How late after its instant the dispatcher still sends an armed message itself. */
export const DISPATCH_WINDOW_MS = 90_000;
export const CLAIM_RENEW_MS = 10_000;
/** How long the "sent" mark is retried after the SMTP server accepted the message. */
export const MARK_RETRY_MS = 120_000;
/** A "sent" mark that takes this long to land after the acceptance is logged (the window of a second copy). */
export const SLOW_MARK_MS = 1_000;

/**
 * Runs a write that records an e-mail the SMTP server accepted, again and again (200 ms apart, doubling up to
 * 5 s) until it succeeds or MARK_RETRY_MS have passed: the message is out, and the record must land.
 */
export async function retryForMarkWindow<T>(write: () => Promise<T>): Promise<T> {
  for (let pause = 200, giveUpAt = Date.now() + MARK_RETRY_MS; ; pause = Math.min(pause * 2, 5_000)) {
    try {
      return await write();
    } catch (e) {
      if (Date.now() + pause > giveUpAt) throw e;
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/** The lease's timings; tests shorten them. */
export interface LeaseTimings {
  leaseMs: number;
  renewMs: number;
}

export interface OutboxKey {
  caseId: string;
  stepId: string;
  level: string;
  round: number;
}

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  send(mail: OutgoingMail & { messageId: string }): Promise<{ response: string }>;
  /**
   * The message as send() would write it, dated `date`, composed ahead (the MIME text: headers encoded, bodies
   * quoted-printable); sendRaw sends it as it stands. A transport without them is sent to with send() alone.
   */
  compose?(mail: OutgoingMail & { messageId: string }, date: Date): Promise<Buffer>;
  sendRaw?(to: readonly string[], raw: Buffer): Promise<{ response: string }>;
  /**
   * Opens the connections a burst of e-mails will use, ahead of it. An SMTP connection opened at the burst cost its
   * first e-mails some 130 ms, and the first thousand went at half the later pace (docs/benchmarks.md). Never fails:
   * what it could not open is opened by the sending, which reports the error.
   */
  warm?(): Promise<void>;
}

export type OutboxResult = { status: 'sent'; messageId: string } | { status: 'already-sent'; messageId: string };

export function outboxId(key: OutboxKey): string {
  return [key.caseId, key.stepId, key.level, String(key.round)].join('|');
}

export function messageIdFor(key: OutboxKey, domain = 'cadreflow.local'): string {
  const h = createHash('sha256').update(outboxId(key)).digest('hex').slice(0, 32);
  return `<${h}@${domain}>`;
}

export class OutboxBusyError extends Error {
  constructor(id: string, found?: OutboxDoc | null, at?: Date) {
    const state = found
      ? `status ${found.status}, attempts ${found.attempts}` +
        (found.claimedAt && at ? `, claimed ${at.getTime() - new Date(found.claimedAt).getTime()} ms before` : '')
      : 'no such message';
    super(`outbox message ${id} is being sent by another attempt (${state})`);
    this.name = 'OutboxBusyError';
  }
}

/** The fields a message gets when it is first stored, whoever stores it. */
function newMessage(key: OutboxKey, now: () => Date) {
  return {
    caseId: key.caseId,
    stepId: key.stepId,
    level: key.level,
    round: key.round,
    attempts: 0,
    createdAt: now(),
  };
}

export async function sendOnce(
  models: Models,
  transport: MailTransport,
  key: OutboxKey,
  mail: OutgoingMail,
  now: () => Date = () => new Date(),
  lease: LeaseTimings = { leaseMs: CLAIM_LEASE_MS, renewMs: CLAIM_RENEW_MS },
  accepted?: Pick<AcceptedLog, 'record'>
): Promise<OutboxResult> {
  const id = outboxId(key);
  const messageId = messageIdFor(key);
  await models.Outbox.updateOne(
    { _id: id },
    {
      $setOnInsert: {
        ...newMessage(key, now),
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        status: 'pending',
      },
    },
    { upsert: true }
  );
  const claimedAt = now();
  const claimToken = randomUUID();
  const lapsed = new Date(claimedAt.getTime() - lease.leaseMs);
  const claim = await models.Outbox.updateOne(
    {
      _id: id,
      $or: [
        { status: { $in: ['pending', 'cancelled'] } },
        // An armed message no dispatcher holds, or whose dispatcher's hold has run out (armedClaim).
        { status: 'armed', claimToken: { $exists: false } },
        { status: { $in: ['sending', 'armed'] }, claimedAt: { $lt: lapsed } },
      ],
    },
    { $set: { status: 'sending', claimedAt, claimToken }, $inc: { attempts: 1 } }
  );
  if (claim.modifiedCount === 0) {
    // The stored token decides whether the claim is this attempt's, not the count the server answered. (Under
    // load in CI an attempt was twice refused a claim nobody else held, cause not found; if its claim had landed
    // though answered "0 modified", the token shows it is ours. Otherwise the error says what was stored.)
    const doc = await models.Outbox.findById(id).lean<OutboxDoc>();
    if (doc?.status === 'sent') return { status: 'already-sent', messageId };
    if (doc?.status !== 'sending' || doc.claimToken !== claimToken) throw new OutboxBusyError(id, doc, now());
  }
  const ours = { _id: id, status: 'sending', claimToken } as const;
  // This attempt's writes of the message go one after the other: the lease's renewals, and the "sent" (or back
  // to "pending") mark. On a server that runs a conditional update as a read followed by a write of the whole
  // document (FerretDB v1 does), a renewal that read the message before the mark and wrote after it would
  // put the message back to "sending"; in turn, a renewal that starts after the mark finds it no longer ours.
  let writes: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(write: () => Promise<T>): Promise<T> => {
    const done = writes.then(write);
    writes = done.then(
      () => undefined,
      () => undefined
    );
    return done;
  };
  const renewal = setInterval(() => {
    // A failed renewal is retried at the next tick; the lease has room for several.
    inTurn(() => models.Outbox.updateOne(ours, { $set: { claimedAt: now() } })).catch(() => undefined);
  }, lease.renewMs);
  try {
    // The stored copy is what goes out: a retry with a re-rendered body must not change the message. Sent
    // only while the claim is still this attempt's.
    const [stored, dispatched] = await Promise.all([
      models.Outbox.findById(id).lean<OutboxDoc>(),
      journalled(models, [id]),
    ]);
    if (!stored) throw new Error(`outbox message ${id} vanished after it was claimed`);
    // Sent by the mail dispatcher, whose round did not get to mark it (its worker died): marked now, not sent.
    if (dispatched.size > 0) {
      await inTurn(() => settleJournal(models, dispatched));
      return { status: 'already-sent', messageId };
    }
    if (stored.status !== 'sending' || stored.claimToken !== claimToken) {
      if (stored.status === 'sent') return { status: 'already-sent', messageId };
      throw new OutboxBusyError(id, stored, now());
    }
    try {
      await transport.send({ to: stored.to, subject: stored.subject, text: stored.text, html: stored.html, messageId });
    } catch (e) {
      await inTurn(() =>
        models.Outbox.updateOne(ours, {
          $set: { status: 'pending', lastError: (e as Error).message },
          $unset: { claimToken: 1 },
        })
      );
      throw e;
    }
    // The message is out: the mark must land, or the lease would lapse and another attempt send it again.
    // A busy or briefly lost database is retried (the lease renewed meanwhile) before giving up. `markedAt` is
    // the database's clock when the mark landed: from `sentAt` to it is the window in which a killed worker
    // would send the message again.
    const acceptedAt = now();
    // First on this machine's disk, which does not go away with the database (accepted-log.ts).
    accepted?.record([id], acceptedAt);
    const started = Date.now();
    const failures: string[] = [];
    await retryForMarkWindow(() =>
      inTurn(() =>
        models.Outbox.updateOne(
          { _id: id },
          {
            $set: { status: 'sent', sentAt: acceptedAt },
            $currentDate: { markedAt: true },
            $unset: { lastError: 1, claimToken: 1 },
          }
        )
      ).catch((e: unknown) => {
        failures.push(e instanceof Error ? e.message : String(e));
        throw e;
      })
    );
    const tookMs = Date.now() - started;
    if (tookMs >= SLOW_MARK_MS) {
      console.warn(
        `cadreflow: e-mail ${id} was marked sent ${tookMs} ms after the SMTP server accepted it` +
          (failures.length > 0 ? ` (${failures.length} failed writes first: ${failures.join('; ')})` : '')
      );
    }
    return { status: 'sent', messageId };
  } finally {
    clearInterval(renewal);
    await writes;
  }
}

/** The stored claim of an armed message held by a dispatcher: it lapses ARMED_HOLD_MS after the instant. */
export function armedClaimedAt(sendAt: number, leaseMs = CLAIM_LEASE_MS): Date {
  return new Date(sendAt + ARMED_HOLD_MS - leaseMs);
}

/** Whether two e-mails have the same recipients, subject and bodies. */
export const sameContent = (a: OutgoingMail, b: OutgoingMail): boolean =>
  a.to.join(',') === b.to.join(',') && a.subject === b.subject && a.text === b.text && a.html === b.html;

/**
 * The change notes of armed messages (`mail_changes`): the mail dispatcher composes a round's e-mails ahead
 * (activities/mail/dispatcher.ts) and, at the instant, sends those no note names without reading them again. So
 * every change to a message that may be armed — arming one stored already, disarming, a dispatcher taking over
 * another's — notes it here *before* it writes the outbox: should the note fail, nothing changes; should the
 * outbox write fail after it, the message only takes the round's slower path (read from the outbox, composed as
 * it goes). A note lives CHANGE_NOTE_MS, far longer than any round composes ahead (PREPARE_LEAD_MS) plus the
 * time a write can take to land after its note.
 */
export const MAIL_CHANGES = 'mail_changes';
export const CHANGE_NOTE_MS = 15 * 60_000;
const MAX_NOTES_READ = 100_000;

interface ChangeNote {
  _id: string;
  /** The outbox message's _id. */
  id: string;
  at: Date;
}

function changeNotes(models: Models) {
  return models.Outbox.db.collection<ChangeNote>(MAIL_CHANGES);
}

/** Notes that the outbox messages `ids` are about to change (see MAIL_CHANGES). */
export async function noteChanges(
  models: Models,
  ids: readonly string[],
  now: () => Date = () => new Date()
): Promise<void> {
  if (ids.length === 0) return;
  const at = now();
  await changeNotes(models).insertMany(
    ids.map((id) => ({ _id: randomUUID(), id, at })),
    { ordered: false }
  );
}

/**
 * The outbox messages the change notes name. Read in one reply, so that no cursor is left open on the server
 * between batches (FerretDB holds a PostgreSQL connection for each open cursor): the notes are small, a
 * hundred thousand of them well under a reply's 16 MB. More than that cannot be read so, and is an error.
 */
export async function changedMessages(models: Models): Promise<Set<string>> {
  const notes = await changeNotes(models)
    .find({}, { projection: { id: 1 }, batchSize: MAX_NOTES_READ + 1, singleBatch: true })
    .toArray();
  if (notes.length > MAX_NOTES_READ) throw new Error(`more than ${MAX_NOTES_READ} change notes to read at once`);
  return new Set(notes.map((n) => n.id));
}

/** Deletes the change notes older than CHANGE_NOTE_MS. Answers how many. */
export async function dropOldChangeNotes(models: Models, now: () => number = Date.now): Promise<number> {
  const r = await changeNotes(models).deleteMany({ at: { $lt: new Date(now() - CHANGE_NOTE_MS) } });
  return r.deletedCount;
}

/**
 * Arms a message for `sendAt`: stored ready to go, held by the dispatcher of `claimToken` (when there is one),
 * which sends it at that instant. Arming again (the recipients changed, the instant moved) rewrites an armed or
 * cancelled message, after a change note (MAIL_CHANGES), unless it is armed already as asked; one already sent or
 * in the hands of an ordinary attempt is left as it is. Answers whether the message is armed now.
 */
export async function armMessage(
  models: Models,
  key: OutboxKey,
  mail: OutgoingMail,
  sendAt: number,
  claimToken: string | undefined,
  now: () => Date = () => new Date()
): Promise<boolean> {
  const id = outboxId(key);
  const hold = claimToken ? { claimToken, claimedAt: armedClaimedAt(sendAt) } : {};
  const armed = {
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    status: 'armed' as const,
    sendAt: new Date(sendAt),
    ...hold,
  };
  // Most messages are armed once: stored new, there is nothing a round could have composed before.
  try {
    await driverCollection(models.Outbox).insertOne({ _id: id, ...newMessage(key, now), ...armed });
    return true;
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
  }
  // Armed already as asked (a case arms its next rung again at each of its revisions): nothing changes.
  if (claimToken) {
    const stored = await models.Outbox.findOne({ _id: id, status: 'armed', claimToken, sendAt: armed.sendAt })
      .select({ to: 1, subject: 1, text: 1, html: 1 })
      .lean<OutgoingMail>();
    if (stored && sameContent(stored, mail)) return true;
  }
  await noteChanges(models, [id], now);
  try {
    await models.Outbox.updateOne(
      { _id: id, status: { $in: ['armed', 'cancelled'] } },
      {
        $set: armed,
        ...(claimToken ? {} : { $unset: { claimToken: 1, claimedAt: 1 } }),
        $setOnInsert: newMessage(key, now),
      },
      { upsert: true }
    );
    return true;
  } catch (e) {
    // Stored already in another status: sent, or being sent by an ordinary attempt.
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/**
 * Disarms messages no longer owed (the step moved before their instant); a message under way is left alone. The
 * disarm can land after the instant (the act came just before it, and its write was slow or retried): a message
 * the dispatcher handed back unsent meanwhile ("pending", never attempted) is cancelled too — no case would send it
 * — and one the dispatcher sent stays sent (or, read armed before the disarm and sent after it, is marked sent by
 * the round that sent it: sent-journal.ts).
 */
export async function disarmMessages(models: Models, keys: readonly OutboxKey[]): Promise<void> {
  if (keys.length === 0) return;
  const ids = keys.map((key) => outboxId(key));
  await noteChanges(models, ids);
  // One the SMTP server has accepted (journalled by the round that sent it, which marks it sent) is left to that
  // mark: FerretDB v1 writes an update as the whole document it read, and a disarm that read the message armed and
  // wrote after the mark would turn a delivered e-mail back into "cancelled".
  const accepted = await journalled(models, ids);
  await Promise.all(
    keys
      .filter((key) => !accepted.has(outboxId(key)))
      .map((key) =>
        models.Outbox.updateOne(
          { _id: outboxId(key), $or: [{ status: 'armed' }, { status: 'pending', attempts: 0 }] },
          { $set: { status: 'cancelled' }, $unset: { claimToken: 1, claimedAt: 1 } }
        )
      )
  );
}
