/**
 * Fault injection on a stack this run owns: its own Temporal dev server (on a SQLite file), its own FerretDB
 * (SQLite handler, fixed data directory), its own SMTP catcher, and the real worker entry point as a child
 * process. While admission cases are driven through every step — with ladder e-mails firing, because the
 * deadlines are seconds — the worker is SIGKILLed again and again, the Temporal server is killed and
 * restarted on its file, the MongoDB-protocol server is stopped and started, and the SMTP server is taken
 * away. The API runs as its own process through its real entry point, and is started before the MongoDB-
 * protocol server is; while that server is down (then, and during the stopMongo fault) the routes people use
 * are called with a valid API token or session and every answer recorded: each must be 503 with Retry-After,
 * or a success of a route that needs no database, and the API must serve again once the database is back.
 * Afterwards it counts what a person would care about: lost or unfinished cases, duplicate e-mails,
 * audit trails that do not verify or do not match the case's record. Used by `npm run chaos` (full) and
 * test/integration/chaos-short.test.ts (short).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import mongoose from 'mongoose';
import { Client as PgClient } from 'pg';
import { saveOrg } from '../../activities/case-activities';
import { verifyAuditChain } from '../../activities/store/audit';
import { createModels, type Models, type OutboxStatus } from '../../activities/store/models';
import { messageIdFor, outboxId } from '../../activities/mail/outbox';
import { sentJournal } from '../../activities/mail/sent-journal';
import { SESSION_COOKIE } from '../../client/api/auth';
import { createApiToken, createSession, createUser, toActor, type ServiceDeps } from '../../client/services';
import { connectClient, type ClientConnection } from '../../client/temporal';
import { admissionV1, createDefaultRegistry, withTestDurations } from '../../domain/processes';
import { ensureFerretDb, ensureTemporalCli, REPO_ROOT } from '../../tools/stack/binaries';
import { startMailCatcher, type MailCatcher } from '../../tools/stack/mail-catcher';
import { SEARCH_ATTRIBUTES } from '../../tools/stack/search-attributes';
import {
  freePort,
  startFerretDb,
  startOnFreePort,
  startTemporalDevServer,
  type RunningServer,
} from '../../tools/stack/servers';
import { loadConfig } from '../../worker/config';
import { caseWorkflowId } from '../../workflows/messages';
import {
  actorsByStep,
  clientDriver,
  distribution,
  driveCase,
  pool,
  spawnCadreflowWorker,
  type ChildHandle,
} from '../bench/lib';
import { startApiProcess, type ApiProcess } from '../e2e/support/api-process';
import { createPgDatabase, dropPgDatabase, urlOfPgDatabase } from '../support/stack';
import { BODY, buildOrg, PERSON } from '../unit/fixtures/org';

/**
 * How near a worker kill the first copy of a repeated e-mail may have been accepted to count as sent in the SMTP
 * reply's window (ChaosReport['mail']['duplicatesAtKill']): the catcher and the kill are stamped on this process's
 * event loop, which lags under the run's load, and the kernel still delivers the bytes a killed worker had
 * written.
 */
export const KILL_REPLY_WINDOW_MS = 1000;

/** `stopMongoKillWorker`: the MongoDB-protocol server stopped, and the worker killed while it is away. */
export type Fault = 'killWorker' | 'restartTemporal' | 'stopMongo' | 'stopMongoKillWorker' | 'stopSmtp';

export interface ChaosOptions {
  cases: number;
  concurrency: number;
  /** Faults in the order they are injected, one every `gapMs` once the cases are under way. */
  faults: Fault[];
  gapMs: number;
  mongoDownMs: number;
  smtpDownMs: number;
  /**
   * The MongoDB-protocol server's backend: FerretDB on SQLite (the default) or on a fresh PostgreSQL
   * database (dropped at the end; SQLite when PostgreSQL does not answer).
   */
  handler?: 'sqlite' | 'postgresql';
  /**
   * Every step's deadline, in seconds (the reminder ladder's steps half of it): 4 by default, so that a
   * short run sees reminders and escalations; a long run takes longer ones, or every step of every case
   * goes overdue as soon as the machine slows and the run becomes a storm of escalations.
   */
  deadlineSeconds?: number;
  /** After this many ms the run stops every process it started and fails (none by default). */
  deadlineMs?: number;
  /** A prebuilt workflow bundle (the test suite's); built here when absent. */
  workflowBundle?: string;
  /**
   * Where the worker's output goes (worker.log, every incarnation appended) and, for each case that fails a
   * check, its record, audit trail, outbox messages and Temporal history (cases/<caseId>.json). None when absent.
   */
  artifactsDir?: string;
  log?: (line: string) => void;
}

