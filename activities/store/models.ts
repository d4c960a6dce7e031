/**
 * The MongoDB record of cadreflow (mongoose). Everything written here must run on FerretDB v1 as well as
 * on MongoDB: no transactions, no change streams, no TTL or partial indexes, no findOneAndUpdate with a
 * projection, no keys with dots or a leading $. Writes are idempotent, keyed by business IDs.
 */
import type { Collection } from 'mongodb';
import { Schema, type Connection, type Model } from 'mongoose';
import type { BodyKind, IsoDate, RoleCode } from '../../domain/types';
import {
  admissionSubjectSchema,
  meetingSchema,
  memberRemovalSchema,
  quotaCheckpointSchema,
  quotaPlanSchema,
  type AdmissionSubjectDoc,
  type MeetingDoc,
  type MemberRemovalDoc,
  type QuotaCheckpointDoc,
  type QuotaPlanDoc,
} from './quota-store';
import { createUserModels, type UserModels } from './users';

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

/**
 * pending → sending → sent for an e-mail sent when it is owed; armed → sent for a ladder e-mail stored ahead of
 * its instant and sent then by the worker's dispatcher (activities/mail/dispatcher.ts); armed → cancelled when
 * the step moved before it.
 */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'armed' | 'cancelled';

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
  /** The attempt that holds the claim (activities/mail/outbox.ts), renewed by it while it sends. */
  claimToken?: string;
  /** The instant an armed message is due. */
  sendAt?: Date;
  /** When the SMTP server accepted it. */
  sentAt?: Date;
  /**
   * When the "sent" mark of an attempt that sent the message itself (outbox.ts sendOnce) landed, by the
   * database's clock; the dispatcher's e-mails are recorded by their journal entry (sent-journal.ts) instead.
   */
  markedAt?: Date;
  lastError?: string;
  createdAt: Date;
}

export type CaseStatus = 'open' | 'returned' | 'completed' | 'refused' | 'withdrawn' | 'escalatedToSuperior';
export type EscalationLevel = 'none' | 'reminder' | 'due' | 'escalation';

/**
 * The projection of a case the inbox and the dashboards read (`cases`, `_id` = caseId), written by the
 * chain workflow at each revision. Instants are epoch ms, as in the workflow's payloads; "overdue" is not
 * stored because it depends on the clock: readers compare `dueAt` with now. The step runs live in
 * `case_steps`.
 */
export interface CaseDoc {
  _id: string;
  caseId: string;
  process: string;
  processTitle: string;
  version: number;
  title: string;
  caseUnitId: string;
  committeeId: string;
  campaignId?: string;
  subjectName?: string;
  status: CaseStatus;
  currentStepId?: string;
  currentStepTitle?: string;
  actorLabel?: string;
  actorBodyId?: string;
  actorPersonIds: string[];
  dueAt?: number;
  escalationLevel: EscalationLevel;
  obstacles: number;
  startedAt: number;
  updatedAt: number;
  /**
   * The workflow's clock at the transition written (`updatedAt`) and its revision order the writes: only a later
   * (updatedAt, revision) replaces the document (case-store.ts, writeIfNewer), so an older retry never overwrites
   * a newer state, nor a workflow task that never completed the state its completed retry reached.
   */
  revision: number;
  /** The highest audit sequence number the workflow has recorded: a deleted tail of the audit shows. */
  auditSeq: number;
  /** The case's step runs in `case_steps`, in the workflow's order, each with the digest of its content as last written (absent on older records). */
  stepRuns?: StepRunRef[];
}

export interface StepRunRef {
  /** `_id` in `case_steps`. */
  id: string;
  digest: string;
}

export interface StepVoteDoc {
  round: number;
  approve: number;
  base: number;
  present: number;
  passed: boolean;
  explanation: string;
}

export interface StepReturnDoc {
  reasonCode: string;
  reasonLabel: string;
  note?: string;
  at: number;
  resubmitBy?: number;
}

/** One run of a step of a case (`case_steps`, `_id` = `caseId|stepId|run`). */
export interface CaseStepDoc {
  _id: string;
  caseId: string;
  stepId: string;
  run: number;
  /** The step's position in the case's list of step runs. */
  order: number;
  title: string;
  status: 'open' | 'returned' | 'done';
  outcome?: string;
  openedAt: number;
  dueAt?: number;
  closedAt?: number;
  actorLabel: string;
  actedBy?: string;
  onBehalfOf?: string;
  votes?: StepVoteDoc[];
  returned?: StepReturnDoc;
  extendedTo?: number;
  documents?: { code: string; issuedOn: string }[];
  /** The case revision that wrote this version of the document, and the case's updatedAt then (writeIfNewer). */
  updatedAt?: number;
  /** The case revision that wrote this version of the document. */
  revision: number;
}

