/**
 * The "sent" journal of the mail dispatcher (activities/mail/dispatcher.ts): the outbox id of each armed e-mail the
 * SMTP server accepted, written in batches (one insert of a hundred small documents) as the e-mails of an instant
 * go out, and turned into the outbox's "sent" marks after the round. A mark rewrites the whole outbox message on
 * the MongoDB-protocol server this project runs on (about a millisecond of FerretDB's time each, measured: 3,000
 * marks by `_id` in 2.6 s, one at a time or two hundred to an update, against 0.12 s for the same 3,000 journal
 * entries), and ten thousand of them during the round took the cores the sending needed.
 *
 * A journal entry lives until its outbox message says "sent": whoever finds one first — the round that wrote it,
 * a sweep on any dispatcher's heartbeat, a dispatcher that adopted the message, the case's own attempt once the
 * hold lapsed — marks the message sent and deletes the entry, and sends nothing. An armed message is held by its
 * dispatcher until ARMED_HOLD_MS after its instant, so no ordinary attempt reaches it before the round has settled.
 *
 * The journal needs the database; each acceptance is first written to the worker's own disk (accepted-log.ts), which
 * covers a dispatcher killed while the database is away. The journal covers what the disk cannot: a dispatcher
 * whose messages another machine's dispatcher adopts.
 */
import type { Collection } from 'mongodb';
import type { Models } from '../store/models';

export interface SentEntry {
  /** The outbox message's _id. */
  _id: string;
  /** When the SMTP server accepted it. */
  at: Date;
}

export const SENT_JOURNAL = 'mail_sent';

export function sentJournal(models: Models): Collection<SentEntry> {
  return models.Outbox.db.collection<SentEntry>(SENT_JOURNAL);
}

/** Whether every error of a bulk insert is a duplicate key: those entries are in the journal already. */
function onlyDuplicates(e: unknown): boolean {
  const err = e as { code?: unknown; writeErrors?: unknown };
  if (err.code === 11000) return true;
  const writeErrors = Array.isArray(err.writeErrors) ? (err.writeErrors as Array<{ code?: unknown }>) : [];
  return writeErrors.length > 0 && writeErrors.every((w) => w.code === 11000);
}

/** Records that the SMTP server accepted these messages. Writing an entry again changes nothing. */
export async function journalSent(models: Models, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  try {
    await sentJournal(models).insertMany(
      ids.map((_id) => ({ _id, at })),
      { ordered: false }
    );
  } catch (e) {
    if (!onlyDuplicates(e)) throw e;
  }
}

/**
 * Those of `ids` the journal holds (read by `_id`). One id is looked up by equality, which FerretDB's SQLite
 * backend answers from its primary key; a list by `$in`, which only the PostgreSQL backend's patch pushes down.
 */
export async function journalled(models: Models, ids: readonly string[]): Promise<Map<string, Date>> {
  if (ids.length === 0) return new Map();
  const found = await sentJournal(models)
    .find({ _id: ids.length === 1 ? (ids[0] as string) : { $in: [...ids] } })
    .toArray();
  return new Map(found.map((e) => [e._id, e.at]));
}

/**
 * Turns journal entries into "sent" marks: each message marked sent (when it is not already), then its entry
 * deleted. Answers how many were settled.
 */
export async function settleJournal(models: Models, entries: ReadonlyMap<string, Date>, width = 4): Promise<number> {
  const todo = [...entries];
  let i = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let next = todo[i++]; next !== undefined; next = todo[i++]) {
        const [id, at] = next;
        await models.Outbox.updateOne(
          { _id: id, status: { $ne: 'sent' } },
          { $set: { status: 'sent', sentAt: at }, $unset: { claimToken: 1, lastError: 1 } }
        );
        await sentJournal(models).deleteOne({ _id: id });
      }
    })
  );
  return todo.length;
}
