/**
 * The audit trail of a case: append-only entries chained by hash, so that a changed, deleted, reordered or
 * forged entry shows when the chain is recomputed.
 *
 *   hash = sha256(prevHash + canonicalJson(entry without _id, prevHash and hash))   (hex)
 *
 * prevHash is the hash of the entry seq-1 of the same case ('' for seq 1). The hash is computed from the
 * exact object that is stored, written with the driver (no mongoose casting), and verification recomputes it
 * from the object read back; canonicalJson makes the two agree (sorted keys, no undefined fields).
 *
 * Every write is idempotent and keyed by (case, seq): an entry already stored is left alone, so a retried
 * or replayed activity never appends twice and never rewrites history.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { driverCollection, isDuplicateKey, type AuditEntryDoc, type CaseDoc, type Models } from './models';

/** What the workflow appends; `data` is plain JSON. */
export interface AuditAppend {
  seq: number;
  /** Epoch ms. */
  at: number;
  type: string;
  personId?: string;
  onBehalfOf?: string;
  stepId?: string;
  data: Record<string, unknown>;
}

export type AuditProblemCode = 'changed' | 'broken-link' | 'missing' | 'bad-id' | 'duplicate' | 'anchor';

export interface AuditProblem {
  caseId: string;
  seq: number;
  /** What is wrong, in Vietnamese, for the person who reads the report. */
  problem: string;
  /** Stable, for programs. */
  code: AuditProblemCode;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries read. */
  checked: number;
  problems: AuditProblem[];
}

export function auditId(caseId: string, seq: number): string {
  return `${caseId}|${seq}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * JSON with the keys of every object sorted and undefined fields left out. Anything that is not JSON (a
 * Date, a BSON value) can only come from a document changed behind our back; it gets a tagged form, so it
 * hashes deterministically and differently from what was written.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      if (value instanceof Date) return canonicalJson({ $date: value.getTime() });
      if (!isPlainObject(value)) {
        const tag = (value as { _bsontype?: unknown })._bsontype;
        return canonicalJson({ $bson: typeof tag === 'string' ? tag : 'object', value: JSON.stringify(value) ?? '' });
      }
      const keys = Object.keys(value)
        .filter((k) => value[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not JSON`);
  }
}

/** The hash of an entry as stored: everything but `_id`, `prevHash` and `hash` is covered. */
export function entryHash(entry: Record<string, unknown>): string {
  const { _id: _ignoredId, prevHash, hash: _ignoredHash, ...content } = entry;
  return createHash('sha256')
    .update((typeof prevHash === 'string' ? prevHash : canonicalJson(prevHash ?? null)) + canonicalJson(content))
    .digest('hex');
}

/**
 * `data` as it will read back from MongoDB: JSON semantics (what a Temporal payload carries anyway), strings
 * re-encoded as UTF-8 would store them (a lone surrogate becomes U+FFFD), and keys FerretDB accepts.
 */
function storableData(caseId: string, seq: number, data: unknown): Record<string, unknown> {
  const json: unknown = JSON.parse(JSON.stringify(data ?? {}));
  if (!isPlainObject(json)) {
    throw ApplicationFailure.nonRetryable(`audit ${caseId}#${seq}: data must be an object`, 'INVALID_INPUT');
  }
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('utf8');
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('.') || k.startsWith('$') || k.includes('\0') || k === '') {
          throw ApplicationFailure.nonRetryable(
            `audit ${caseId}#${seq}: key "${path}${k}" cannot be stored (empty, a dot, a leading $ or a NUL)`,
            'INVALID_INPUT'
          );
        }
        out[Buffer.from(k, 'utf8').toString('utf8')] = walk(x, `${path}${k}.`);
      }
      return out;
    }
    return v;
  };
  return walk(json, '') as Record<string, unknown>;
}

/** The document stored for an entry (without its hash fields), with no undefined field. */
function entryContent(caseId: string, entry: AuditAppend): Omit<AuditEntryDoc, '_id' | 'prevHash' | 'hash'> {
  const optional = (k: 'personId' | 'onBehalfOf' | 'stepId') => (entry[k] === undefined ? {} : { [k]: entry[k] });
  return {
    caseId,
    seq: entry.seq,
    at: entry.at,
    type: entry.type,
    ...optional('personId'),
    ...optional('onBehalfOf'),
    ...optional('stepId'),
    data: storableData(caseId, entry.seq, entry.data),
  };
}

