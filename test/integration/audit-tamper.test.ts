/**
 * The audit trail is tamper-evident: on the real MongoDB-protocol server, a hash-chained trail is written
 * through appendAudit, then changed behind the application's back — every stored field of an entry, an
 * added or removed field, a deleted entry (first, middle, last), two entries reordered, a forged entry, an
 * entry re-hashed by whoever changed it, an extra entry inserted — and verifyAuditChain must report each
 * change (test/support/audit-tamper.ts; the same changes through `cadreflow audit verify` in
 * test/e2e/audit-verify.test.ts).
 */
import type mongoose from 'mongoose';
import { auditId, verifyAuditChain } from '../../activities/store/audit';
import { createModels, driverCollection, type Models } from '../../activities/store/models';
import { ENTRIES, tamperKit } from '../support/audit-tamper';
import { mongo, testConfig, uniqueId } from '../support/env';

const config = testConfig(uniqueId('audit-tamper'));
let db: mongoose.Connection;
let models: Models;
const { trail, set, tampers } = tamperKit(() => models);
const audit = () => driverCollection(models.AuditEntry);

beforeAll(async () => {
  db = await mongo(config);
  models = createModels(db);
});

afterAll(async () => {
  await db?.close();
});

test('an untouched trail verifies', async () => {
  const caseId = await trail();
  const v = await verifyAuditChain(models, caseId);
  expect(v).toMatchObject({ ok: true, checked: ENTRIES, problems: [] });
});

test.each(tampers)('detected: %s', async (_name, tamper) => {
  const caseId = await trail();
  await tamper(caseId);
  const v = await verifyAuditChain(models, caseId);
  expect(v.ok).toBe(false);
  expect(v.problems.length).toBeGreaterThan(0);
  for (const p of v.problems) {
    expect(p.caseId).toBe(caseId);
    expect(p.problem).toMatch(/\S/);
    // Every problem has a whole-number position, even when the stored seq is not one.
    expect(Number.isSafeInteger(p.seq)).toBe(true);
  }
});

test('a duplicate of an entry under another id is refused by the unique (case, seq) index', async () => {
  const caseId = await trail();
  const doc = await audit().findOne({ _id: auditId(caseId, 2) });
  await expect(audit().insertOne({ ...doc!, _id: `${caseId}|2-copy` })).rejects.toMatchObject({ code: 11000 });
  expect((await verifyAuditChain(models, caseId)).ok).toBe(true);
});

test('a whole-database verification reports the tampered case and only it', async () => {
  const clean = await trail();
  const tampered = await trail();
  await set(tampered, 2, { type: 'caseWithdrawn' });
  const v = await verifyAuditChain(models);
  const cases = new Set(v.problems.map((p) => p.caseId));
  expect(cases.has(tampered)).toBe(true);
  expect(cases.has(clean)).toBe(false);
});
