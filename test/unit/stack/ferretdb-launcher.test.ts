/**
 * The FerretDB launcher (tools/ferretdb/main.go) as the chaos run uses it on a stall: SIGUSR1 writes every
 * goroutine's stack to its log and the server goes on answering; the log file receives the output as it comes
 * (spawnServer), not only when the server exits. The stack's Go servers run with GOGC=400 unless told otherwise.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureFerretDb } from '../../../tools/stack/binaries';
import { freePort, goServerEnv, startFerretDb } from '../../../tools/stack/servers';

test('SIGUSR1 dumps the goroutines into the log while FerretDB keeps serving; it runs with the stack GOGC', async () => {
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
    const environ = readFileSync(`/proc/${ferret.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`GOGC=${process.env.GOGC ?? '400'}`);
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

test("the Go servers' collector setting: 400 unless GOGC is set", () => {
  expect(goServerEnv({})).toEqual({ GOGC: '400' });
  expect(goServerEnv({ GOGC: '100' })).toEqual({ GOGC: '100' });
});