export interface ChaosReport {
  cases: number;
  handler: 'sqlite' | 'postgresql';
  deadlineSeconds: number;
  seconds: number;
  /** Each fault: `at` seconds after the first case started, `atTime` the same as an ISO instant. */
  faults: Array<{ fault: Fault; at: number; atTime: string; actsDoneBefore: number }>;
  workerRestarts: number;
  lostCases: string[];
  unfinishedCases: string[];
  /** The files holding what was found of each case that failed a check (with `artifactsDir`). */
  diagnostics: string[];
  mail: {
    deliveries: number;
    distinctMessageIds: number;
    /** Deliveries of a Message-ID already delivered (the outbox's documented window: a worker killed after SMTP accepted). */
    duplicateDeliveries: number;
    /** Whether every repeated delivery is byte-for-byte the same message as its first (so a client discards it). */
    duplicatesIdentical: boolean;
    /**
     * Of the repeated deliveries, those whose first copy the SMTP server accepted within KILL_REPLY_WINDOW_MS of a
     * worker kill: the worker had sent the message's last byte and was killed before it read the server's answer
     * (RFC 1047's window, which no client can close; activities/mail/outbox.ts). Any other repeat fails the run.
     */
    duplicatesAtKill: number;
    /** Ladder e-mails armed ahead of their instant and disarmed because an act came first (never owed). */
    disarmed: number;
    outboxMessages: number;
    outboxNotSent: number;
    /** The outbox messages not sent (at most 20): status, instant, claim, attempts, last error. */
    notSent: Array<Record<string, unknown>>;
    /** Entries of the dispatcher's "sent" journal not yet turned into "sent" marks when the run was checked. */
    journalLeft: number;
    /** Outbox documents whose key does not match their _id (two messages for one key). */
    outboxKeyMismatches: number;
    /** Outbox messages that never reached the SMTP server. */
    outboxNeverDelivered: number;
    /**
     * Delivered e-mails the outbox does not hold as owed: each with its outbox message (status, subject, when
     * armed, created and sent), or the Message-ID alone when the outbox has none (at most 20 listed).
     */
    deliveredNotOwed: Array<{ messageId: string; subject: string; outbox?: Record<string, unknown> }>;
    /**
     * The e-mails delivered more than once: each with its arrivals (to set beside the faults' times) and its outbox
     * message (at most 20 listed).
     */
    duplicated: Array<{ messageId: string; subject: string; arrivals: string[]; outbox?: Record<string, unknown> }>;
    /**
     * The window in which a killed worker sends an e-mail twice: from the SMTP server's acceptance (the catcher's
     * first arrival) to the landing of the "sent" mark (the outbox's `markedAt`), in ms, over the messages an
     * attempt sent itself; `over1s` counts those past a second, `slowest` names the five slowest.
     */
    markLag: {
      messages: number;
      p50: number;
      p99: number;
      max: number;
      over1s: number;
      slowest: Array<{ id: string; ms: number; receivedAt: string }>;
    };
  };
  audit: { ok: boolean; problems: number; countMismatches: string[] };
  /** GET /ready answers while the MongoDB-protocol server was down. */
  readyWhileMongoDown: Array<{ status: number; retryAfter?: string }>;
  /**
   * What the API process (its real entry point) answered to the routes people use, sent with a valid API
   * token or session, while the MongoDB-protocol server was down: during the stopMongo fault, and at the
   * start, when the API process was started before the database.
   */
  apiWhileMongoDown: ApiOutageReport;
  apiStartedBeforeMongo: ApiOutageReport;
}

/** One answer of the API while the database was down. */
/** ChaosReport['mail']['markLag'] of the outbox messages `all` and the catcher's deliveries `mails`. */
function markLag(
  all: ReadonlyArray<{ _id: string; round: number; caseId: string; stepId: string; level: string; markedAt?: Date }>,
  mails: ReadonlyArray<{ messageId: string; receivedAt: string }>
): ChaosReport['mail']['markLag'] {
  const arrived = new Map<string, string>();
  for (const m of mails) if (!arrived.has(m.messageId)) arrived.set(m.messageId, m.receivedAt);
  const lags = all
    .flatMap((d) => {
      const receivedAt = arrived.get(messageIdFor(d));
      if (receivedAt === undefined || !d.markedAt) return [];
      return [{ id: d._id, ms: new Date(d.markedAt).getTime() - Date.parse(receivedAt), receivedAt }];
    })
    .sort((a, b) => a.ms - b.ms);
  const d = distribution(lags.map((l) => l.ms));
  return {
    messages: d.count,
    p50: d.count > 0 ? d.p50 : 0,
    p99: d.count > 0 ? d.p99 : 0,
    max: d.count > 0 ? d.max : 0,
    over1s: lags.filter((l) => l.ms > 1000).length,
    slowest: lags.slice(-5).reverse(),
  };
}