/**
 * One entry of a case's audit trail (`audit`, `_id` = `caseId|seq`), chained by hash:
 * hash = sha256(prevHash + canonical JSON of the entry without _id, prevHash and hash).
 */
export interface AuditEntryDoc {
  _id: string;
  caseId: string;
  seq: number;
  at: number;
  type: string;
  personId?: string;
  onBehalfOf?: string;
  stepId?: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** A version of a body of the organisation tree (`_id` = `id|validFrom`: a body keeps its id across versions). */
export interface OrgBodyDoc {
  _id: string;
  id: string;
  name: string;
  kind: BodyKind;
  parentId?: string;
  validFrom: IsoDate;
  validTo?: IsoDate;
  email?: string;
}

export interface PersonDoc {
  _id: string;
  name: string;
  email: string;
}

/** `_id` = `personId|bodyId|role|from`. */
export interface RoleAssignmentDoc {
  _id: string;
  personId: string;
  bodyId: string;
  role: RoleCode;
  from: IsoDate;
  to?: IsoDate;
}

/** `_id` = the delegation's id. */
export interface DelegationDoc {
  _id: string;
  fromPersonId: string;
  toPersonId: string;
  bodyId?: string;
  from: IsoDate;
  to: IsoDate;
  stepIds?: string[];
}

/**
 * A case ID taken by a start through the API, with its process: inserted (unique by `_id`) before the
 * workflow starts, so that two starts of different processes under one ID cannot both go ahead.
 */
export interface CaseKeyDoc {
  _id: string;
  process: string;
  takenAt: Date;
}

export interface Models extends UserModels {
  CaseKey: Model<CaseKeyDoc>;
  Decision: Model<DecisionDoc>;
  Outbox: Model<OutboxDoc>;
  Case: Model<CaseDoc>;
  CaseStep: Model<CaseStepDoc>;
  AuditEntry: Model<AuditEntryDoc>;
  OrgBody: Model<OrgBodyDoc>;
  PersonModel: Model<PersonDoc>;
  RoleAssignmentModel: Model<RoleAssignmentDoc>;
  DelegationModel: Model<DelegationDoc>;
  QuotaPlan: Model<QuotaPlanDoc>;
  AdmissionSubject: Model<AdmissionSubjectDoc>;
  MemberRemoval: Model<MemberRemovalDoc>;
  Meeting: Model<MeetingDoc>;
  QuotaCheckpoint: Model<QuotaCheckpointDoc>;
}

const caseKeySchema = new Schema<CaseKeyDoc>(
  {
    _id: { type: String, required: true },
    process: { type: String, required: true },
    takenAt: { type: Date, required: true },
  },
  { collection: 'case_keys', versionKey: false }
);

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
    status: { type: String, required: true, enum: ['pending', 'sending', 'sent', 'armed', 'cancelled'] },
    attempts: { type: Number, required: true, default: 0 },
    claimedAt: Date,
    claimToken: String,
    sendAt: Date,
    sentAt: Date,
    markedAt: Date,
    lastError: String,
    createdAt: { type: Date, required: true },
  },
  { collection: 'outbox', versionKey: false }
);
outboxSchema.index({ status: 1, createdAt: 1 });

// The case record. Its documents are written with the driver (activities/store/case-store.ts) so that
// what is stored is exactly what was built, field for field; the schemas give the indexes and the types,
// and `minimize: false` keeps empty objects should mongoose ever write them.
const caseSchema = new Schema<CaseDoc>(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    process: { type: String, required: true },
    processTitle: { type: String, required: true },
    version: { type: Number, required: true },
    title: { type: String, required: true },
    caseUnitId: { type: String, required: true },
    committeeId: { type: String, required: true },
    campaignId: String,
    subjectName: String,
    status: {
      type: String,
      required: true,
      enum: ['open', 'returned', 'completed', 'refused', 'withdrawn', 'escalatedToSuperior'],
    },
    currentStepId: String,
    currentStepTitle: String,
    actorLabel: String,
    actorBodyId: String,
    actorPersonIds: { type: [String], required: true },
    dueAt: Number,
    escalationLevel: { type: String, required: true, enum: ['none', 'reminder', 'due', 'escalation'] },
    obstacles: { type: Number, required: true },
    startedAt: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
    revision: { type: Number, required: true },
    auditSeq: { type: Number, required: true },
    stepRuns: { type: [{ _id: false, id: String, digest: String }], default: undefined },
  },
  { collection: 'cases', versionKey: false, minimize: false }
);
// "What must I act on, soonest first" and "what is overdue in this committee".
caseSchema.index({ actorPersonIds: 1, status: 1, dueAt: 1 });
caseSchema.index({ committeeId: 1, status: 1, dueAt: 1 });

