/**
 * Exactly-once e-mail through a MongoDB outbox. Each message has a business key (case, step, level,
 * round); the first writer inserts it, a sender claims it (pending → sending), sends it over SMTP with a
 * Message-ID derived from the key, and marks it sent. A retry, a replayed activity or a second worker
 * finds it sent and does nothing. SMTP failures put it back to pending and throw, so the activity's
 * retry policy waits out a lost mail server.
 *
 * The one window left: a worker that dies after the SMTP server accepted the message and before it was
 * marked sent. Its claim expires after CLAIM_LEASE_MS and the message is sent again with the same
 * Message-ID, which lets the receiving server or client discard the copy.
 */
import { createHash } from 'node:crypto';
import type { Models, OutboxDoc } from '../store/models';

export const CLAIM_LEASE_MS = 60_000;

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
  constructor(id: string) {
    super(`outbox message ${id} is being sent by another attempt`);
    this.name = 'OutboxBusyError';
  }
}

export async function sendOnce(
  models: Models,
  transport: MailTransport,
  key: OutboxKey,
  mail: OutgoingMail,
  now: () => Date = () => new Date()
): Promise<OutboxResult> {
  const id = outboxId(key);
  const messageId = messageIdFor(key);
  await models.Outbox.updateOne(
    { _id: id },
    {
      $setOnInsert: {
        caseId: key.caseId,
        stepId: key.stepId,
        level: key.level,
        round: key.round,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        status: 'pending',
        attempts: 0,
        createdAt: now(),
      },
    },
    { upsert: true }
  );
  const claimedAt = now();
  const claim = await models.Outbox.updateOne(
    {
      _id: id,
      $or: [
        { status: 'pending' },
        { status: 'sending', claimedAt: { $lt: new Date(claimedAt.getTime() - CLAIM_LEASE_MS) } },
      ],
    },
    { $set: { status: 'sending', claimedAt }, $inc: { attempts: 1 } }
  );
  if (claim.modifiedCount === 0) {
    const doc = await models.Outbox.findById(id).lean<OutboxDoc>();
    if (doc?.status === 'sent') return { status: 'already-sent', messageId };
    throw new OutboxBusyError(id);
  }
  // The stored copy is what goes out: a retry with a re-rendered body must not change the message.
  const stored = await models.Outbox.findById(id).lean<OutboxDoc>();
  if (!stored) throw new Error(`outbox message ${id} vanished after it was claimed`);
  try {
    await transport.send({ to: stored.to, subject: stored.subject, text: stored.text, html: stored.html, messageId });
  } catch (e) {
    await models.Outbox.updateOne(
      { _id: id, status: 'sending' },
      { $set: { status: 'pending', lastError: (e as Error).message } }
    );
    throw e;
  }
  await models.Outbox.updateOne({ _id: id }, { $set: { status: 'sent', sentAt: now() }, $unset: { lastError: 1 } });
  return { status: 'sent', messageId };
}