export interface ProbeAnswer {
  probe: string;
  method: string;
  path: string;
  status: number;
  retryAfter?: string;
  /** The error code of a JSON error body. */
  code?: string;
  /** False for the routes that answer without the database (then a success is what is expected). */
  needsDatabase: boolean;
}

export interface ApiOutageReport {
  answers: ProbeAnswer[];
  /** How many answers were 500 (there must be none). */
  answers500: number;
  /** Answers that are neither 503 with Retry-After nor a success of a route that needs no database. */
  unexpected: ProbeAnswer[];
  /** From the database answering again to the API answering a case list with 200, in ms. */
  recoveredAfterMs?: number;
}

/** 503 with a whole number of seconds in Retry-After, or a success of a route that needs no database. */
export function expectedOutageAnswer(a: ProbeAnswer): boolean {
  if (a.status === 503) return a.retryAfter !== undefined && /^\d+$/.test(a.retryAfter);
  return !a.needsDatabase && a.status >= 200 && a.status < 300;
}

function outageReport(answers: ProbeAnswer[], recoveredAfterMs?: number): ApiOutageReport {
  return {
    answers,
    answers500: answers.filter((a) => a.status === 500).length,
    unexpected: answers.filter((a) => !expectedOutageAnswer(a)),
    ...(recoveredAfterMs !== undefined ? { recoveredAfterMs } : {}),
  };
}

interface Probe {
  probe: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Sent with the session cookie (web pages) instead of the API token. */
  web?: boolean;
  /** A url-encoded form body (web forms) instead of JSON. */
  form?: string;
  needsDatabase: boolean;
}

/**
 * The routes people use: a route that needs no database (health), readiness, the case list, a case's page
 * data, the inbox, an act on a case and a start, and the web pages of the inbox and of a case. The act and
 * the start are sent as a person with no role in the tree: had one reached the database, the rules would
 * have refused it and nothing of the run would have changed.
 */
function probesFor(caseId: string, tag: string): Probe[] {
  const requestId = `chaos-probe-${tag}-${Date.now().toString(36)}`;
  return [
    { probe: 'health (no database)', method: 'GET', path: '/health', needsDatabase: false },
    { probe: 'readiness', method: 'GET', path: '/ready', needsDatabase: true },
    { probe: 'list cases', method: 'GET', path: '/api/cases?pageSize=5', needsDatabase: true },
    { probe: 'case page data', method: 'GET', path: `/api/cases/${caseId}`, needsDatabase: true },
    { probe: 'inbox', method: 'GET', path: '/api/inbox', needsDatabase: true },
    {
      probe: 'act on a case',
      method: 'POST',
      path: `/api/cases/${caseId}/acts`,
      body: { requestId, command: { type: 'approve', note: 'Đồng ý' } },
      needsDatabase: true,
    },
    {
      probe: 'start a case',
      method: 'POST',
      path: '/api/cases',
      body: { requestId, process: 'admission', title: 'Kết nạp đảng viên: thử khi mất CSDL', caseUnitId: BODY.cell },
      needsDatabase: true,
    },
    { probe: 'web: inbox page', method: 'GET', path: '/', web: true, needsDatabase: true },
    { probe: 'web: case page', method: 'GET', path: `/cases/${caseId}`, web: true, needsDatabase: true },
    {
      probe: 'web: sign-in form',
      method: 'POST',
      path: '/login',
      form: 'username=chaos-probe&password=khong-dung-mat-khau&next=%2F',
      web: true,
      needsDatabase: true,
    },
  ];
}

