/**
 * FerretDB over PostgreSQL with a pool of two connections: concurrent updates all finish. FerretDB v1 kept an
 * update's query connection while its write waited for another; as many updates at once as the pool has
 * connections held them all and waited for ever (the stall of the full chaos run, its goroutine dump: fifty
 * updates in UpdateAll waiting for the pool, each holding a query). The launcher's patch reads the matching
 * documents and gives the connection back first (tools/ferretdb/patches.json).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createPgDatabase, dropPgDatabase, urlOfPgDatabase } from '../../support/stack';
import { ensureFerretDb } from '../../../tools/stack/binaries';
import { freePort, startFerretDb } from '../../../tools/stack/servers';

test('forty concurrent updates and findAndModifys finish on a pool of two connections', async () => {
  const database = await createPgDatabase();
  if (!database) {
    // PostgreSQL is optional for a developer (README); CI's machine has it.
    console.warn('ferretdb-pool.test.ts: no PostgreSQL on 127.0.0.1:5432 (CADREFLOW_TEST_PG_URL), nothing checked');
    return;
  }
  const port = await freePort();
  const ferret = await startFerretDb({
    bin: await ensureFerretDb(() => undefined),
    port,
    handler: 'postgresql',
    postgresqlUrl: `${urlOfPgDatabase(database)}?pool_max_conns=2`,
    logFile: join(mkdtempSync(join(tmpdir(), 'cadreflow-ferret-pool-')), 'ferretdb.log'),
  });
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 50 });
  try {
    const docs = client.db('pool').collection<{ _id: string; n: number }>('docs');
    const ids = Array.from({ length: 20 }, (_, i) => `doc-${i}`);
    await docs.insertMany(ids.map((_id) => ({ _id, n: 0 })));
    // n < 2 matches whichever of the two writes of a document comes first: the order they reach the server in is
    // not fixed (with n: 0, a findOneAndUpdate served first left its document at 1: a CI run's 19 of 20).
    const updates = Promise.all(ids.map((_id) => docs.updateOne({ _id, n: { $lt: 2 } }, { $inc: { n: 1 } })));
    const finds = Promise.all(ids.map((_id) => docs.findOneAndUpdate({ _id }, { $inc: { n: 1 } })));
    const all = Promise.all([updates, finds]);
    const stalled = new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 20_000).unref());
    expect(await Promise.race([all.then(() => 'done' as const), stalled])).toBe('done');
    expect((await updates).map((r) => r.modifiedCount)).toEqual(ids.map(() => 1));
    expect(await docs.countDocuments({ n: 2 })).toBe(20);
  } finally {
    await client.close(true);
    await ferret.stop();
    await dropPgDatabase(database);
  }
}, 90_000);
