/**
 * A digest of everything a request could change: every document of every collection of the harness's own
 * MongoDB database (sorted by _id, hashed per collection), the number of workflow executions on the
 * harness's task queue (Temporal visibility, which lags a little: a start is seen by a later digest if not
 * by this one) and the history length and status of each known workflow (read by ID, which does not lag).
 *
 * Left out, because it changes on requests that are rightly refused: `api_tokens.lastUsedAt`, the "last
 * used" time every request with a valid token records before the route decides (a refused act by a signed-in
 * user still used the token); and `login_failures`, the login throttle's count, which a refused sign-in must
 * raise; `mail_dispatchers`, where each worker's mail dispatcher says every few seconds that it is alive;
 * `mail_sent`, the dispatcher's journal of the e-mails of the round under way; and `mail_changes`, the notes of
 * changes to armed e-mails, which the dispatchers delete on their heartbeat once old (every change they note is
 * in the outbox too).
 * Sessions stay in: a refused request must not create or end one.
 */
import { createHash } from 'node:crypto';
import type { ApiHarness } from '../support/api';

/** Fields that record the use of a credential, not a change of the record. */
const BOOKKEEPING: Record<string, readonly string[]> = { api_tokens: ['lastUsedAt'] };
/**
 * Collections that only count attempts, say which mail dispatchers are alive, journal a round's e-mails, or note
 * changes to armed e-mails.
 */
const COUNTERS = new Set(['login_failures', 'mail_dispatchers', 'mail_sent', 'mail_changes']);

export interface StateDigest {
  collections: Record<string, { count: number; hash: string }>;
  temporal: { onTaskQueue: number; workflows: Record<string, string> };
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const json = (v as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return canonical(json.call(v));
  if ((v as { _bsontype?: string })._bsontype) return JSON.stringify((v as { toString(): string }).toString());
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
}

export async function digestState(h: ApiHarness, workflowIds: readonly string[]): Promise<StateDigest> {
  const db = h.db.db;
  if (!db) throw new Error('no MongoDB connection');
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => !n.startsWith('system.') && !COUNTERS.has(n))
    .sort();
  const collections: StateDigest['collections'] = {};
  await Promise.all(
    names.map(async (name) => {
      const skip = BOOKKEEPING[name] ?? [];
      const docs = (await db.collection(name).find({}).toArray()).map((d) => {
        const copy: Record<string, unknown> = { ...d };
        for (const f of skip) delete copy[f];
        return canonical(copy);
      });
      docs.sort();
      const hash = createHash('sha256');
      for (const d of docs) hash.update(d).update('\n');
      collections[name] = { count: docs.length, hash: hash.digest('hex').slice(0, 16) };
    })
  );
  const client = h.temporal.client.workflow;
  const [onTaskQueue, described] = await Promise.all([
    client.count(`TaskQueue = '${h.config.temporal.taskQueue}'`).then((c) => c.count),
    Promise.all(
      workflowIds.map(async (id) => {
        const d = await client.getHandle(id).describe();
        return [id, `${d.status.name}/${d.historyLength}`] as const;
      })
    ),
  ]);
  return { collections, temporal: { onTaskQueue, workflows: Object.fromEntries(described) } };
}

/** What differs between two digests, one line each ("cases: 4 → 5 documents", "workflow …: RUNNING/12 → …"). */
export function diffState(a: StateDigest, b: StateDigest): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(a.collections), ...Object.keys(b.collections)])].sort()) {
    const x = a.collections[name];
    const y = b.collections[name];
    if (x?.hash === y?.hash) continue;
    out.push(
      `${name}: ${x?.count ?? 0} → ${y?.count ?? 0} documents${x?.count === y?.count ? ' (contents changed)' : ''}`
    );
  }
  if (a.temporal.onTaskQueue !== b.temporal.onTaskQueue)
    out.push(`workflows on the task queue: ${a.temporal.onTaskQueue} → ${b.temporal.onTaskQueue}`);
  for (const [id, v] of Object.entries(a.temporal.workflows))
    if (b.temporal.workflows[id] !== v) out.push(`workflow ${id}: ${v} → ${b.temporal.workflows[id]}`);
  return out;
}

/** Waits until two digests in a row agree (the last projections and visibility records have landed). */
export async function settledState(
  h: ApiHarness,
  workflowIds: readonly string[],
  timeoutMs = 30_000
): Promise<StateDigest> {
  const deadline = Date.now() + timeoutMs;
  let last = await digestState(h, workflowIds);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const next = await digestState(h, workflowIds);
    if (diffState(last, next).length === 0) return next;
    if (Date.now() > deadline) throw new Error(`the state did not settle: ${diffState(last, next).join('; ')}`);
    last = next;
  }
}