/** Sends every probe at once and records each answer. */
async function sendProbes(
  apiUrl: string,
  auth: { token: string; cookie?: string },
  probes: Probe[]
): Promise<ProbeAnswer[]> {
  return Promise.all(
    probes.map(async (p) => {
      const headers: Record<string, string> =
        p.form !== undefined
          ? { 'content-type': 'application/x-www-form-urlencoded' }
          : p.body !== undefined
            ? { 'content-type': 'application/json' }
            : {};
      if (p.web) {
        if (auth.cookie) headers.cookie = auth.cookie;
      } else headers.authorization = `Bearer ${auth.token}`;
      const base = { probe: p.probe, method: p.method, path: p.path, needsDatabase: p.needsDatabase };
      try {
        const res = await fetch(`${apiUrl}${p.path}`, {
          method: p.method,
          headers,
          redirect: 'manual',
          ...(p.form !== undefined ? { body: p.form } : p.body !== undefined ? { body: JSON.stringify(p.body) } : {}),
        });
        const text = await res.text();
        let code: string | undefined;
        try {
          const parsed = JSON.parse(text) as { code?: unknown };
          if (typeof parsed.code === 'string') code = parsed.code;
        } catch {
          // an HTML page or no body
        }
        const retryAfter = res.headers.get('retry-after') ?? undefined;
        return { ...base, status: res.status, ...(retryAfter ? { retryAfter } : {}), ...(code ? { code } : {}) };
      } catch {
        // No answer at all (the API process itself unreachable): recorded as status 0, which is unexpected.
        return { ...base, status: 0 };
      }
    })
  );
}

