/**
 * The MongoDB record of a case as the chain workflow projects it: one `cases` document, one `case_steps`
 * document per step run, and the hash-chained `audit` entries. Written at each revision of the workflow's
 * state; every write is guarded by the workflow's clock and revision (writeIfNewer) so that a retried or late
 * activity carrying an older state never overwrites a newer one, and no transaction is needed (FerretDB has
 * none): the audit is appended and the step runs are written side by side, and the case only once both are
 * stored, so a reader never sees a case state whose audit or runs are missing.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { appendAudit, canonicalJson, type AuditAppend, type AuditTail } from './audit';
import type { Collection, Filter, UpdateFilter } from 'mongodb';
import {
  driverCollection,
  isDuplicateKey,
  type CaseDoc,
  type CaseStepDoc,
  type Models,
  type StepRunRef,
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

/**
 * What the workflow hands over to store: the case record as `cases` holds it, but for what the store keeps
 * itself (its `_id`, the audit's last sequence number and the step runs' digests), and its step runs.
 */
export type CaseProjection = Omit<CaseDoc, '_id' | 'auditSeq' | 'stepRuns'> & { steps: StepRunView[] };

export interface PersistCaseInput {
  projection: CaseProjection;
  audit: AuditAppend[];
  /** What the previous persistCase of this workflow run answered; spares reading what it wrote. */
  previous?: PersistCaseResult;
}

/** What a persistCase wrote: the audit chain's tail and the case's runs with their digests. */
export interface PersistCaseResult {
  audit?: AuditTail;
  stepRuns: StepRunRef[];
  /** The case's (updatedAt, revision) it wrote: the next call expects the record there (absent on older results). */
  at?: { updatedAt: number; revision: number };
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
  /** The workflow's clock at the transition that made this content (Date.now() of its workflow task). */
  updatedAt?: number;
  [field: string]: unknown;
}

/**
 * The stored documents `doc` is newer than. Writes are ordered by the workflow's clock and then by revision. By
 * revision alone, a workflow task that did not complete (its worker died, or it outran its timeout while the
 * database was away) could store revision r of a state its retry — which ran at a later clock and may have
 * taken another path, an act or a timer coming in another order — reached with other content: the retry's write
 * of revision r was refused, and the record stayed with what the workflow's history never held. A workflow
 * task's clock is the time its attempt started, which grows along the history and past every attempt that
 * failed before it; within one task, the revision orders the writes. A document stored without the clock (by an
 * earlier version) is ordered by revision.
 */
function olderThan(doc: RevisionedDoc): Filter<RevisionedDoc> {
  const r = doc.revision;
  if (doc.updatedAt === undefined) return { revision: { $lt: r } };
  return {
    $or: [
      { updatedAt: { $lt: doc.updatedAt } },
      { updatedAt: doc.updatedAt, revision: { $lt: r } },
      { updatedAt: { $exists: false }, revision: { $lt: r } },
    ],
  };
}

/** Whether a stored (updatedAt, revision) is at least as new as `doc`'s (olderThan's order). */
function atLeastAsNew(stored: { updatedAt?: unknown; revision: number }, doc: RevisionedDoc): boolean {
  if (typeof stored.updatedAt !== 'number' || doc.updatedAt === undefined) return stored.revision >= doc.revision;
  return stored.updatedAt > doc.updatedAt || (stored.updatedAt === doc.updatedAt && stored.revision >= doc.revision);
}

/**
 * Writes `doc` unless the stored document is as new or newer (olderThan): a guarded update ($set what is present,
 * $unset the optional fields that are absent), and when there is no document an insert (tried first with
 * `insertFirst`, for a document the caller believes new). Two first writes may race: the loser's insert fails
 * with 11000 and it tries the guarded update once more, which applies only if it carries the newer content.
 */
