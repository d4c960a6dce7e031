/**
 * Conditional writes on the MongoDB-protocol server are atomic against one another, as on MongoDB: FerretDB v1
 * reads a document and writes it back whole, and without the launcher's write lock
 * (tools/ferretdb/_overlay/internal/handler/cadreflow_write_locks.go) two writers of one document could both read
 * it and the later write undo the earlier. The outbox (armed → pending / cancelled / sent) and the case record's
 * revision guard rely on it.
 */
import type { Collection } from 'mongodb';
import type mongoose from 'mongoose';
import { mongo, testConfig, uniqueId, withOwnDatabase } from '../support/env';

interface Doc {
  _id: string;
  n?: number;
  status?: string;
  revision?: number;
}

const config = withOwnDatabase(testConfig('ferretdb-writes'), 'ferretdb_writes');
let connection: mongoose.Connection;
let docs: Collection<Doc>;

beforeAll(async () => {
  connection = await mongo(config);
  docs = connection.db!.collection<Doc>('docs');
});

afterAll(async () => {
  await connection.db?.dropDatabase();
  await connection.close();
});

test('a hundred concurrent $inc of one document add up to a hundred', async () => {
  const _id = uniqueId('inc');
  await docs.insertOne({ _id, n: 0 });
  await Promise.all(Array.from({ length: 100 }, () => docs.updateOne({ _id }, { $inc: { n: 1 } })));
  expect(await docs.findOne({ _id })).toMatchObject({ n: 100 });
});

test('a release and a cancellation of one armed message end cancelled, whichever comes first', async () => {
  for (let round = 0; round < 40; round += 1) {
    const _id = uniqueId('armed');
    await docs.insertOne({ _id, status: 'armed' });
    const [released, cancelled] = await Promise.all([
      docs.updateOne({ _id, status: 'armed' }, { $set: { status: 'pending' } }),
      docs.updateOne({ _id, $or: [{ status: 'armed' }, { status: 'pending' }] }, { $set: { status: 'cancelled' } }),
    ]);
    // Released then cancelled (both land), or cancelled first (the release finds it no longer armed): cancelled
    // either way, never a release written over the cancellation.
    expect([released.modifiedCount + cancelled.modifiedCount > 0, cancelled.modifiedCount]).toEqual([true, 1]);
    expect(await docs.findOne({ _id })).toMatchObject({ status: 'cancelled' });
  }
});

test('a revision guard keeps the newest of fifty concurrent writes', async () => {
  const _id = uniqueId('revision');
  await docs.insertOne({ _id, revision: 0 });
  const revisions = Array.from({ length: 50 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
  await Promise.all(
    revisions.map((r) => docs.updateOne({ _id, revision: { $lt: r } }, { $set: { revision: r, n: r } }))
  );
  expect(await docs.findOne({ _id })).toMatchObject({ revision: 50, n: 50 });
});

test('a conditional delete does not remove a document an update changed meanwhile', async () => {
  for (let round = 0; round < 40; round += 1) {
    const _id = uniqueId('delete');
    await docs.insertOne({ _id, status: 'old' });
    const [, deleted] = await Promise.all([
      docs.updateOne({ _id, status: 'old' }, { $set: { status: 'renewed' } }),
      docs.deleteOne({ _id, status: 'old' }),
    ]);
    const stored = await docs.findOne({ _id });
    expect(deleted.deletedCount === 1 ? stored : stored?.status).toBe(deleted.deletedCount === 1 ? null : 'renewed');
  }
});