/** Polls the case list until it answers 200 (true), or gives up after `timeoutMs` (false). */
async function untilApiAnswers(apiUrl: string, token: string, timeoutMs = 60_000): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const ok = await fetch(`${apiUrl}/api/cases?pageSize=1`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status === 200,
      () => false
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * How long the API process runs before the MongoDB-protocol server starts: longer than its first connection
 * attempt waits for a server (5 s), so that it is that attempt's failure the API must get over.
 */
const STARTUP_WITHOUT_MONGO_MS = 8000;

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'cadreflow-chaos-'));
  const stops: Array<() => Promise<unknown>> = [];
  const [cli, ferretBin] = await Promise.all([ensureTemporalCli(log), ensureFerretDb(log)]);
  const [mongoPort, smtpPort, httpPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const temporalOpts = {
    cli,
    // The port its first start listened on (startOnFreePort, below); its restarts reuse it.
    port: 0,
    dbFile: join(dir, 'temporal.sqlite'),
    searchAttributes: SEARCH_ATTRIBUTES,
  };
  const pgDb = o.handler === 'postgresql' ? await createPgDatabase() : undefined;
  if (o.handler === 'postgresql' && !pgDb) log('  PostgreSQL did not answer: this run is on SQLite');
  const handler = pgDb ? ('postgresql' as const) : ('sqlite' as const);
  const deadlineSeconds = o.deadlineSeconds ?? 4;
  const mongoOpts = {
    bin: ferretBin,
    port: mongoPort,
    handler,
    ...(pgDb ? { postgresqlUrl: urlOfPgDatabase(pgDb) } : {}),
    sqliteDir: join(dir, 'ferretdb'),
    ...(o.artifactsDir ? { logFile: join(o.artifactsDir, 'ferretdb.log') } : {}),
  };
  let temporal: RunningServer | undefined;
  let ferret: RunningServer | undefined;
  let catcher: MailCatcher | undefined;
  let worker: ChildHandle | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  /** Stops every process and server this run started (once, whoever asks first). */
  const stopEverything = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      await worker?.stop().catch(() => undefined);
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await catcher?.close().catch(() => undefined);
      for (const srv of [temporal, ferret]) if (srv) await srv.stop().catch(() => undefined);
      if (pgDb) await dropPgDatabase(pgDb).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  // Past its deadline the run stops what it started, so that a caller that gives up on it (jest's hook timeout)
  // leaves no process behind; the run itself then fails on the servers it lost.
  const watchdog = o.deadlineMs
    ? setTimeout(() => {
        log(`  the run passed its deadline of ${o.deadlineMs} ms: stopping everything it started`);
        void stopEverything();
      }, o.deadlineMs)
    : undefined;
  let workerRestarts = 0;
  /** When each worker kill was sent (epoch ms). */
  const killedAt: number[] = [];
  try {
    ({ port: temporalOpts.port, server: temporal } = await startOnFreePort((port) =>
      startTemporalDevServer({ ...temporalOpts, port })
    ));
    catcher = await startMailCatcher({ smtpPort, httpPort });
    let bundle = o.workflowBundle;
    if (!bundle) {
      const { code } = await bundleWorkflowCode({ workflowsPath: join(REPO_ROOT, 'workflows', 'index.ts') });
      bundle = join(dir, 'workflow-bundle.js');
      writeFileSync(bundle, code);
    }
    const env: Record<string, string> = {
      CADREFLOW_ENV: 'test',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalOpts.port}`,
      TEMPORAL_TASK_QUEUE: 'chaos',
      MONGODB_URL: `mongodb://127.0.0.1:${mongoPort}/cadreflow`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      WORKFLOW_BUNDLE: bundle,
      LOG_LEVEL: 'warn',
      MAIL_ACCEPTED_DIR: join(dir, 'mail-accepted'),
    };
    const config = loadConfig(env);

    // The API as in production (its own process, its real entry point), started while the MongoDB-protocol
    // server is not there yet, and kept without it for longer than its first connection attempt waits (5 s):
    // it must answer 503 meanwhile, then serve as soon as the database answers, without a restart.
    const api: ApiProcess = await startApiProcess(config);
    stops.push(() => api.stop());
    const apiUrl = api.url;
    const startupAnswers: ProbeAnswer[] = [];
    const startupUntil = Date.now() + STARTUP_WITHOUT_MONGO_MS;
    do {
      const probes = probesFor('chaos-none', `startup-${startupAnswers.length}`).filter((p) => !p.web);
      startupAnswers.push(...(await sendProbes(apiUrl, { token: 'cf_unknown-token-of-the-startup-probe' }, probes)));
      await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(0, startupUntil - Date.now()))));
    } while (Date.now() < startupUntil);
    ferret = await startFerretDb(mongoOpts);
    const mongoBackAt = Date.now();

    const db = await mongoose
      .createConnection(env.MONGODB_URL as string, { serverSelectionTimeoutMS: 2000 })
      .asPromise();
    stops.push(() => db.close());
    const models = createModels(db);
    const org = buildOrg();
    await saveOrg(models, org);
    const tc: ClientConnection = await connectClient(env.TEMPORAL_ADDRESS as string);
    stops.push(() => tc.close());

    // A valid API token and web session of a person with no role in the tree, for the probes.
    const serviceDeps: ServiceDeps = {
      models,
      temporal: tc.client,
      registry: createDefaultRegistry(),
      config,
      now: Date.now,
    };
    const prober = await createUser(serviceDeps, null, {
      username: `chaos-probe-${Date.now().toString(36)}`,
      password: 'chaos-probe-password',
      personId: PERSON.outsider,
    });
    const proberDoc = await models.User.findById(prober.username).lean();
    if (!proberDoc) throw new Error('the probe user was not stored');
    const probeAuth = {
      token: (await createApiToken(serviceDeps, toActor(proberDoc), 'chaos probe')).token,
      cookie: `${SESSION_COOKIE}=${(await createSession(serviceDeps, proberDoc)).sessionId}`,
    };
    const answered = await untilApiAnswers(apiUrl, probeAuth.token);
    const apiStartedBeforeMongo = outageReport(startupAnswers, answered ? Date.now() - mongoBackAt : undefined);

    // When the worker cannot start, what the database side is doing, kept with the artifacts: FerretDB's
    // goroutines (SIGUSR1 writes them to its log, tools/ferretdb/main.go) and its PostgreSQL sessions.
    let dumps = 0;
    const dumpDatabaseSide = async (): Promise<void> => {
      if (!o.artifactsDir || !ferret || dumps >= 3) return;
      dumps += 1;
      log(`  FerretDB's goroutines written to ${join(o.artifactsDir, 'ferretdb.log')} (dump ${dumps})`);
      try {
        process.kill(ferret.pid, 'SIGUSR1');
      } catch {
        // gone already
      }
      if (!pgDb) return;
      const pg = new PgClient({ connectionString: urlOfPgDatabase(pgDb), connectionTimeoutMillis: 2000 });
      try {
        await pg.connect();
        const { rows } = await pg.query(
          `SELECT pid, state, wait_event_type, wait_event, xact_start, state_change, left(query, 300) AS query
             FROM pg_stat_activity WHERE datname = $1 ORDER BY state_change`,
          [pgDb]
        );
        writeFileSync(join(o.artifactsDir, `pg-activity-${dumps}.json`), `${JSON.stringify(rows, null, 1)}\n`);
      } catch (e) {
        log(`  pg_stat_activity could not be read: ${(e as Error).message}`);
      } finally {
        await pg.end().catch(() => undefined);
      }
    };

    /** While the stopMongo faults hold the database down (a worker cannot start then, as expected). */
    let mongoDown = false;
    // The worker, kept running as a process manager would: restarted whenever it dies.
    const superviseWorker = async (): Promise<void> => {
      for (;;) {
        try {
          worker = await spawnCadreflowWorker(env, o.artifactsDir && join(o.artifactsDir, 'worker.log'));
          const w = worker;
          void w.exited.then(() => {
            if (!stopping && worker === w) {
              workerRestarts += 1;
              void superviseWorker();
            }
          });
          return;
        } catch (e) {
          if (stopping) return;
          log(`  worker did not start (${(e as Error).message.split('\n')[0]}); trying again`);
          if (!mongoDown) await dumpDatabaseSide();
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    await superviseWorker();

    const definition = withTestDurations(admissionV1, deadlineSeconds);
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const actors = actorsByStep(org, admissionV1, BODY.cell, today);
    const driver = clientDriver(tc.client, 'chaos');
    const tag = Date.now().toString(36);
    const caseIds = Array.from({ length: o.cases }, (_, i) => `chaos-${tag}-${i}`);
    let acts = 0;
    let casesDone = 0;
    const t0 = Date.now();
    const faultsDone: ChaosReport['faults'] = [];
    const readyWhileMongoDown: ChaosReport['readyWhileMongoDown'] = [];
    const apiDownAnswers: ProbeAnswer[] = [];
    let apiDownRecoveredAfterMs: number | undefined;

    const alive = (w: ChildHandle | undefined): w is ChildHandle =>
      w !== undefined && w.child.exitCode === null && w.child.signalCode === null;
    /** Until the worker the supervisor runs now is up: one killed a moment ago may not have been replaced yet. */
    const untilWorkerAlive = async (): Promise<ChildHandle> => {
      while (!alive(worker)) await new Promise((r) => setTimeout(r, 200));
      return worker;
    };
    /** Kills that worker, noting when (duplicatesAtKill). */
    const kill = async (w: ChildHandle): Promise<void> => {
      killedAt.push(Date.now());
      await w.kill();
    };
    const killWorker = async (): Promise<void> => kill(await untilWorkerAlive());
    const inject = async (fault: Fault): Promise<void> => {
      faultsDone.push({ fault, at: (Date.now() - t0) / 1000, atTime: new Date().toISOString(), actsDoneBefore: acts });
      log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s, ${acts} acts done: ${fault}`);
      switch (fault) {
        case 'killWorker':
          await killWorker();
          break;
        case 'restartTemporal':
          await temporal?.kill();
          await new Promise((r) => setTimeout(r, 1000));
          temporal = await startTemporalDevServer(temporalOpts);
          break;
        case 'stopMongo':
        case 'stopMongoKillWorker': {
          // A worker up before the database goes (none could start while it is away, and this fault would wait
          // for one for ever); it is killed while the database is away, unless it died meanwhile.
          const up = fault === 'stopMongoKillWorker' ? await untilWorkerAlive() : undefined;
          await ferret?.kill();
          mongoDown = true;
          const until = Date.now() + o.mongoDownMs;
          // Killed while the database is away: the e-mails it saw accepted and could not mark sent are marked by
          // the next worker (activities/mail/accepted-log.ts), not sent again.
          const killing = up
            ? new Promise((r) => setTimeout(r, Math.min(2000, o.mongoDownMs / 2))).then(() =>
                alive(up) ? kill(up) : undefined
              )
            : Promise.resolve();
          // Every round of probes is answered before the next starts, and the last before the database is back.
          let round = 0;
          do {
            round += 1;
            const answers = await sendProbes(apiUrl, probeAuth, probesFor(caseIds[0] as string, `down-${round}`));
            apiDownAnswers.push(...answers);
            for (const a of answers.filter((x) => x.path === '/ready'))
              readyWhileMongoDown.push({ status: a.status, retryAfter: a.retryAfter });
            await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(0, until - Date.now()))));
          } while (Date.now() < until);
          await killing;
          ferret = await startFerretDb(mongoOpts);
          mongoDown = false;
          const backAt = Date.now();
          if (await untilApiAnswers(apiUrl, probeAuth.token)) apiDownRecoveredAfterMs = Date.now() - backAt;
          break;
        }
        case 'stopSmtp':
          await catcher?.stopSmtp();
          await new Promise((r) => setTimeout(r, o.smtpDownMs));
          await catcher?.startSmtp();
          break;
      }
    };

    const chaos = (async () => {
      // Let the cases get under way first.
      while (acts < Math.min(o.cases * 2, o.cases * 12 * 0.1)) await new Promise((r) => setTimeout(r, 200));
      for (const fault of o.faults) {
        await inject(fault);
        await new Promise((r) => setTimeout(r, o.gapMs));
      }
    })();
    await pool(
      o.cases,
      o.concurrency,
      async (i) => {
        await driveCase(driver, { caseId: caseIds[i] as string, definition, caseUnitId: BODY.cell }, actors, {
          retryTransport: true,
          onAct: () => (acts += 1),
        });
        casesDone += 1;
      },
      (done) => {
        if (done % Math.max(1, Math.floor(o.cases / 10)) === 0) log(`  ${done}/${o.cases} cases driven to the end`);
      }
    );
    await chaos;
    void casesDone;

    // Every workflow must end, every e-mail leave the outbox.
    const lostCases: string[] = [];
    const unfinishedCases: string[] = [];
    for (const caseId of caseIds) {
      try {
        const result = (await tc.client.workflow.getHandle(caseWorkflowId('admission', caseId)).result()) as {
          status: string;
        };
        if (result.status !== 'completed') unfinishedCases.push(caseId);
      } catch {
        lostCases.push(caseId);
      }
    }
    const settleUntil = Date.now() + 120_000;
    // Owed and not sent yet: a rung's e-mail armed ahead and disarmed by an act ("cancelled") was never owed.
    // Nor settled: an e-mail the dispatcher sent and journalled whose outbox record is not marked yet (its worker
    // was killed before; the adopting dispatcher marks it).
    const owed = { status: { $nin: ['sent', 'cancelled'] as OutboxStatus[] } };
    const unsettled = async (): Promise<number> =>
      (await models.Outbox.countDocuments(owed)) + (await sentJournal(models).countDocuments({}));
    while (Date.now() < settleUntil && (await unsettled()) > 0) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const caseId of caseIds) {
      const doc = await models.Case.findById(caseId).lean();
      if (!doc) lostCases.push(caseId);
      else if (doc.status !== 'completed' && !unfinishedCases.includes(caseId)) unfinishedCases.push(caseId);
    }
    await new Promise((r) => setTimeout(r, 1000));

    const mails = await catcher.messages();
    const first = new Map<string, string>();
    let duplicateDeliveries = 0;
    let duplicatesIdentical = true;
    let duplicatesAtKill = 0;
    const firstArrival = new Map<string, number>();
    for (const m of mails) {
      const body = JSON.stringify([m.subject, m.text, m.html, [...m.to].sort()]);
      const seen = first.get(m.messageId);
      if (seen === undefined) {
        first.set(m.messageId, body);
        firstArrival.set(m.messageId, Date.parse(m.receivedAt));
      } else {
        duplicateDeliveries += 1;
        if (seen !== body) duplicatesIdentical = false;
        const at = firstArrival.get(m.messageId) as number;
        if (killedAt.some((k) => Math.abs(at - k) <= KILL_REPLY_WINDOW_MS)) duplicatesAtKill += 1;
      }
    }
    const all = await models.Outbox.find({}).lean();
    /** What a report shows of an outbox message. */
    const described = (d: (typeof all)[number]): Record<string, unknown> => {
      const { _id: id, status, sendAt, createdAt, sentAt, attempts, lastError, claimToken, claimedAt } = d;
      return { id, status, sendAt, createdAt, sentAt, attempts, lastError, claimToken, claimedAt };
    };
    const outbox = all.filter((d) => d.status !== 'cancelled');
    const mail: ChaosReport['mail'] = {
      disarmed: all.length - outbox.length,
      deliveries: mails.length,
      distinctMessageIds: first.size,
      duplicateDeliveries,
      duplicatesIdentical,
      duplicatesAtKill,
      outboxMessages: outbox.length,
      outboxNotSent: outbox.filter((d) => d.status !== 'sent').length,
      notSent: outbox
        .filter((d) => d.status !== 'sent')
        .slice(0, 20)
        .map(described),
      journalLeft: await sentJournal(models).countDocuments({}),
      outboxKeyMismatches: outbox.filter(
        (d) => outboxId({ caseId: d.caseId, stepId: d.stepId, level: d.level, round: d.round }) !== d._id
      ).length,
      outboxNeverDelivered: outbox.filter(
        (d) => !first.has(messageIdFor({ caseId: d.caseId, stepId: d.stepId, level: d.level, round: d.round }))
      ).length,
      deliveredNotOwed: [],
      duplicated: [],
      markLag: markLag(all, mails),
    };
    const byMessageId = new Map(all.map((d) => [messageIdFor(d), d]));
    const outboxOf = (messageId: string): { outbox?: Record<string, unknown> } => {
      const d = byMessageId.get(messageId);
      return d ? { outbox: described(d) } : {};
    };
    const owedIds = new Set(outbox.map((d) => messageIdFor(d)));
    for (const m of mails) {
      if (owedIds.has(m.messageId) || mail.deliveredNotOwed.some((x) => x.messageId === m.messageId)) continue;
      if (mail.deliveredNotOwed.length >= 20) break;
      mail.deliveredNotOwed.push({ messageId: m.messageId, subject: m.subject, ...outboxOf(m.messageId) });
    }
    const arrivals = new Map<string, string[]>();
    for (const m of mails) arrivals.set(m.messageId, [...(arrivals.get(m.messageId) ?? []), m.receivedAt]);
    for (const [messageId, times] of arrivals) {
      if (times.length < 2 || mail.duplicated.length >= 20) continue;
      const subject = mails.find((m) => m.messageId === messageId)?.subject ?? '';
      mail.duplicated.push({ messageId, subject, arrivals: times, ...outboxOf(messageId) });
    }

    const verification = await verifyAuditChain(models);
    const countMismatches: string[] = [];
    for (const caseId of caseIds) {
      const doc = await models.Case.findById(caseId).select({ auditSeq: 1 }).lean();
      const count = await models.AuditEntry.countDocuments({ caseId });
      if (!doc || doc.auditSeq !== count)
        countMismatches.push(`${caseId}: ${count} entries, auditSeq ${doc?.auditSeq}`);
    }
    const failing = new Set([
      ...lostCases,
      ...unfinishedCases,
      ...countMismatches.map((m) => m.slice(0, m.indexOf(':'))),
    ]);
    const diagnostics: string[] = [];
    if (o.artifactsDir) {
      mkdirSync(join(o.artifactsDir, 'cases'), { recursive: true });
      for (const caseId of failing) {
        const file = join(o.artifactsDir, 'cases', `${caseId}.json`);
        writeFileSync(file, `${JSON.stringify(await caseDiagnostics(models, tc, caseId), null, 1)}\n`);
        // The history as the Temporal CLI exports it, which the replay tests read (historyFromJSON).
        const history = join(o.artifactsDir, 'cases', `${caseId}.history.json`);
        try {
          const args = ['workflow', 'show', '--workflow-id', caseWorkflowId('admission', caseId), '--output', 'json'];
          const json = execFileSync(cli, [...args, '--address', env.TEMPORAL_ADDRESS as string], {
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          });
          writeFileSync(history, json);
          diagnostics.push(history);
        } catch (e) {
          log(`  the history of ${caseId} could not be exported: ${(e as Error).message.split('\n')[0]}`);
        }
        diagnostics.push(file);
      }
    }
    return {
      cases: o.cases,
      handler,
      deadlineSeconds,
      seconds: (Date.now() - t0) / 1000,
      faults: faultsDone,
      workerRestarts,
      lostCases: [...new Set(lostCases)],
      unfinishedCases,
      diagnostics,
      mail,
      audit: { ok: verification.ok, problems: verification.problems.length, countMismatches },
      readyWhileMongoDown,
      apiWhileMongoDown: outageReport(apiDownAnswers, apiDownRecoveredAfterMs),
      apiStartedBeforeMongo,
    };
  } finally {
    clearTimeout(watchdog);
    await stopEverything();
  }
}

/**
 * What is stored of a case that failed a check, to find out why: its workflow, record, step runs, audit trail
 * and e-mails (its history is exported beside it by the Temporal CLI).
 */
async function caseDiagnostics(models: Models, tc: ClientConnection, caseId: string): Promise<Record<string, unknown>> {
  const handle = tc.client.workflow.getHandle(caseWorkflowId('admission', caseId));
  const safely = async <T>(f: () => Promise<T>): Promise<T | string> => {
    try {
      return await f();
    } catch (e) {
      return `(${(e as Error).message})`;
    }
  };
  return {
    caseId,
    workflow: await safely(async () => {
      const d = await handle.describe();
      return { status: d.status.name, runId: d.runId, historyLength: d.historyLength };
    }),
    result: await safely(() => handle.result()),
    record: await models.Case.findById(caseId).lean(),
    steps: await models.CaseStep.find({ caseId }).lean(),
    audit: await models.AuditEntry.find({ caseId }).sort({ seq: 1 }).lean(),
    outbox: await models.Outbox.find({ caseId }).lean(),
  };
}