export async function writeIfNewer(
  collection: Collection<RevisionedDoc>,
  doc: RevisionedDoc,
  optional: readonly string[],
  extra: { $max?: Record<string, number>; insertFirst?: boolean; expect?: PersistCaseResult['at'] } = {}
): Promise<'written' | 'stale' | 'moved'> {
  const { _id, ...fields } = doc;
  const unset = Object.fromEntries(optional.filter((k) => fields[k] === undefined).map((k) => [k, '' as const]));
  const update: UpdateFilter<RevisionedDoc> = { $set: fields };
  if (extra.$max) update.$max = extra.$max;
  if (Object.keys(unset).length > 0) update.$unset = unset;
  // Only over the document stored at `expect`, else 'moved' and nothing written.
  if (extra.expect) {
    const { updatedAt, revision } = extra.expect;
    return (await collection.updateOne({ _id, updatedAt, revision }, update)).matchedCount > 0 ? 'written' : 'moved';
  }
  const guarded = async (): Promise<boolean> =>
    (await collection.updateOne({ _id, ...olderThan(doc) }, update)).matchedCount > 0;

  if (!extra.insertFirst && (await guarded())) return 'written';
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

/** The digest of a step run's stored content (everything but its revision), recorded on the case. */
export function runDigest(doc: Record<string, unknown>): string {
  const { revision: _revision, ...content } = doc;
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32);
}

/**
 * Persists one revision of a case: its audit entries, its step runs and its projection (see the file's doc),
 * and answers what it wrote, for the next call (`previous`). Only the step runs whose content changed are
 * written (a case of twelve steps changes one or two runs per act): the case document lists its runs with
 * the digest of each as last written (`stepRuns`), and the projection's runs are compared with the list
 * the previous call answered, or else with the stored one. Every read and write is by `_id`, the one filter
 * FerretDB's SQLite backend answers without reading the whole collection; with `previous` an act costs one
 * insert for its audit entries beside one write per changed run, then one of the case, and no read: two round
 * trips one after the other. The case is written over the record as `previous` left it; should another write have
 * come between (writeIfNewer), every run is written.
 *
 * A run whose content is unchanged keeps the revision it was last written at; readers take the runs the
 * case lists. A run's content only grows along a case (status, outcome, votes, closing), never returns to
 * an earlier value, so a late retry of an older revision cannot put back content a newer one left as is.
 */
