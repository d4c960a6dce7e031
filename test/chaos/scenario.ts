/**
 * Fault injection on a stack this run owns: its own Temporal dev server (on a SQLite file), its own FerretDB
 * (SQLite handler, fixed data directory), its own SMTP catcher, and the real worker entry point as a child
 * process. While admission cases are driven through every step — with ladder e-mails firing, because the
 * deadlines are seconds — the worker is SIGKILLed again and again, the Temporal server is killed and
 * restarted on its file, the MongoDB-protocol server is stopped and started, and the SMTP server is taken
 * away. Afterwards it counts what a person would care about: lost or unfinished cases, duplicate e-mails,
 * audit trails that do not verify or do not match the case's record. Used by `npm run chaos` (full) and
 * test/integration/chaos-short.test.ts (short).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import mongoose from 'mongoose';
import { saveOrg } from '../../activities/case-activities';
import { verifyAuditChain } from '../../activities/store/audit';
import { createModels } from '../../activities/store/models';
import { messageIdFor, outboxId } from '../../activities/mail/outbox';
import { buildServer } from '../../client/api/server';
import { connectClient, type ClientConnection } from '../../client/temporal';
import { admissionV1, createDefaultRegistry, withTestDurations } from '../../domain/processes';
import { ensureFerretDb, ensureTemporalCli, REPO_ROOT } from '../../tools/stack/binaries';
import { startMailCatcher, type MailCatcher } from '../../tools/stack/mail-catcher';
import { SEARCH_ATTRIBUTES } from '../../tools/stack/search-attributes';
import { freePort, startFerretDb, startTemporalDevServer, type RunningServer } from '../../tools/stack/servers';
import { loadConfig } from '../../worker/config';
import { caseWorkflowId } from '../../workflows/messages';
import { actorsByStep, clientDriver, driveCase, pool, spawnCadreflowWorker, type ChildHandle } from '../bench/lib';
import { BODY, buildOrg } from '../unit/fixtures/org';

export type Fault = 'killWorker' | 'restartTemporal' | 'stopMongo' | 'stopSmtp';

export interface ChaosOptions {
  cases: number;
  concurrency: number;
  /** Faults in the order they are injected, one every `gapMs` once the cases are under way. */
  faults: Fault[];
  gapMs: number;
  mongoDownMs: number;
  smtpDownMs: number;
  /** A prebuilt workflow bundle (the test suite's); built here when absent. */
  workflowBundle?: string;
  log?: (line: string) => void;
}