const caseStepSchema = new Schema<CaseStepDoc>(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    stepId: { type: String, required: true },
    run: { type: Number, required: true },
    order: { type: Number, required: true },
    title: { type: String, required: true },
    status: { type: String, required: true, enum: ['open', 'returned', 'done'] },
    outcome: String,
    openedAt: { type: Number, required: true },
    dueAt: Number,
    closedAt: Number,
    actorLabel: { type: String, required: true },
    actedBy: String,
    onBehalfOf: String,
    votes: { type: Schema.Types.Mixed, default: undefined },
    returned: { type: Schema.Types.Mixed, default: undefined },
    extendedTo: Number,
    documents: { type: Schema.Types.Mixed, default: undefined },
    updatedAt: Number,
    revision: { type: Number, required: true },
  },
  { collection: 'case_steps', versionKey: false, minimize: false }
);
caseStepSchema.index({ caseId: 1, order: 1 });

const auditEntrySchema = new Schema<AuditEntryDoc>(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Number, required: true },
    type: { type: String, required: true },
    personId: String,
    onBehalfOf: String,
    stepId: String,
    data: { type: Schema.Types.Mixed, required: true },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { collection: 'audit', versionKey: false, minimize: false }
);
// One entry per sequence number of a case, and the order verification reads them in.
auditEntrySchema.index({ caseId: 1, seq: 1 }, { unique: true });

// The organisation tree. `id: false` because the domain's `id` is a real field here, not mongoose's
// virtual alias of `_id`; optional arrays default to absent, not [], since an empty list means something.
const orgBodySchema = new Schema<OrgBodyDoc>(
  {
    _id: { type: String, required: true },
    id: { type: String, required: true, index: true },
    name: { type: String, required: true },
    kind: { type: String, required: true },
    parentId: { type: String, index: true },
    validFrom: { type: String, required: true },
    validTo: String,
    email: String,
  },
  { collection: 'org_bodies', versionKey: false, id: false }
);

const personSchema = new Schema<PersonDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
  },
  { collection: 'people', versionKey: false, id: false }
);

const roleAssignmentSchema = new Schema<RoleAssignmentDoc>(
  {
    _id: { type: String, required: true },
    personId: { type: String, required: true, index: true },
    bodyId: { type: String, required: true, index: true },
    role: { type: String, required: true },
    from: { type: String, required: true },
    to: String,
  },
  { collection: 'role_assignments', versionKey: false, id: false }
);

const delegationSchema = new Schema<DelegationDoc>(
  {
    _id: { type: String, required: true },
    fromPersonId: { type: String, required: true, index: true },
    toPersonId: { type: String, required: true, index: true },
    bodyId: { type: String, index: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    stepIds: { type: [String], default: undefined },
  },
  { collection: 'delegations', versionKey: false, id: false }
);

/** Registers the models on a connection (one per process; tests may hold several). */
export function createModels(conn: Connection): Models {
  const model = <T>(name: string, schema: Schema<T>): Model<T> =>
    (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
  return {
    CaseKey: model('CaseKey', caseKeySchema),
    Decision: model('Decision', decisionSchema),
    Outbox: model('Outbox', outboxSchema),
    Case: model('Case', caseSchema),
    CaseStep: model('CaseStep', caseStepSchema),
    AuditEntry: model('AuditEntry', auditEntrySchema),
    OrgBody: model('OrgBody', orgBodySchema),
    PersonModel: model('Person', personSchema),
    RoleAssignmentModel: model('RoleAssignment', roleAssignmentSchema),
    DelegationModel: model('Delegation', delegationSchema),
    QuotaPlan: model('QuotaPlan', quotaPlanSchema),
    AdmissionSubject: model('AdmissionSubject', admissionSubjectSchema),
    MemberRemoval: model('MemberRemoval', memberRemovalSchema),
    Meeting: model('Meeting', meetingSchema),
    QuotaCheckpoint: model('QuotaCheckpoint', quotaCheckpointSchema),
    ...createUserModels(conn),
  };
}

/**
 * The driver's collection behind a model, typed with its string `_id`: for writes that must store exactly
 * the object that was built (no casting, no defaults), such as hash-chained audit entries.
 */
export function driverCollection<T extends { _id: string }>(model: Model<T>): Collection<T> {
  return model.collection as unknown as Collection<T>;
}

/** Whether a write failed on a unique index (E11000 duplicate key). */
export function isDuplicateKey(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

/** Creates every index of every model (the worker calls it once at start; creating an existing one is a no-op). */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((m: Model<unknown>) => m.createIndexes()));
}
