/**
 * The audit chain anchored in Temporal: a tamperer who changes the last entries of a case and computes
 * their hashes again leaves a chain that is whole in MongoDB, and only the hash the case's workflow keeps
 * in its history (auditTailQuery) shows it. The verify route (what `cadreflow audit verify` calls) must.
 */
import { entryHash, verifyAuditChain } from '../../activities/store/audit';
import { driverCollection } from '../../activities/store/models';
import { createDefaultRegistry } from '../../domain/processes';
import { as, startApi, type ApiHarness } from '../support/api';
import { advanceTo, startAdmission } from '../support/cases';

let h: ApiHarness;
beforeAll(async () => {
  // A database of its own: the shared one's organisation is edited by the API test meanwhile.
  h = await startApi('audit-anchor', createDefaultRegistry(), { ownDatabase: true });
});
afterAll(async () => {
  await h?.close();
});

async function verify(caseId: string): Promise<{ ok: boolean; problems: Array<{ seq: number; code: string }> }> {
  const r = await as(h, 'inspector', 'GET', `/api/cases/${encodeURIComponent(caseId)}/audit/verify`);
  expect(r.statusCode).toBe(200);
  return JSON.parse(r.body) as { ok: boolean; problems: Array<{ seq: number; code: string }> };
}

test('the last entry changed and hashed again is found against the hash the workflow kept', async () => {
  const caseId = await startAdmission(h);
  await advanceTo(h, 'admission', caseId, 'C2');
  expect(await verify(caseId)).toMatchObject({ ok: true, problems: [] });

  const entries = driverCollection(h.models.AuditEntry);
  const last = await entries.find({ caseId }).sort({ seq: -1 }).limit(1).next();
  if (!last) throw new Error('no audit entry');
  const forged: Record<string, unknown> = { ...last, data: { ...(last.data as object), note: 'Đã sửa sau' } };
  forged.hash = entryHash(forged);
  await entries.replaceOne({ _id: last._id }, forged as typeof last);

  // The chain alone is whole again: every hash matches its entry and its predecessor.
  expect((await verifyAuditChain(h.models, caseId)).ok).toBe(true);
  const report = await verify(caseId);
  expect(report.ok).toBe(false);
  expect(report.problems).toEqual([expect.objectContaining({ seq: last.seq, code: 'anchor' })]);
});