export interface ChaosReport {
  cases: number;
  seconds: number;
  faults: Array<{ fault: Fault; at: number; actsDoneBefore: number }>;
  workerRestarts: number;
  lostCases: string[];
  unfinishedCases: string[];
  mail: {
    deliveries: number;
    distinctMessageIds: number;
    /** Deliveries of a Message-ID already delivered (the outbox's documented window: a worker killed after SMTP accepted). */
    duplicateDeliveries: number;
    /** Whether every repeated delivery is byte-for-byte the same message as its first (so a client discards it). */
    duplicatesIdentical: boolean;
    outboxMessages: number;
    outboxNotSent: number;
    /** Outbox documents whose key does not match their _id (two messages for one key). */
    outboxKeyMismatches: number;
    /** Outbox messages that never reached the SMTP server. */
    outboxNeverDelivered: number;
  };
  audit: { ok: boolean; problems: number; countMismatches: string[] };
  /** GET /ready answers while the MongoDB-protocol server was down. */
  readyWhileMongoDown: Array<{ status: number; retryAfter?: string }>;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'cadreflow-chaos-'));
  const stops: Array<() => Promise<unknown>> = [];
  const [cli, ferretBin] = await Promise.all([ensureTemporalCli(log), ensureFerretDb(log)]);
  const [temporalPort, mongoPort, smtpPort, httpPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const temporalOpts = {
    cli,
    port: temporalPort,
    dbFile: join(dir, 'temporal.sqlite'),
    searchAttributes: SEARCH_ATTRIBUTES,
  };
  const mongoOpts = { bin: ferretBin, port: mongoPort, handler: 'sqlite' as const, sqliteDir: join(dir, 'ferretdb') };
  let temporal: RunningServer | undefined;
  let ferret: RunningServer | undefined;
  let catcher: MailCatcher | undefined;
  let worker: ChildHandle | undefined;
  let stopping = false;
  let workerRestarts = 0;
  try {
    [temporal, ferret] = await Promise.all([startTemporalDevServer(temporalOpts), startFerretDb(mongoOpts)]);
    catcher = await startMailCatcher({ smtpPort, httpPort });
    let bundle = o.workflowBundle;
    if (!bundle) {
      const { code } = await bundleWorkflowCode({ workflowsPath: join(REPO_ROOT, 'workflows', 'index.ts') });
      bundle = join(dir, 'workflow-bundle.js');
      writeFileSync(bundle, code);
    }
    const env: Record<string, string> = {
      CADREFLOW_ENV: 'test',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_TASK_QUEUE: 'chaos',
      MONGODB_URL: `mongodb://127.0.0.1:${mongoPort}/cadreflow`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      WORKFLOW_BUNDLE: bundle,
      LOG_LEVEL: 'warn',
    };
    const db = await mongoose
      .createConnection(env.MONGODB_URL as string, { serverSelectionTimeoutMS: 2000 })
      .asPromise();
    stops.push(() => db.close());
    const models = createModels(db);
    const org = buildOrg();
    await saveOrg(models, org);
    const tc: ClientConnection = await connectClient(env.TEMPORAL_ADDRESS as string);
    stops.push(() => tc.close());
    const api = await buildServer({
      config: loadConfig({ ...env, LOG_LEVEL: 'silent' }),
      mongo: db,
      temporal: tc,
      models,
      registry: createDefaultRegistry(),
    });
    stops.push(() => api.close());
    const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });

    // The worker, kept running as a process manager would: restarted whenever it dies.
    const superviseWorker = async (): Promise<void> => {
      for (;;) {
        try {
          worker = await spawnCadreflowWorker(env);
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
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    await superviseWorker();

    const definition = withTestDurations(admissionV1, 4, 2);
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

    const inject = async (fault: Fault): Promise<void> => {
      faultsDone.push({ fault, at: (Date.now() - t0) / 1000, actsDoneBefore: acts });
      log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s, ${acts} acts done: ${fault}`);
      switch (fault) {
        case 'killWorker': {
          // The worker the supervisor runs now: one killed a moment ago may not have been replaced yet.
          const alive = (w: ChildHandle | undefined): w is ChildHandle =>
            w !== undefined && w.child.exitCode === null && w.child.signalCode === null;
          while (!alive(worker)) await new Promise((r) => setTimeout(r, 200));
          await worker.kill();
          break;
        }
        case 'restartTemporal':
          await temporal?.kill();
          await new Promise((r) => setTimeout(r, 1000));
          temporal = await startTemporalDevServer(temporalOpts);
          break;
        case 'stopMongo': {
          await ferret?.kill();
          const until = Date.now() + o.mongoDownMs;
          while (Date.now() < until) {
            const res = await fetch(`${apiUrl}/ready`);
            readyWhileMongoDown.push({ status: res.status, retryAfter: res.headers.get('retry-after') ?? undefined });
            await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(0, until - Date.now()))));
          }
          ferret = await startFerretDb(mongoOpts);
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
    while (Date.now() < settleUntil && (await models.Outbox.countDocuments({ status: { $ne: 'sent' } })) > 0) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const caseId of caseIds) {
      const doc = await models.Case.findById(caseId).lean();
      if (!doc) lostCases.push(caseId);
      else if (doc.status !== 'completed' && !unfinishedCases.includes(caseId)) unfinishedCases.push(caseId);
    }
    await new Promise((r) => setTimeout(r, 1000));

    const mails = catcher.messages();
    const first = new Map<string, string>();
    let duplicateDeliveries = 0;
    let duplicatesIdentical = true;
    for (const m of mails) {
      const body = JSON.stringify([m.subject, m.text, m.html, [...m.to].sort()]);
      const seen = first.get(m.messageId);
      if (seen === undefined) first.set(m.messageId, body);
      else {
        duplicateDeliveries += 1;
        if (seen !== body) duplicatesIdentical = false;
      }
    }
    const outbox = await models.Outbox.find({}).lean();
    const mail: ChaosReport['mail'] = {
      deliveries: mails.length,
      distinctMessageIds: first.size,
      duplicateDeliveries,
      duplicatesIdentical,
      outboxMessages: outbox.length,
      outboxNotSent: outbox.filter((d) => d.status !== 'sent').length,
      outboxKeyMismatches: outbox.filter(
        (d) => outboxId({ caseId: d.caseId, stepId: d.stepId, level: d.level, round: d.round }) !== d._id
      ).length,
      outboxNeverDelivered: outbox.filter(
        (d) => !first.has(messageIdFor({ caseId: d.caseId, stepId: d.stepId, level: d.level, round: d.round }))
      ).length,
    };

    const verification = await verifyAuditChain(models);
    const countMismatches: string[] = [];
    for (const caseId of caseIds) {
      const doc = await models.Case.findById(caseId).select({ auditSeq: 1 }).lean();
      const count = await models.AuditEntry.countDocuments({ caseId });
      if (!doc || doc.auditSeq !== count)
        countMismatches.push(`${caseId}: ${count} entries, auditSeq ${doc?.auditSeq}`);
    }
    return {
      cases: o.cases,
      seconds: (Date.now() - t0) / 1000,
      faults: faultsDone,
      workerRestarts,
      lostCases: [...new Set(lostCases)],
      unfinishedCases,
      mail,
      audit: { ok: verification.ok, problems: verification.problems.length, countMismatches },
      readyWhileMongoDown,
    };
  } finally {
    stopping = true;
    await worker?.stop().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await catcher?.close().catch(() => undefined);
    for (const srv of [temporal, ferret]) if (srv) await srv.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