/** The last entry of a case's chain as its writer knows it. */
export interface AuditTail {
  seq: number;
  hash: string;
}

/**
 * Appends entries to a case's chain, in seq order, and answers the chain's tail after them. An entry whose
 * (case, seq) is stored is left alone; a new one is chained to the stored entry seq-1, and when that one is
 * missing (an earlier append has not happened yet) a retryable Error is thrown, so the activity waits for
 * the chain to be whole. When the caller knows the tail the entries follow (`known`, from its previous
 * append), nothing is read first: the new entries are inserted in one command, and when one of them is stored
 * already, one at a time, reading each that is.
 */
export async function appendAudit(
  models: Models,
  caseId: string,
  entries: readonly AuditAppend[],
  known?: AuditTail
): Promise<AuditTail | undefined> {
  if (entries.length === 0) return known;
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  for (const e of sorted) {
    if (!Number.isSafeInteger(e.seq) || e.seq < 1) {
      throw ApplicationFailure.nonRetryable(
        `audit ${caseId}: seq ${e.seq} is not a whole number >= 1`,
        'INVALID_INPUT'
      );
    }
    if (!Number.isFinite(e.at) || typeof e.type !== 'string' || e.type === '') {
      throw ApplicationFailure.nonRetryable(`audit ${caseId}#${e.seq}: needs a numeric at and a type`, 'INVALID_INPUT');
    }
  }
  const hashes = new Map<string, string>();
  const first = sorted[0] as AuditAppend;
  if (known && known.seq === first.seq - 1) {
    hashes.set(auditId(caseId, known.seq), known.hash);
  } else {
    // The stored hashes of the entries and of their predecessors, one lookup by _id each (usually two):
    // the only filter every MongoDB-protocol server answers from its primary key, where `_id: {$in}`
    // makes FerretDB's SQLite backend read the whole collection.
    const ids = new Set<string>();
    for (const e of sorted) {
      ids.add(auditId(caseId, e.seq));
      if (e.seq > 1) ids.add(auditId(caseId, e.seq - 1));
    }
    const stored = await Promise.all(
      [...ids].map((id) =>
        models.AuditEntry.findById(id).select({ hash: 1 }).lean<Pick<AuditEntryDoc, '_id' | 'hash'>>()
      )
    );
    for (const d of stored) if (d) hashes.set(d._id, d.hash);
  }

  /** The document of `e` chained to the hash of its predecessor in `known`. */
  const chained = (e: AuditAppend, known: ReadonlyMap<string, string>): Record<string, unknown> => {
    const prevHash = e.seq === 1 ? '' : known.get(auditId(caseId, e.seq - 1));
    if (prevHash === undefined) {
      throw new Error(`audit ${caseId}: entry ${e.seq - 1} is not recorded yet, cannot chain entry ${e.seq}`);
    }
    const doc: Record<string, unknown> = { _id: auditId(caseId, e.seq), ...entryContent(caseId, e), prevHash };
    doc.hash = entryHash(doc);
    return doc;
  };

  // The entries not stored yet (an act appends three) go in one insert: one command and one commit on the
  // server instead of one each. Should another attempt have stored one of them meanwhile, the insert stops at
  // it, and the loop below takes the entries one at a time: what is stored stays, and the next is chained to it.
  const fresh = sorted.filter((e) => !hashes.has(auditId(caseId, e.seq)));
  if (fresh.length > 1) {
    const planned = new Map(hashes);
    const docs = fresh.map((e) => {
      const doc = chained(e, planned);
      planned.set(doc._id as string, doc.hash as string);
      return doc;
    });
    try {
      await driverCollection(models.AuditEntry).insertMany(docs as unknown as AuditEntryDoc[], { ordered: true });
      for (const doc of docs) hashes.set(doc._id as string, doc.hash as string);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  for (const e of sorted) {
    const id = auditId(caseId, e.seq);
    if (hashes.has(id)) continue;
    const doc = chained(e, hashes);
    try {
      await driverCollection(models.AuditEntry).insertOne(doc as unknown as AuditEntryDoc);
      hashes.set(id, doc.hash as string);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Written meanwhile by another attempt: chain the next entries to what is stored.
      const winner = await models.AuditEntry.findById(id).select({ hash: 1 }).lean<Pick<AuditEntryDoc, 'hash'>>();
      if (!winner) throw err;
      hashes.set(id, winner.hash);
    }
  }
  const last = sorted[sorted.length - 1] as AuditAppend;
  return { seq: last.seq, hash: hashes.get(auditId(caseId, last.seq)) as string };
}

/**
 * Recomputes the chain of one case, or of every case, and reports each entry whose content no longer matches
 * its hash ('changed'), whose prevHash is not the hash of the entry before it ('broken-link'), each gap in
 * the sequence and a tail shorter than the case's recorded `auditSeq` ('missing'), and entries filed under
 * a wrong `_id` ('bad-id'). Reads the entries as one sorted stream, so memory stays flat.
 */
export async function verifyAuditChain(models: Models, caseId?: string): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  let checked = 0;
  const lastSeq = new Map<string, number>();

  let current: string | undefined;
  let expected = 1;
  let previousHash = '';
  const filter = caseId === undefined ? {} : { caseId };
  const cursor = models.AuditEntry.find(filter).sort({ caseId: 1, seq: 1 }).lean<Record<string, unknown>>().cursor();
  for await (const raw of cursor) {
    const entry = raw as unknown as Record<string, unknown> & { caseId: string; seq: number };
    checked += 1;
    if (entry.caseId !== current) {
      current = entry.caseId;
      expected = 1;
      previousHash = '';
    }
    const c = entry.caseId;
    const stored: unknown = entry.seq;
    // A seq changed into something that is not a whole number is reported where it was read, so that every
    // problem has a whole-number position a report can print.
    const validSeq = typeof stored === 'number' && Number.isSafeInteger(stored);
    const seq = validSeq ? stored : expected;
    const report = (at: number, code: AuditProblemCode, problem: string): void => {
      problems.push({ caseId: c, seq: at, problem, code });
    };
    if (!validSeq) {
      report(seq, 'duplicate', `Một mục có số thứ tự «${JSON.stringify(stored) ?? 'trống'}» không hợp lệ.`);
    } else {
      if (entry._id !== auditId(c, seq)) {
        report(seq, 'bad-id', `Mục ${seq} được lưu với mã «${String(entry._id)}» không khớp với hồ sơ và số thứ tự.`);
      }
      if (seq < expected) {
        report(seq, 'duplicate', `Mục ${seq} trùng hoặc sai thứ tự trong nhật ký.`);
      } else if (seq > expected) {
        report(
          expected,
          'missing',
          seq - expected === 1
            ? `Thiếu mục ${expected} trong nhật ký.`
            : `Thiếu các mục từ ${expected} đến ${seq - 1} trong nhật ký.`
        );
      } else if (entry.prevHash !== previousHash) {
        report(seq, 'broken-link', `Mục ${seq} không nối với mục ${seq - 1}: mã băm của mục trước không khớp.`);
      }
    }
    let recomputed: string | undefined;
    try {
      recomputed = entryHash(entry);
    } catch {
      recomputed = undefined;
    }
    if (recomputed === undefined || recomputed !== entry.hash) {
      report(seq, 'changed', `Nội dung mục ${seq} đã bị thay đổi sau khi ghi (mã băm không khớp).`);
    }
    previousHash = typeof entry.hash === 'string' ? entry.hash : '';
    if (validSeq) {
      expected = Math.max(expected, seq + 1);
      lastSeq.set(c, Math.max(lastSeq.get(c) ?? 0, seq));
    }
  }

  // A deleted tail leaves no gap: compare with the highest sequence number the case says it recorded.
  const caseFilter = caseId === undefined ? { auditSeq: { $gt: 0 } } : { _id: caseId, auditSeq: { $gt: 0 } };
  const cases = await models.Case.find(caseFilter).select({ auditSeq: 1 }).lean<Pick<CaseDoc, '_id' | 'auditSeq'>[]>();
  for (const k of cases) {
    const last = lastSeq.get(k._id) ?? 0;
    if (k.auditSeq > last) {
      problems.push({
        caseId: k._id,
        seq: last + 1,
        code: 'missing',
        problem:
          k.auditSeq === last + 1
            ? `Thiếu mục ${last + 1} ở cuối nhật ký (hồ sơ đã ghi đến mục ${k.auditSeq}).`
            : `Thiếu các mục từ ${last + 1} đến ${k.auditSeq} ở cuối nhật ký.`,
      });
    }
  }
  problems.sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : a.seq - b.seq));
  return { ok: problems.length === 0, checked, problems };
}