export async function persistCase(models: Models, input: PersistCaseInput): Promise<PersistCaseResult> {
  const p = input.projection;
  checkProjection(p);
  // The audit entries and the step runs are written side by side, the case after both: a case document never
  // names a revision whose audit or runs are not stored, and an act waits for two round trips, not three.
  const appended = appendAudit(models, p.caseId, input.audit, input.previous?.audit);

  const steps = driverCollection(models.CaseStep) as unknown as Collection<RevisionedDoc>;
  const cases = driverCollection(models.Case) as unknown as Collection<RevisionedDoc>;
  const docs = p.steps.map((step, order) =>
    plain({ ...step, _id: caseStepId(p.caseId, step.stepId, step.run), caseId: p.caseId, order })
  );
  const refs: StepRunRef[] = docs.map((doc) => ({ id: doc._id, digest: runDigest(doc) }));
  const at = { updatedAt: p.updatedAt, revision: p.revision };
  const writeRuns = (which: typeof docs, known: ReadonlyMap<string, string>) =>
    Promise.all(
      which.map((doc) =>
        writeIfNewer(
          steps,
          { ...doc, ...at } satisfies CaseStepDoc as RevisionedDoc,
          STEP_OPTIONAL,
          // A run the case has never listed is new: inserted first, with no update tried before.
          { insertFirst: !known.has(doc._id) }
        )
      )
    );

  /**
   * Writes the runs this revision changed against those the case last listed (`known`); `changed[i]` says which of
   * `docs` they were. Undefined when a newer state is stored.
   */
  const runs = async (): Promise<
    { known: Map<string, string>; changed: boolean[]; firstWrite: boolean } | undefined
  > => {
    let written = input.previous?.stepRuns;
    let firstWrite = false;
    if (!written) {
      const stored = await cases.findOne({ _id: p.caseId }, { projection: { revision: 1, updatedAt: 1, stepRuns: 1 } });
      // A newer state is stored whole already (its runs were written before it): nothing here is news.
      if (stored && atLeastAsNew(stored, { _id: p.caseId, revision: p.revision, updatedAt: p.updatedAt })) return;
      written = (stored?.stepRuns ?? []) as StepRunRef[];
      firstWrite = stored === null;
    }
    const known = new Map(written.map((r) => [r.id, r.digest]));
    const changed = docs.map((doc, i) => known.get(doc._id) !== refs[i]!.digest);
    await writeRuns(
      docs.filter((_, i) => changed[i]),
      known
    );
    return { known, changed, firstWrite };
  };
  // Both are awaited before a failure is answered, so that a retry never runs beside this call's writes.
  const [auditDone, runsDone] = await Promise.allSettled([appended, runs()]);
  if (auditDone.status === 'rejected') throw auditDone.reason;
  if (runsDone.status === 'rejected') throw runsDone.reason;
  const tail = auditDone.value;
  const result: PersistCaseResult = { ...(tail ? { audit: tail } : {}), stepRuns: refs, at };
  if (!runsDone.value) return result;
  const { known, changed, firstWrite } = runsDone.value;

  const { steps: _steps, ...caseFields } = p;
  const auditSeq = input.audit.reduce((m, e) => Math.max(m, e.seq), 0);
  const doc = plain({ ...caseFields, _id: p.caseId, stepRuns: refs }) satisfies Omit<CaseDoc, 'auditSeq'>;
  // auditSeq only grows ($max), whichever revision carried the entries.
  const caseWrite = { $max: { auditSeq } };
  // The record as the previous write left it (no read): written over it. Found elsewhere, it moved since — a
  // workflow task that did not complete wrote its own state — and the runs this call did not change may hold
  // that task's content: they are written again (each where older), then the case.
  const expect = input.previous?.at;
  if (expect && (await writeIfNewer(cases, doc, CASE_OPTIONAL, { ...caseWrite, expect })) === 'written') return result;
  if (expect)
    await writeRuns(
      docs.filter((_, i) => !changed[i]),
      known
    );
  await writeIfNewer(cases, doc, CASE_OPTIONAL, { ...caseWrite, insertFirst: firstWrite });
  return result;
}

/**
 * The stored projection of a case with its step runs in the workflow's order, or null. The case document
 * lists its runs (`stepRuns`), each read by `_id`; a run it does not list is one the workflow no longer
 * shows, or one of a revision being written right now. A document written before the list existed falls
 * back to the rule of that time: every revision rewrote all its runs, so runs older than the case are not
 * its own.
 */
export async function loadCase(models: Models, caseId: string): Promise<CaseProjection | null> {
  const doc = await models.Case.findById(caseId).lean<CaseDoc>();
  if (!doc) return null;
  const { _id: _caseDocId, auditSeq: _auditSeq, stepRuns, ...projection } = doc;
  let steps: CaseStepDoc[];
  if (stepRuns) {
    const found = await Promise.all(stepRuns.map((r) => models.CaseStep.findById(r.id).lean<CaseStepDoc>()));
    steps = found.filter((s): s is CaseStepDoc => s !== null);
  } else {
    steps = await models.CaseStep.find({ caseId, revision: { $gte: doc.revision } })
      .sort({ order: 1 })
      .lean<CaseStepDoc[]>();
  }
  return {
    ...projection,
    steps: steps.map(
      ({ _id: _stepDocId, caseId: _caseId, order: _order, revision: _revision, updatedAt: _updatedAt, ...view }) => view
    ),
  };
}
