/**
 * The audit trail is tamper-evident: on the real MongoDB-protocol server, a hash-chained trail is written
 * through appendAudit, then changed behind the application's back — every stored field of an entry, an
 * added or removed field, a deleted entry (first, middle, last), two entries reordered, a forged entry, an
 * entry re-hashed by whoever changed it — and verifyAuditChain must report each change.
 */
import type mongoose from 'mongoose';
import { appendAudit, auditId, entryHash, verifyAuditChain, type AuditAppend } from '../../activities/store/audit';
import { createModels, driverCollection, type Models } from '../../activities/store/models';
import { mongo, testConfig, uniqueId } from '../support/env';

const config = testConfig(uniqueId('audit-tamper'));
let db: mongoose.Connection;
let models: Models;

beforeAll(async () => {
  db = await mongo(config);
  models = createModels(db);
});

afterAll(async () => {
  await db?.close();
});

const ENTRIES = 5;

/** A case with a whole trail of ENTRIES entries, and its record saying how many it wrote. */
async function trail(): Promise<string> {
  const caseId = uniqueId('tamper');
  const entries: AuditAppend[] = Array.from({ length: ENTRIES }, (_, i) => ({
    seq: i + 1,
    at: 1_767_225_600_000 + i * 60_000,
    type: i === 0 ? 'caseStarted' : 'stepApproved',
    personId: 'k-bt',
    onBehalfOf: i === 2 ? 'k-pbt' : undefined,
    stepId: `C${i + 1}`,
    data: { note: `Đồng ý bước ${i + 1}`, tally: { approve: 18, base: 20 }, documents: [{ code: 'INTRODUCTION' }] },
  }));
  await appendAudit(models, caseId, entries);
  await driverCollection(models.Case).insertOne({ _id: caseId, auditSeq: ENTRIES } as never);
  return caseId;
}

const audit = () => driverCollection(models.AuditEntry);
const set = (caseId: string, seq: number, fields: Record<string, unknown>) =>
  audit().updateOne({ _id: auditId(caseId, seq) }, { $set: fields });
const unset = (caseId: string, seq: number, field: string) =>
  audit().updateOne({ _id: auditId(caseId, seq) }, { $unset: { [field]: 1 } });

type Tamper = (caseId: string) => Promise<unknown>;

const tampers: Array<[string, Tamper]> = [
  ['caseId changed (entry moved to another case)', (c) => set(c, 3, { caseId: `${c}-other` })],
  ['seq changed', (c) => set(c, 3, { seq: 7 })],
  ['at changed by one millisecond', (c) => set(c, 3, { at: 1_767_225_600_000 + 2 * 60_000 + 1 })],
  ['type changed', (c) => set(c, 3, { type: 'stepRefused' })],
  ['personId changed', (c) => set(c, 3, { personId: 'ngoai' })],
  ['onBehalfOf changed', (c) => set(c, 3, { onBehalfOf: 'k-dv1' })],
  ['onBehalfOf removed', (c) => unset(c, 3, 'onBehalfOf')],
  ['onBehalfOf added', (c) => set(c, 2, { onBehalfOf: 'k-pbt' })],
  ['stepId changed', (c) => set(c, 3, { stepId: 'C9' })],
  ['data: a nested value changed', (c) => set(c, 3, { 'data.tally.approve': 11 })],
  ['data: a key added', (c) => set(c, 3, { 'data.extra': true })],
  ['data: a string changed by one character', (c) => set(c, 3, { 'data.note': 'Đồng ý bước 4' })],
  [
    'data: an array element changed',
    (c) =>
      set(c, 3, {
        data: { note: 'Đồng ý bước 3', tally: { approve: 18, base: 20 }, documents: [{ code: 'RESOLUTION' }] },
      }),
  ],
  ['a field added to the entry', (c) => set(c, 3, { approvedBy: 'p-bt' })],
  ['prevHash changed', (c) => set(c, 3, { prevHash: '0'.repeat(64) })],
  ['hash changed', (c) => set(c, 3, { hash: 'f'.repeat(64) })],
  [
    '_id changed',
    async (c) => {
      const doc = await audit().findOne({ _id: auditId(c, 3) });
      await audit().deleteOne({ _id: auditId(c, 3) });
      await audit().insertOne({ ...doc!, _id: `${c}|3x` });
    },
  ],
  ['first entry deleted', (c) => audit().deleteOne({ _id: auditId(c, 1) })],
  ['middle entry deleted', (c) => audit().deleteOne({ _id: auditId(c, 3) })],
  ['last entry deleted', (c) => audit().deleteOne({ _id: auditId(c, ENTRIES) })],
  // (case, seq) is a unique index, so a reordering goes through a free seq, as a tamperer would have to.
  [
    'two entries reordered (their seq swapped)',
    async (c) => {
      await set(c, 2, { seq: -1 });
      await set(c, 3, { seq: 2 });
      await set(c, 2, { seq: 3 });
    },
  ],
  [
    'two entries reordered (their contents swapped)',
    async (c) => {
      const a = await audit().findOne({ _id: auditId(c, 2) });
      const b = await audit().findOne({ _id: auditId(c, 3) });
      const { _id: _a, ...ra } = a!;
      const { _id: _b, ...rb } = b!;
      await set(c, 2, { seq: -1 });
      await audit().replaceOne({ _id: auditId(c, 3) }, ra);
      await audit().replaceOne({ _id: auditId(c, 2) }, rb);
    },
  ],
  [
    'an entry changed and re-hashed by whoever changed it',
    async (c) => {
      const doc = (await audit().findOne({ _id: auditId(c, 3) })) as unknown as Record<string, unknown>;
      const forged: Record<string, unknown> = { ...doc, personId: 'ngoai' };
      forged.hash = entryHash(forged);
      await audit().replaceOne({ _id: auditId(c, 3) }, forged as never);
    },
  ],
  [
    'a forged entry appended after the last',
    async (c) => {
      const last = (await audit().findOne({ _id: auditId(c, ENTRIES) })) as unknown as Record<string, unknown>;
      const forged: Record<string, unknown> = {
        _id: auditId(c, ENTRIES + 1),
        caseId: c,
        seq: ENTRIES + 1,
        at: 1_767_300_000_000,
        type: 'caseCompleted',
        data: {},
        prevHash: 'not-the-last-hash',
      };
      forged.hash = entryHash(forged);
      await audit().insertOne(forged as never);
      void last;
    },
  ],
];

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
