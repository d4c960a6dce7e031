/**
 * The real servers of one test run: one Temporal dev server, one MongoDB-protocol server (FerretDB on a
 * fresh PostgreSQL database when PostgreSQL answers, on SQLite otherwise) and one SMTP catcher, each on a
 * free port. Started by the jest global setup, stopped by the global teardown; pid files let the next run
 * kill what a killed run left behind.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { ensureFerretDb, ensureTemporalCli, REPO_ROOT } from '../../tools/stack/binaries';
import { startMailCatcher, type MailCatcher } from '../../tools/stack/mail-catcher';
import {
  freePort,
  killStale,
  startFerretDb,
  startMailCatcherProcess,
  startOnFreePort,
  startTemporalDevServer,
  type RunningServer,
} from '../../tools/stack/servers';
import { SEARCH_ATTRIBUTES } from '../../tools/stack/search-attributes';

export interface TestStack {
  env: Record<string, string>;
  stop(): Promise<void>;
}

const PID_DIR = join(tmpdir(), 'cadreflow-test-pids');
const PG_ADMIN_URL = process.env.CADREFLOW_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function ownerAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh PostgreSQL database for FerretDB, or undefined when PostgreSQL does not answer (or the run is
 * told to use SQLite). `urlOfPgDatabase` gives its URL; `dropPgDatabase` removes it.
 */
export async function createPgDatabase(): Promise<string | undefined> {
  if (process.env.CADREFLOW_TEST_MONGO_HANDLER === 'sqlite') return undefined;
  const pg = new PgClient({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await pg.connect();
    const name = `cadreflow_test_${process.pid}_${Date.now()}`;
    await pg.query(`CREATE DATABASE ${name}`);
    return name;
  } catch {
    return undefined;
  } finally {
    await pg.end().catch(() => undefined);
  }
}

export const urlOfPgDatabase = (name: string): string => PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);

export async function dropPgDatabase(name: string): Promise<void> {
  const pg = new PgClient({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await pg.end().catch(() => undefined);
  }
}

export interface TestStackOptions {
  /**
   * The SMTP catcher in a process of its own (the benchmarks: a mail server does not share the event loop of the
   * process that drives the load and reads its mailbox); in this process otherwise, which starts sooner.
   */
  catcherProcess?: boolean;
  /** Node options of that process (a benchmark's --cpu-prof). */
  catcherNodeArgs?: string[];
  /** The Temporal dev server's Prometheus endpoint on a known port, given as TEMPORAL_METRICS_URL (the benchmarks). */
  temporalMetrics?: boolean;
}

export async function startTestStack(
  log: (l: string) => void = (l) => process.stderr.write(`${l}\n`),
  opts: TestStackOptions = {}
): Promise<TestStack> {
  mkdirSync(PID_DIR, { recursive: true });
  // Kill what an earlier run left only when the run that started it is gone: two runs may overlap.
  for (const f of readdirSync(PID_DIR)) {
    const owner = Number(/-(\d+)\.pid$/.exec(f)?.[1]);
    if (!ownerAlive(owner)) killStale(join(PID_DIR, f));
  }

  const [temporalCli, ferretBin] = await Promise.all([ensureTemporalCli(log), ensureFerretDb(log)]);
  const dir = mkdtempSync(join(tmpdir(), 'cadreflow-test-'));
  const [mongoPort, smtpPort, mailHttpPort, metricsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    opts.temporalMetrics ? freePort() : undefined,
  ]);
  const pgDb = await createPgDatabase();

  const servers: RunningServer[] = [];
  let catcher: MailCatcher | undefined;
  const stop = async (): Promise<void> => {
    await catcher?.close();
    await Promise.all(servers.map((s) => s.stop()));
    if (pgDb) await dropPgDatabase(pgDb).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pgUrl = pgDb ? urlOfPgDatabase(pgDb) : undefined;
    const [{ port: temporalPort, server: temporal }, mongo] = await Promise.all([
      startOnFreePort((port) =>
        startTemporalDevServer({
          cli: temporalCli,
          port,
          dbFile: join(dir, 'temporal.sqlite'),
          pidFile: join(PID_DIR, `temporal-${process.pid}.pid`),
          searchAttributes: SEARCH_ATTRIBUTES,
          metricsPort,
        })
      ),
      startFerretDb({
        bin: ferretBin,
        port: mongoPort,
        handler: pgUrl ? 'postgresql' : 'sqlite',
        postgresqlUrl: pgUrl,
        sqliteDir: join(dir, 'ferretdb'),
        pidFile: join(PID_DIR, `ferretdb-${process.pid}.pid`),
      }),
    ]);
    servers.push(temporal, mongo);
    if (opts.catcherProcess) {
      servers.push(
        await startMailCatcherProcess({
          smtpPort,
          httpPort: mailHttpPort,
          pidFile: join(PID_DIR, `catcher-${process.pid}.pid`),
          nodeArgs: opts.catcherNodeArgs,
        })
      );
    } else catcher = await startMailCatcher({ smtpPort, httpPort: mailHttpPort });

    // Bundle the workflows once for the whole run: every test worker loads this file instead of
    // running webpack again.
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(REPO_ROOT, 'workflows', 'index.ts'),
      logger: undefined,
    });
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, code);

    const env = {
      CADREFLOW_ENV: 'test',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      MONGODB_URL: `mongodb://127.0.0.1:${mongoPort}/cadreflow`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      MAIL_CATCHER_URL: `http://127.0.0.1:${mailHttpPort}`,
      WORKFLOW_BUNDLE: bundlePath,
      TEMPORAL_CLI_PATH: temporalCli,
      CADREFLOW_TEST_DIR: dir,
      MAIL_ACCEPTED_DIR: join(dir, 'mail-accepted'),
      CADREFLOW_TEST_MONGO_HANDLER: pgUrl ? 'postgresql' : 'sqlite',
      LOG_LEVEL: 'warn',
      ...(metricsPort ? { TEMPORAL_METRICS_URL: `http://127.0.0.1:${metricsPort}/metrics` } : {}),
    };
    log(
      `test stack: Temporal ${env.TEMPORAL_ADDRESS}, FerretDB (${env.CADREFLOW_TEST_MONGO_HANDLER}) ${env.MONGODB_URL}, SMTP 127.0.0.1:${smtpPort}`
    );
    return { env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
