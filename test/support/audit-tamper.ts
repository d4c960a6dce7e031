/**
 * Tampering with a stored audit trail behind the application's back, as someone with write access to the
 * database would: a whole hash-chained trail is written through appendAudit, then one kind of change is made
 * to it with the driver (no application code). Shared by the test of verifyAuditChain itself
 * (test/integration/audit-tamper.test.ts) and the test of the `cadreflow audit verify` command
 * (test/e2e/audit-verify.test.ts).
 */
import { appendAudit, auditId, entryHash, type AuditAppend } from '../../activities/store/audit';
import { driverCollection, type Models } from '../../activities/store/models';
import { uniqueId } from './env';

/** Entries of every trail written here. */
export const ENTRIES = 5;

export type Tamper = (caseId: string) => Promise<unknown>;

export interface TamperKit {
  /** A case with a whole trail of ENTRIES entries, and its record saying how many it wrote. */
  trail: () => Promise<string>;
  /** `$set` on one stored entry. */
  set: (caseId: string, seq: number, fields: Record<string, unknown>) => Promise<unknown>;
  /** Every kind of change, by name. */
  tampers: Array<[string, Tamper]>;
}

/** `models` is read when a trail is written or changed, so the kit can be made before the connection is open. */
export function tamperKit(models: () => Models): TamperKit {
  const audit = () => driverCollection(models().AuditEntry);
  const set = (caseId: string, seq: number, fields: Record<string, unknown>) =>
    audit().updateOne({ _id: auditId(caseId, seq) }, { $set: fields });
  const unset = (caseId: string, seq: number, field: string) =>
    audit().updateOne({ _id: auditId(caseId, seq) }, { $unset: { [field]: 1 } });

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
    await appendAudit(models(), caseId, entries);
    await driverCollection(models().Case).insertOne({ _id: caseId, auditSeq: ENTRIES } as never);
    return caseId;
  }

  const tampers: Array<[string, Tamper]> = [
    ['caseId changed (entry moved to another case)', (c) => set(c, 3, { caseId: `${c}-other` })],
    ['seq changed', (c) => set(c, 3, { seq: 7 })],
    ['seq changed into a text', (c) => set(c, 3, { seq: 'ba' })],
    ['at changed by one millisecond', (c) => set(c, 3, { at: 1_767_225_600_000 + 2 * 60_000 + 1 })],
    ['type changed', (c) => set(c, 3, { type: 'stepRefused' })],
    ['personId changed', (c) => set(c, 3, { personId: 'ngoai' })],
    ['onBehalfOf changed', (c) => set(c, 3, { onBehalfOf: 'k-dv1' })],
    ['onBehalfOf removed', (c) => unset(c, 3, 'onBehalfOf')],
    ['onBehalfOf added', (c) => set(c, 2, { onBehalfOf: 'k-pbt' })],
    ['stepId changed', (c) => set(c, 3, { stepId: 'C9' })],
    ['data: a nested value changed', (c) => set(c, 3, { 'data.tally.approve': 11 })],
    ['data: a key added', (c) => set(c, 3, { 'data.extra': true })],
    ['data: a key removed', (c) => unset(c, 3, 'data.note')],
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
    ['last entry deleted (the case recorded more)', (c) => audit().deleteOne({ _id: auditId(c, ENTRIES) })],
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
      'an entry changed, re-hashed and the next entry re-linked to it',
      async (c) => {
        const doc = (await audit().findOne({ _id: auditId(c, 3) })) as unknown as Record<string, unknown>;
        const forged: Record<string, unknown> = { ...doc, type: 'stepRefused' };
        forged.hash = entryHash(forged);
        await audit().replaceOne({ _id: auditId(c, 3) }, forged as never);
        await set(c, 4, { prevHash: forged.hash });
      },
    ],
    [
      'a forged entry appended after the last',
      async (c) => {
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
      },
    ],
    [
      'an extra entry inserted between two (seq 2.5), hashed and chained by the tamperer',
      async (c) => {
        const before = (await audit().findOne({ _id: auditId(c, 2) })) as unknown as Record<string, unknown>;
        const forged: Record<string, unknown> = {
          _id: auditId(c, 2.5),
          caseId: c,
          seq: 2.5,
          at: 1_767_225_600_000 + 90_000,
          type: 'stepApproved',
          personId: 'ngoai',
          data: {},
          prevHash: before.hash,
        };
        forged.hash = entryHash(forged);
        await audit().insertOne(forged as never);
      },
    ],
  ];

  return { trail, set, tampers };
}
