/**
 * The MongoDB record of cadreflow (mongoose). Everything written here must run on FerretDB v1 as well as
 * on MongoDB: no transactions, no change streams, no TTL or partial indexes, no findOneAndUpdate with a
 * projection, no keys with dots or a leading $. Writes are idempotent, keyed by business IDs.
 */
import { Schema, type Connection, type Model } from 'mongoose';

/** A decision on a step: at most one per (case, step, round), keyed by `_id`. */
export interface DecisionDoc {
  _id: string;
  caseId: string;
  stepId: string;
  personId: string;
  decision: 'approve' | 'refuse';
  reason?: string;
  decidedAt: Date;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent';

/**
 * An e-mail of the outbox, keyed by (case, step, level, round) so that each goes out once whatever
 * retries, restarts or replays happen.
 */
export interface OutboxDoc {
  _id: string;
  caseId: string;
  stepId: string;
  level: string;
  round: number;
  to: string[];
  subject: string;
  text: string;
  html: string;
  status: OutboxStatus;
  attempts: number;
  claimedAt?: Date;
  sentAt?: Date;
  lastError?: string;
  createdAt: Date;
}

export interface Models {
  Decision: Model<DecisionDoc>;
  Outbox: Model<OutboxDoc>;
}

const decisionSchema = new Schema<DecisionDoc>(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true, index: true },
    stepId: { type: String, required: true },
    personId: { type: String, required: true },
    decision: { type: String, required: true, enum: ['approve', 'refuse'] },
    reason: String,
    decidedAt: { type: Date, required: true },
  },
  { collection: 'decisions', versionKey: false }
);

const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true, index: true },
    stepId: { type: String, required: true },
    level: { type: String, required: true },
    round: { type: Number, required: true },
    to: { type: [String], required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'sending', 'sent'] },
    attempts: { type: Number, required: true, default: 0 },
    claimedAt: Date,
    sentAt: Date,
    lastError: String,
    createdAt: { type: Date, required: true },
  },
  { collection: 'outbox', versionKey: false }
);
outboxSchema.index({ status: 1, createdAt: 1 });

/** Registers the models on a connection (one per process; tests may hold several). */
export function createModels(conn: Connection): Models {
  const model = <T>(name: string, schema: Schema<T>): Model<T> =>
    (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
  return {
    Decision: model('Decision', decisionSchema),
    Outbox: model('Outbox', outboxSchema),
  };
}
