/**
 * The MongoDB record of a case as the chain workflow projects it: one `cases` document, one `case_steps`
 * document per step run, and the hash-chained `audit` entries. Written at each revision of the workflow's
 * state; every write is guarded by the revision so that a retried or late activity carrying an older state
 * never overwrites a newer one, and no transaction is needed (FerretDB has none): the audit is appended
 * first, then the step runs, then the case, so a reader never sees a case state whose audit is missing.
 */
import { ApplicationFailure } from '@temporalio/common';
import { appendAudit, type AuditAppend } from './audit';
import type { Collection, UpdateFilter } from 'mongodb';
import {
  driverCollection,
  type CaseDoc,
  type CaseStatus,
  type CaseStepDoc,
  type EscalationLevel,
  type Models,
} from './models';

export interface StepRunView {
  stepId: string;
  run: number;
  title: string;
  status: 'open' | 'returned' | 'done';
  outcome?: string;
  openedAt: number;
  dueAt?: number;
  closedAt?: number;
  actorLabel: string;
  actedBy?: string;
  onBehalfOf?: string;
  votes?: { round: number; approve: number; base: number; present: number; passed: boolean; explanation: string }[];
  returned?: { reasonCode: string; reasonLabel: string; note?: string; at: number; resubmitBy?: number };
  extendedTo?: number;
  documents?: { code: string; issuedOn: string }[];
}

export interface CaseProjection {
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
  revision: number;
  steps: StepRunView[];
}

export interface PersistCaseInput {
  projection: CaseProjection;
  audit: AuditAppend[];
}

export function caseStepId(caseId: string, stepId: string, run: number): string {
  return `${caseId}|${stepId}|${run}`;
}

const CASE_OPTIONAL = [
  'campaignId',
  'subjectName',
  'currentStepId',
  'currentStepTitle',
  'actorLabel',
  'actorBodyId',
  'dueAt',
] as const;

const STEP_OPTIONAL = [
  'outcome',
  'dueAt',
  'closedAt',
  'actedBy',
  'onBehalfOf',
  'votes',
  'returned',
  'extendedTo',
  'documents',
] as const;

/** A copy as MongoDB will store it: JSON semantics, no undefined field anywhere. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export interface RevisionedDoc {
  _id: string;
  revision: number;
  [field: string]: unknown;
}

function isDuplicateKey(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

/**
 * Writes `doc` at `revision` unless the stored document is at that revision or a newer one: a guarded
 * update ($set what is present, $unset the optional fields that are absent), and when there is no document
 * an insert. Two first writes may race: the loser's insert fails with 11000 and it tries the guarded update
 * once more, which applies only if it carries the newer revision.
 */
export async function writeIfNewer(
  collection: Collection<RevisionedDoc>,
  doc: RevisionedDoc,
  optional: readonly string[],
  extra: { $max?: Record<string, number> } = {}
): Promise<'written' | 'stale'> {
  const { _id, ...fields } = doc;
  const unset = Object.fromEntries(optional.filter((k) => fields[k] === undefined).map((k) => [k, '' as const]));
  const update: UpdateFilter<RevisionedDoc> = { $set: fields, ...extra };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  const guarded = async (): Promise<boolean> =>
    (await collection.updateOne({ _id, revision: { $lt: doc.revision } }, update)).matchedCount > 0;

  if (await guarded()) return 'written';
  try {
    const inserted: Record<string, unknown> = { _id, ...fields };
    for (const [k, v] of Object.entries(extra.$max ?? {})) inserted[k] = v;
    await collection.insertOne(inserted as RevisionedDoc);
    return 'written';
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
  }
  return (await guarded()) ? 'written' : 'stale';
}

function checkProjection(p: CaseProjection): void {
  const bad = (what: string): never => {
    throw ApplicationFailure.nonRetryable(`persistCase ${String(p.caseId)}: ${what}`, 'INVALID_INPUT');
  };
  if (typeof p.caseId !== 'string' || p.caseId === '') bad('caseId is empty');
  if (!Number.isSafeInteger(p.revision) || p.revision < 0) bad(`revision ${p.revision} is not a whole number >= 0`);
  const seen = new Set<string>();
  for (const s of p.steps) {
    if (typeof s.stepId !== 'string' || s.stepId === '' || s.stepId.includes('|')) bad(`bad step id "${s.stepId}"`);
    if (!Number.isSafeInteger(s.run) || s.run < 1) bad(`step ${s.stepId}: run ${s.run} is not a whole number >= 1`);
    const key = `${s.stepId}|${s.run}`;
    if (seen.has(key)) bad(`step ${s.stepId} run ${s.run} appears twice`);
    seen.add(key);
  }
}

/** Persists one revision of a case: its audit entries, its step runs and its projection (see the file's doc). */
export async function persistCase(models: Models, input: PersistCaseInput): Promise<void> {
  const p = input.projection;
  checkProjection(p);
  await appendAudit(models, p.caseId, input.audit);

  await Promise.all(
    p.steps.map(async (step, order) => {
      const doc = plain({ ...step, _id: caseStepId(p.caseId, step.stepId, step.run), caseId: p.caseId, order });
      await writeIfNewer(
        driverCollection(models.CaseStep) as unknown as Collection<RevisionedDoc>,
        { ...doc, revision: p.revision } satisfies CaseStepDoc,
        STEP_OPTIONAL
      );
    })
  );

  const { steps: _steps, ...caseFields } = p;
  const auditSeq = input.audit.reduce((m, e) => Math.max(m, e.seq), 0);
  const doc = plain({ ...caseFields, _id: p.caseId }) satisfies Omit<CaseDoc, 'auditSeq'>;
  // auditSeq only grows ($max), whichever revision carried the entries.
  await writeIfNewer(driverCollection(models.Case) as unknown as Collection<RevisionedDoc>, doc, CASE_OPTIONAL, {
    $max: { auditSeq },
  });
}

/**
 * The stored projection of a case with its step runs in the workflow's order, or null. Each revision
 * rewrites all its step runs, so a run with an older revision than the case's is one the workflow no
 * longer lists; a newer one belongs to a revision being written right now.
 */
export async function loadCase(models: Models, caseId: string): Promise<CaseProjection | null> {
  const doc = await models.Case.findById(caseId).lean<CaseDoc>();
  if (!doc) return null;
  const steps = await models.CaseStep.find({ caseId, revision: { $gte: doc.revision } })
    .sort({ order: 1 })
    .lean<CaseStepDoc[]>();
  const { _id: _caseDocId, auditSeq: _auditSeq, ...projection } = doc;
  return {
    ...projection,
    steps: steps.map(({ _id: _stepDocId, caseId: _caseId, order: _order, revision: _revision, ...view }) => view),
  };
}
