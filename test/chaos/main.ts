/**
 * `npm run chaos`: the full fault-injection run (test/chaos/scenario.ts) — 1,000 admission cases, the worker
 * SIGKILLed 10 times, the Temporal dev server killed and restarted on its SQLite file, the MongoDB-protocol
 * server down for 30 s, the SMTP server down for 5 min — then the report, written to
 * test-artifacts/chaos/latest.json, beside the worker's output (worker.log) and what is stored of any case that
 * failed a check (cases/<caseId>.json, its Temporal history included). Exits 1 when a case is lost or unfinished, an e-mail or audit entry is
 * wrong, /ready answered anything but 503 while the database was down, or a case route, probed with a valid
 * token while the database was down (and when the API started before it), answered anything but 503 with
 * Retry-After (or a success of a route that needs no database), or did not serve again once it was back.
 *
 * The MongoDB-protocol server is FerretDB on PostgreSQL (`--handler sqlite` for SQLite), and every step's
 * deadline is 60 s (`--deadline`): long enough that the steps that go overdue are those a fault held up,
 * not every step of every case once the machine is busy.
 *
 *   npm run chaos -- --cases 200 --smtp-down 60 --handler sqlite --deadline 4
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/stack/binaries';
import { runChaos, type Fault } from './scenario';

async function main(): Promise<void> {
  // Stopped by a signal, the run still stops what it started: the 'exit' handlers kill the child processes.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const args = process.argv.slice(2);
  const arg = (name: string, def: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const cases = arg('--cases', 1000);
  const hi = args.indexOf('--handler');
  const handler = hi >= 0 ? args[hi + 1] : 'postgresql';
  if (handler !== 'sqlite' && handler !== 'postgresql') throw new Error(`unknown handler ${String(handler)}`);
  const kill: Fault = 'killWorker';
  const faults: Fault[] = [
    kill,
    kill,
    'restartTemporal',
    kill,
    kill,
    'stopMongoKillWorker',
    kill,
    kill,
    'stopSmtp',
    kill,
    kill,
    kill,
    kill,
  ];
  const dir = join(REPO_ROOT, 'test-artifacts', 'chaos');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const report = await runChaos({
    cases,
    concurrency: arg('--concurrency', 50),
    faults,
    gapMs: arg('--gap', 15) * 1000,
    mongoDownMs: arg('--mongo-down', 30) * 1000,
    smtpDownMs: arg('--smtp-down', 300) * 1000,
    handler,
    deadlineSeconds: arg('--deadline', 60),
    artifactsDir: dir,
  });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  const ok =
    report.lostCases.length === 0 &&
    report.unfinishedCases.length === 0 &&
    report.mail.outboxNotSent === 0 &&
    report.mail.outboxNeverDelivered === 0 &&
    report.mail.duplicatesIdentical &&
    report.mail.duplicateDeliveries === report.mail.duplicatesAtKill &&
    report.audit.ok &&
    report.audit.countMismatches.length === 0 &&
    report.readyWhileMongoDown.every((r) => r.status === 503 && r.retryAfter) &&
    [report.apiWhileMongoDown, report.apiStartedBeforeMongo].every(
      (r) => r.answers.length > 0 && r.answers500 === 0 && r.unexpected.length === 0 && r.recoveredAfterMs !== undefined
    );
  console.log(ok ? 'chaos: every check passed' : 'chaos: FAILED');
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
