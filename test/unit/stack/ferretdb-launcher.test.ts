/**
 * The FerretDB launcher (tools/ferretdb/main.go) as the chaos run uses it on a stall: SIGUSR1 writes every
 * goroutine's stack to its log and the server goes on answering; the log file receives the output as it comes
 * (spawnServer), not only when the server exits.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureFerretDb } from '../../../tools/stack/binaries';
import { freePort, startFerretDb } from '../../../tools/stack/servers';

test('SIGUSR1 dumps the goroutines into the log while FerretDB keeps serving', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cadreflow-ferret-dump-'));
  const port = await freePort();
  const logFile = join(dir, 'ferretdb.log');
  const ferret = await startFerretDb({
    bin: await ensureFerretDb(() => undefined),
    port,
    handler: 'sqlite',
    sqliteDir: join(dir, 'data'),
    logFile,
  });
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 5_000 });
  try {
    process.kill(ferret.pid, 'SIGUSR1');
    const deadline = Date.now() + 10_000;
    while (!readFileSync(logFile, 'utf8').includes('goroutine 1 [') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('cadreflow-ferretdb: goroutines on SIGUSR1');
    expect(log).toMatch(/^goroutine 1 \[/m);
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  } finally {
    await client.close();
    await ferret.stop();
  }
}, 60_000);
