/**
 * `npm run bench`: cadreflow measured against bare Temporal on one real dev stack per MongoDB-protocol
 * handler (a Temporal dev server, FerretDB on SQLite or PostgreSQL, an SMTP catcher), started and stopped
 * here. For each N: N bare cases (12 Updates, a timer per step) on their own worker and task queue, then N
 * admission cases driven through C1–C12 by concurrent clients; then M open cases whose deadlines fall on one
 * instant (or, with --spread S, evenly on S whole seconds from it), to time the escalation e-mails and weigh the
 * worker and the database. Prints progress and a
 * table, writes test-artifacts/bench/latest.json, and with --write-docs docs/benchmarks.md and its chart.
 *
 *   npm run bench                        N = 100 and 1,000, M = 1,000, SQLite and PostgreSQL
 *   npm run bench -- --n10k              N = 10,000 as well (hours on 2 cores; see docs/benchmarks.md)
 *   npm run bench -- --n 200 --m 200 --handler sqlite --concurrency 50
 *   npm run bench -- --n 100 --m 1000 --handler sqlite --append   adds to the runs of latest.json
 *   --spread 60                          the M deadlines on 60 instants a second apart (the same minute), not one
 *   --driver client                      drive through the client helpers instead of the REST API
 *   --cpu-prof <dir>                     V8 CPU profiles (.cpuprofile) of the worker (each thread), API, bare worker
 *                                        and SMTP catcher processes
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { BSON } from 'mongodb';
import { saveOrg } from '../../activities/case-activities';
import { createModels, type Models } from '../../activities/store/models';
import { messageIdFor } from '../../activities/mail/outbox';
import { connectClient } from '../../client/temporal';
import { admissionV1, createDefaultRegistry, withTestDurations } from '../../domain/processes';
import type { ProcessDefinition } from '../../domain/processes/model';
import type { ServiceDeps } from '../../client/services';
import { loadConfig } from '../../worker/config';
import { REPO_ROOT } from '../../tools/stack/binaries';
import type { MailSummary } from '../../tools/stack/mail-catcher';
import { startTestStack, type TestStack } from '../support/stack';
import { readTemporalMetrics, serverWork, type MetricsSample, type ServerWork } from './temporal-metrics';
import { BODY, buildOrg } from '../unit/fixtures/org';
import { advanceBareUpdate, type BareCaseInput, type BareEscalationInput } from './baseline-workflows';
import { escalationDefinition, ESCALATE_AFTER_MS, ESCALATION_STEP } from './escalation';
import {
  actorsByStep,
  apiDriver,
  clientDriver,
  cpuProfile,
  cpuTimeline,
  type CpuSlice,
  distribution,
  findProcesses,
  driveCase,
  machineInfo,
  pool,
  processMemory,
  profileArgs,
  progressPrinter,
  provisionApiTokens,
  spawnApi,
  startBenchCase,
  spawnBaselineWorker,
  spawnCadreflowWorker,
  type CaseDriver,
  type ChildHandle,
} from './lib';
import {
  keepEarlierRuns,
  renderMarkdown,
  renderSvg,
  renderTable,
  type BenchResult,
  type HandlerRun,
  type PhaseFigures,
  type SizeRun,
  type TimelineSlice,
} from './report';

const STEPS = 12;
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'bench');
const BASELINE_QUEUE = 'bench-baseline';
const CADREFLOW_QUEUE = 'bench-cadreflow';

interface Options {
  ns: number[];
  m: number;
  concurrency: number;
  handlers: Array<'sqlite' | 'postgresql'>;
  /** Who drives the admission cases: the REST API (as people do) or the typed client helpers. */
  driver: 'api' | 'client';
  writeDocs: boolean;
  /** Keep the runs of test-artifacts/bench/latest.json and add this one's (a handler measured at other sizes). */
  append: boolean;
  /** The escalation's M deadlines fall evenly on this many whole seconds (0: all on one instant). */
  spread: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    ns: [100, 1000],
    m: 1000,
    concurrency: 100,
    handlers: ['sqlite', 'postgresql'],
    driver: 'api',
    writeDocs: false,
    append: false,
    spread: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--n') o.ns = next().split(',').map(Number);
    else if (a === '--n10k') o.ns = [...new Set([...o.ns, 10_000])];
    else if (a === '--m') o.m = Number(next());
    else if (a === '--spread') o.spread = Number(next());
    else if (a === '--concurrency') o.concurrency = Number(next());
    else if (a === '--handler') o.handlers = next().split(',') as Options['handlers'];
    else if (a === '--driver') o.driver = next() as Options['driver'];
    else if (a === '--write-docs') o.writeDocs = true;
    else if (a === '--append') o.append = true;
    else if (a === '--cpu-prof') process.env.BENCH_CPU_PROF_DIR = next();
    else throw new Error(`unknown option ${String(a)}`);
  }
  if (o.ns.some((n) => !Number.isInteger(n) || n < 1) || !(o.m >= 0) || !(o.concurrency >= 1))
    throw new Error('--n, --m and --concurrency must be positive whole numbers');
  if (!Number.isInteger(o.spread) || o.spread < 0 || o.spread > 3600)
    throw new Error('--spread takes a whole number of seconds, 0 to 3600');
  for (const h of o.handlers) if (h !== 'sqlite' && h !== 'postgresql') throw new Error(`unknown handler ${String(h)}`);
  if (o.driver !== 'api' && o.driver !== 'client')
    throw new Error(`--driver is api or client, not ${String(o.driver)}`);
  return o;
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const runTag = Date.now().toString(36);

/** One bare case: started, then advanced STEPS times, each Update timed. */
async function bareCase(client: Client, id: string, times: number[]): Promise<void> {
  const input: BareCaseInput = { steps: STEPS, stepTimeoutMs: 3_600_000 };
  const handle = await client.workflow.start('bareCaseWorkflow', {
    taskQueue: BASELINE_QUEUE,
    workflowId: id,
    args: [input],
  });
  for (let s = 0; s < STEPS; s++) {
    const t0 = performance.now();
    await handle.executeUpdate(advanceBareUpdate, { args: [{ requestId: `${id}.${s}` }], updateId: `${id}.${s}` });
    times.push(performance.now() - t0);
  }
}

type PhaseResult = PhaseFigures;

/**
 * Reads the Temporal server's metrics at a phase's start; the function it answers reads them again at the end and
 * gives the server's work per case. A reading that fails costs the phase that table only, with a line saying why.
 */
function temporalServerMeter(
  url: string | undefined
): () => Promise<(cases: number) => Promise<ServerWork | undefined>> {
  const read = async (): Promise<MetricsSample | undefined> => {
    if (!url) return undefined;
    try {
      return await readTemporalMetrics(url);
    } catch (e) {
      log(
        `  the Temporal server's metrics could not be read (${(e as Error).message}): no server table for this phase`
      );
      return undefined;
    }
  };
  return async () => {
    const before = await read();
    return async (cases) => {
      const after = before ? await read() : undefined;
      return before && after ? serverWork(before, after, cases) : undefined;
    };
  };
}

function sampler(pid: number): { stop(): number | undefined } {
  let peak = 0;
  const t = setInterval(() => {
    const m = processMemory(pid);
    if (m) peak = Math.max(peak, m.rssBytes);
  }, 1000);
  return {
    stop: () => {
      clearInterval(t);
      return peak || undefined;
    },
  };
}

async function runBaseline(client: Client, n: number, concurrency: number, label: string): Promise<PhaseResult> {
  const times: number[] = [];
  const t0 = performance.now();
  await pool(
    n,
    concurrency,
    (i) => bareCase(client, `bare:${runTag}:${label}:${i}`, times),
    progressPrinter(`baseline N=${n}`, n)
  );
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, casesPerSec: n / seconds, updatesPerSec: times.length / seconds, latencyMs: distribution(times) };
}

async function runAdmission(
  driver: CaseDriver,
  worker: ChildHandle,
  n: number,
  concurrency: number,
  label: string,
  actors: Map<string, string>,
  definition: ProcessDefinition
): Promise<PhaseResult & { completed: number; firstActRetries: number }> {
  const times: number[] = [];
  // The start and each step's act apart: which requests make the tail.
  const byStep = new Map<string, number[]>();
  const timed = (key: string, ms: number): void => {
    const list = byStep.get(key);
    if (list) list.push(ms);
    else byStep.set(key, [ms]);
  };
  let completed = 0;
  let firstActRetries = 0;
  const rss = sampler(worker.pid);
  const t0 = performance.now();
  await pool(
    n,
    concurrency,
    async (i) => {
      const view = await driveCase(
        driver,
        { caseId: `bench-${runTag}-${label}-${i}`, definition, caseUnitId: BODY.cell },
        actors,
        {
          onStart: (ms) => timed('start', ms),
          onAct: (t) => {
            times.push(t.ms);
            timed(t.stepId, t.ms);
          },
          onEarlyActRefused: () => (firstActRetries += 1),
        }
      );
      if (view.status === 'completed') completed += 1;
    },
    progressPrinter(`cadreflow N=${n}`, n)
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    casesPerSec: n / seconds,
    updatesPerSec: times.length / seconds,
    latencyMs: distribution(times),
    latencyByStepMs: Object.fromEntries([...byStep].map(([k, v]) => [k, distribution(v)])),
    workerPeakRssBytes: rss.stop(),
    completed,
    firstActRetries,
  };
}

/** The catcher's messages, read a little at a time: each call fetches only what arrived since the last one. */
function mailReader(url: string): () => Promise<MailSummary[]> {
  const all: MailSummary[] = [];
  return async () => {
    const after = all.length > 0 ? all[all.length - 1]!.seq : 0;
    all.push(...((await (await fetch(`${url}/messages?view=summary&after=${after}`)).json()) as MailSummary[]));
    return all;
  };
}

/**
 * Waits until every expected Message-ID (mapped to the instant its e-mail is due) has arrived — or none has for
 * two minutes, or a cap of ten minutes plus 200 ms per e-mail passes — printing progress, then a little longer so
 * that a late duplicate is seen. Polling starts at `scheduledAt`, the first instant. Answers the mails that carry
 * an expected Message-ID, the count of all others, and the lateness of each first arrival after its own instant,
 * in seconds. `onAll` is called as soon as every expected e-mail is seen (polled each second).
 */
async function collectMail(
  mailUrl: string,
  expected: ReadonlyMap<string, number>,
  scheduledAt: number,
  label: string,
  onAll?: () => void
): Promise<{ ours: MailSummary[]; unexpected: number; distinct: number; repeated: string[]; lateness: number[] }> {
  const m = expected.size;
  const fetchMail = mailReader(mailUrl);
  const lastInstant = Math.max(scheduledAt, ...expected.values());
  const deadline = lastInstant + 600_000 + m * 200;
  let lastPrint = 0;
  let lastGot = 0;
  let lastProgress = Date.now();
  while (Date.now() < deadline && Date.now() - lastProgress < 120_000) {
    await new Promise((r) => setTimeout(r, 1000));
    if (Date.now() < scheduledAt) {
      lastProgress = Date.now();
      continue;
    }
    const got = (await fetchMail()).filter((x) => expected.has(x.messageId)).length;
    if (got > lastGot) [lastGot, lastProgress] = [got, Date.now()];
    if (Date.now() - lastPrint > 2000) {
      const after =
        scheduledAt > 0 ? ` (${((Date.now() - scheduledAt) / 1000).toFixed(0)} s after the scheduled instant)` : '';
      log(`  ${label}: ${got}/${m}${after}`);
      lastPrint = Date.now();
    }
    if (got >= m) {
      onAll?.();
      break;
    }
  }
  await new Promise((r) => setTimeout(r, 3000));
  const mails = await fetchMail();
  const ours = mails.filter((x) => expected.has(x.messageId));
  const firstArrival = new Map<string, number>();
  const repeated = new Set<string>();
  for (const mail of ours) {
    if (firstArrival.has(mail.messageId)) repeated.add(mail.messageId);
    else firstArrival.set(mail.messageId, Date.parse(mail.receivedAt));
  }
  return {
    ours,
    unexpected: mails.length - ours.length,
    distinct: firstArrival.size,
    repeated: [...repeated],
    lateness: [...firstArrival].map(([id, t]) => (t - (expected.get(id) as number)) / 1000),
  };
}

/** Case i's deadline, after the first instant, when the deadlines fall on `spread` whole seconds (evenly). */
const spreadOffset = (i: number, spread: number): number => (spread > 0 ? (i % spread) * 1000 : 0);

/** How far ahead of the shared due instant M cases are started: enough for all of them to be open by then. */
const dueLead = (m: number): number => 60_000 + m * 70;
/** The same for the bare workflows, which start and settle about three times as fast. */
const bareDueLead = (m: number): number => 30_000 + m * 25;

/**
 * The escalation's baseline: M bare workflows on the baseline worker, each a timer to the same instant and
 * one activity sending its e-mail through cadreflow's SMTP transport — what Temporal and SMTP alone need.
 */
async function runBareEscalation(
  client: Client,
  mailUrl: string,
  m: number,
  concurrency: number,
  spread: number
): Promise<NonNullable<NonNullable<HandlerRun['escalation']>['baseline']>> {
  await fetch(`${mailUrl}/messages`, { method: 'DELETE' });
  const tag = `bench-bare-esc-${runTag}-${Math.random().toString(36).slice(2, 6)}`;
  const sendAt = Date.now() + bareDueLead(m) + ESCALATE_AFTER_MS;
  log(`  bare escalation: starting ${m} workflows due at ${new Date(sendAt).toISOString()}`);
  const messageId = (i: number): string => `<${tag}-${i}@bench.cadreflow.local>`;
  const t0 = performance.now();
  await pool(
    m,
    concurrency,
    async (i) => {
      const input: BareEscalationInput = {
        sendAt: sendAt + spreadOffset(i, spread),
        mail: {
          to: ['thuongtruc@tinhuy.example.vn'],
          subject: `Đo hiệu năng: cảnh báo quá hạn ${i}`,
          text: `Hồ sơ ${i} quá hạn.`,
          messageId: messageId(i),
        },
      };
      await client.workflow.start('bareEscalationWorkflow', {
        taskQueue: BASELINE_QUEUE,
        workflowId: `${tag}-${i}`,
        args: [input],
      });
    },
    progressPrinter('bare escalation workflows started', m)
  );
  const startSeconds = (performance.now() - t0) / 1000;
  const expected = new Map(Array.from({ length: m }, (_, i) => [messageId(i), sendAt + spreadOffset(i, spread)]));
  const got = await collectMail(mailUrl, expected, sendAt, 'bare escalation e-mails');
  return {
    startSeconds,
    received: got.ours.length,
    distinct: got.distinct,
    duplicates: got.ours.length - got.distinct,
    latenessSeconds: distribution(got.lateness),
  };
}

async function runEscalation(
  client: Client,
  models: Models,
  worker: ChildHandle,
  mailUrl: string,
  m: number,
  concurrency: number,
  spread: number,
  cpuGroups: Record<string, () => number[]>
): Promise<NonNullable<HandlerRun['escalation']>> {
  await fetch(`${mailUrl}/messages`, { method: 'DELETE' });
  const definition = escalationDefinition();
  const campaignId = `bench-esc-${runTag}-${Math.random().toString(36).slice(2, 6)}`;
  // The shared due instant: far enough ahead that every case is started and settled before it.
  const dueAt = Date.now() + dueLead(m);
  const scheduledAt = dueAt + ESCALATE_AFTER_MS;
  log(
    `  escalation: starting ${m} cases due at ${new Date(dueAt).toISOString()}${spread > 0 ? ` and the ${spread - 1} seconds after it` : ''}`
  );
  const t0 = performance.now();
  await pool(
    m,
    concurrency,
    async (i) => {
      await startBenchCase(client, CADREFLOW_QUEUE, {
        caseId: `${campaignId}-${i}`,
        definition,
        caseUnitId: BODY.cell,
        campaignDeadline: dueAt + spreadOffset(i, spread),
        campaignId,
      });
    },
    progressPrinter('escalation cases started', m)
  );
  const startSeconds = (performance.now() - t0) / 1000;
  let openBeforeDue: number;
  for (;;) {
    openBeforeDue = await models.Case.countDocuments({ campaignId, status: 'open' });
    if (openBeforeDue >= m || Date.now() >= dueAt) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const settledBeforeDue = openBeforeDue >= m && Date.now() < dueAt;
  log(`  escalation: ${openBeforeDue}/${m} cases recorded open ${settledBeforeDue ? 'before' : 'by'} the due instant`);
  const expected = new Map<string, string>();
  const instants = new Map<string, number>();
  const caseInstants = new Map<string, number>();
  for (let i = 0; i < m; i++) {
    const caseId = `${campaignId}-${i}`;
    const id = messageIdFor({ caseId, stepId: ESCALATION_STEP, level: 'escalation', round: 1 });
    expected.set(id, caseId);
    instants.set(id, scheduledAt + spreadOffset(i, spread));
    caseInstants.set(caseId, scheduledAt + spreadOffset(i, spread));
  }
  // Where the CPU goes from the first instant to the last arrival (read to the second): the round itself.
  let instantCpu: ReturnType<typeof cpuProfile> | undefined;
  const instantTimer = setTimeout(() => (instantCpu = cpuProfile(cpuGroups)), Math.max(0, scheduledAt - Date.now()));
  // And slice by slice from a few seconds before the instant: which process was busy when, and whether the cores
  // were busy, waiting for the disk, idle or taken by the hypervisor.
  let timeline: ReturnType<typeof cpuTimeline> | undefined;
  const timelineTimer = setTimeout(
    () => (timeline = cpuTimeline(cpuGroups, TIMELINE_SLICE_MS, scheduledAt)),
    Math.max(0, scheduledAt - TIMELINE_BEFORE_MS - Date.now())
  );
  let instantCpuSeconds: Record<string, number> | undefined;
  let got = await collectMail(mailUrl, instants, scheduledAt, 'escalation e-mails', () => {
    instantCpuSeconds = instantCpu?.stop();
  });
  clearTimeout(instantTimer);
  clearTimeout(timelineTimer);
  // To the mailbox's last read, a few seconds after the last e-mail: the round's end (its marks) is in it too.
  const instantTimeline = timelineWithArrivals(timeline?.stop() ?? [], got.lateness);
  for (const line of timelineLines(instantTimeline)) log(`  escalation: ${line}`);
  const late = distribution(got.lateness);
  log(`  escalation: lateness p50 ${late.p50.toFixed(2)} / p95 ${late.p95.toFixed(2)} / p99 ${late.p99.toFixed(2)} s`);
  if (instantCpuSeconds) {
    const spent = Object.entries(instantCpuSeconds).map(([k, v]) => `${k} ${v.toFixed(1)}`);
    log(`  escalation: CPU s from the instant to the last e-mail: ${spent.join(', ')}`);
  }
  // The cases record the rung after their e-mail went out (up to a minute after the instant): a duplicate would
  // come from them, so the mailbox is read again once every case has recorded it.
  let recorded = 0;
  for (const until = Date.now() + 900_000; Date.now() < until;) {
    recorded = await models.Case.countDocuments({ campaignId, escalationLevel: 'escalation' });
    if (recorded >= m) break;
    log(`  escalation: ${recorded}/${m} cases have recorded the rung`);
    // Counting scans every case on FerretDB (a second or two of its time at M = 10,000): not too often.
    await new Promise((r) => setTimeout(r, 20_000));
  }
  const recordedSeconds = (Date.now() - scheduledAt) / 1000;
  log(`  escalation: ${recorded}/${m} cases recorded the rung ${recordedSeconds.toFixed(0)} s after the instant`);
  await new Promise((r) => setTimeout(r, 5000));
  const firstLateness = got.lateness;
  got = { ...(await collectMail(mailUrl, instants, 0, 'escalation e-mails')), lateness: firstLateness };
  // Where the lateness comes from: the workflow's timer and persist (outbox record created) or the mail path.
  const outbox = await models.Outbox.find({ caseId: { $in: [...expected.values()] } })
    .select({ caseId: 1, createdAt: 1, sentAt: 1 })
    .lean();
  const instantOf = (caseId: string): number => caseInstants.get(caseId) ?? scheduledAt;
  const recordedLate = outbox.map((d) => (new Date(d.createdAt).getTime() - instantOf(d.caseId)) / 1000);
  const sendSeconds = outbox
    .filter((d) => d.sentAt)
    // From the later of its record and its instant (an armed e-mail is recorded ahead) to its "sent" mark.
    .map(
      (d) => (new Date(d.sentAt!).getTime() - Math.max(new Date(d.createdAt).getTime(), instantOf(d.caseId))) / 1000
    );
  // Why a message went out twice: its outbox record's attempts and last SMTP error.
  const duplicated = await models.Outbox.find({ caseId: { $in: got.repeated.map((id) => expected.get(id) as string) } })
    .select({ attempts: 1, lastError: 1, createdAt: 1, sentAt: 1 })
    .lean();
  const memory = processMemory(worker.pid);
  return {
    duplicatedOutbox: duplicated.map((d) => ({
      id: d._id,
      attempts: d.attempts,
      lastError: d.lastError,
      secondsToSent: d.sentAt ? (new Date(d.sentAt).getTime() - new Date(d.createdAt).getTime()) / 1000 : undefined,
    })),
    m,
    spreadSeconds: spread,
    dueAt: new Date(dueAt).toISOString(),
    startSeconds,
    settledBeforeDue,
    openBeforeDue,
    expected: m,
    received: got.ours.length,
    distinct: got.distinct,
    duplicates: got.ours.length - got.distinct,
    unexpected: got.unexpected,
    latenessSeconds: distribution(got.lateness),
    casesRecorded: recorded,
    casesRecordedSeconds: recordedSeconds,
    outboxRecordedLateSeconds: distribution(recordedLate),
    outboxToSentSeconds: distribution(sendSeconds),
    workerRssBytes: memory?.rssBytes,
    workerPeakRssBytes: memory?.peakBytes,
    instantCpuSeconds,
    instantTimeline: { sliceMs: TIMELINE_SLICE_MS, slices: instantTimeline },
  };
}

/** The escalation round's timeline: slices of this length, from this long before the instant. */
const TIMELINE_SLICE_MS = 500;
const TIMELINE_BEFORE_MS = 5_000;

/** Each slice with the e-mails that arrived in it, by their lateness (seconds after their own instant). */
function timelineWithArrivals(slices: CpuSlice[], lateness: readonly number[]): TimelineSlice[] {
  return slices.map((slice) => ({
    ...slice,
    arrived: lateness.filter((l) => l * 1000 > slice.endMs - TIMELINE_SLICE_MS && l * 1000 <= slice.endMs).length,
  }));
}

/** A line per slice: the e-mails that arrived, the machine's cores, and each process that used CPU in it. */
function timelineLines(slices: TimelineSlice[]): string[] {
  const lines = [
    `the round by ${TIMELINE_SLICE_MS} ms (CPU s in each slice; the machine's cores can give ${((machineInfo().nproc * TIMELINE_SLICE_MS) / 1000).toFixed(2)}):`,
  ];
  // Up to two seconds after the last slice an e-mail arrived in (all of them are in the JSON).
  let last = slices.length - 1;
  while (last >= 0 && slices[last]!.arrived === 0) last -= 1;
  for (const s of slices.slice(0, last < 0 ? undefined : last + 1 + 2000 / TIMELINE_SLICE_MS)) {
    const machine = s.machine
      ? `machine busy ${s.machine.busy.toFixed(2)} iowait ${s.machine.iowait.toFixed(2)} idle ${s.machine.idle.toFixed(2)} stolen ${s.machine.steal.toFixed(2)}`
      : '';
    const used = Object.entries(s.groups)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(2)}`);
    lines.push(
      `  ${(s.endMs / 1000).toFixed(1).padStart(6)} s: ${String(s.arrived).padStart(5)} e-mails; ${machine}; ${used.join(', ')}`
    );
  }
  return lines;
}

async function storageFigures(
  db: mongoose.Connection,
  models: Models,
  sampleIds: string[]
): Promise<HandlerRun['storage']> {
  let bson = 0;
  for (const caseId of sampleIds) {
    const docs = [
      ...(await models.Case.find({ _id: caseId }).lean()),
      ...(await models.CaseStep.find({ caseId }).lean()),
      ...(await models.AuditEntry.find({ caseId }).lean()),
      ...(await models.Outbox.find({ caseId }).lean()),
    ];
    for (const d of docs) bson += BSON.calculateObjectSize(d);
  }
  const cases = await models.Case.countDocuments({});
  let dbStats: HandlerRun['storage']['dbStats'];
  try {
    if (!db.db) throw new Error('no database handle');
    const s = (await db.db.command({ dbStats: 1 })) as Record<string, number>;
    dbStats = {
      dataSize: s.dataSize,
      storageSize: s.storageSize,
      indexSize: s.indexSize,
      totalSize: s.totalSize,
      cases,
    };
  } catch (e) {
    dbStats = { error: (e as Error).message, cases };
  }
  return {
    bsonBytesPerAdmissionCase: sampleIds.length ? bson / sampleIds.length : NaN,
    bsonSample: sampleIds.length,
    dbStats,
  };
}

async function idleLatencies(
  client: Client,
  driver: CaseDriver,
  actors: Map<string, string>,
  definition: ProcessDefinition
): Promise<HandlerRun['idle']> {
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) await bareCase(client, `bare:${runTag}:idle:${i}`, bare);
  const acts: number[] = [];
  for (let i = 0; i < 3; i++) {
    await driveCase(driver, { caseId: `bench-${runTag}-idle-${i}`, definition, caseUnitId: BODY.cell }, actors, {
      onAct: (t) => acts.push(t.ms),
    });
  }
  return { bareUpdateMs: distribution(bare), cadreflowActMs: distribution(acts) };
}

async function runHandler(
  handler: 'sqlite' | 'postgresql',
  o: Options,
  stops: Array<() => Promise<unknown>>
): Promise<HandlerRun> {
  log(`\n=== MongoDB-protocol server: FerretDB on ${handler} ===`);
  if (handler === 'sqlite') process.env.CADREFLOW_TEST_MONGO_HANDLER = 'sqlite';
  else delete process.env.CADREFLOW_TEST_MONGO_HANDLER;
  const stack: TestStack = await startTestStack(log, {
    catcherProcess: true,
    catcherNodeArgs: profileArgs(),
    temporalMetrics: true,
  });
  stops.push(() => stack.stop());
  const actual = stack.env.CADREFLOW_TEST_MONGO_HANDLER as 'sqlite' | 'postgresql';
  if (actual !== handler) log(`  PostgreSQL did not answer: this run is on ${actual}`);
  const temporal = await connectClient(stack.env.TEMPORAL_ADDRESS as string);
  stops.push(() => temporal.close());
  const db = await mongoose.createConnection(stack.env.MONGODB_URL as string).asPromise();
  stops.push(() => db.close());
  const models = createModels(db);
  const org = buildOrg();
  await saveOrg(models, org);
  const env = { ...stack.env, LOG_LEVEL: 'warn' };
  const [worker, bareWorker] = await Promise.all([
    spawnCadreflowWorker({ ...env, TEMPORAL_TASK_QUEUE: CADREFLOW_QUEUE }),
    spawnBaselineWorker({ ...env, BENCH_TASK_QUEUE: BASELINE_QUEUE }),
  ]);
  stops.push(
    () => worker.stop(),
    () => bareWorker.stop(),
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `worker-${actual}.log`), worker.output());
    }
  );
  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
  let driver: CaseDriver;
  let apiPid: number | undefined;
  // Through the API a case is what people start: the current admission rules with their real deadlines,
  // handed over to the probation (recognition) case when admitted. The client helpers run the bare
  // 12-step chain with 30-day deadlines.
  let definition: ProcessDefinition;
  if (o.driver === 'api') {
    const registry = createDefaultRegistry();
    definition = registry.resolve('admission', today);
    const api = await spawnApi({ ...env, TEMPORAL_TASK_QUEUE: CADREFLOW_QUEUE });
    stops.push(
      () => api.stop(),
      async () => {
        mkdirSync(ARTIFACTS, { recursive: true });
        writeFileSync(join(ARTIFACTS, `api-${actual}.log`), api.output());
      }
    );
    apiPid = api.pid;
    const actors0 = actorsByStep(org, definition, BODY.cell, today);
    const deps: ServiceDeps = {
      models,
      temporal: temporal.client,
      registry,
      config: loadConfig({ ...process.env, ...env }),
      now: Date.now,
    };
    const tokens = await provisionApiTokens(deps, actors0.values(), `bench${runTag}${actual.slice(0, 2)}`);
    driver = apiDriver(api.url, tokens, actors0.get(definition.startStep) as string);
  } else {
    definition = withTestDurations(admissionV1, 86_400 * 30);
    driver = clientDriver(temporal.client, CADREFLOW_QUEUE);
  }
  const actors = actorsByStep(org, definition, BODY.cell, today);
  log(`  driver: ${driver.name}; ${o.concurrency} concurrent clients`);
  // Where each phase's CPU goes, process by process (this machine's cores are shared by all of them).
  const temporalPort = `--port ${(stack.env.TEMPORAL_ADDRESS as string).split(':').pop()}`;
  const mongoListen = `:${new URL(stack.env.MONGODB_URL as string).port} `;
  const smtpPort = `"smtpPort":${stack.env.SMTP_PORT as string},`;
  const cpuGroups: Record<string, () => number[]> = {
    temporalServer: () => findProcesses((c) => c.includes('start-dev') && c.includes(temporalPort)),
    mongoServer: () => findProcesses((c) => c.includes('cadreflow-ferretdb') && c.includes(mongoListen)),
    postgresql: () =>
      actual === 'postgresql' ? findProcesses((c) => /^(postgres|\/usr\/lib\/postgresql\/)/.test(c)) : [],
    cadreflowWorker: () => [worker.pid],
    api: () => (apiPid ? [apiPid] : []),
    bareWorker: () => [bareWorker.pid],
    smtpCatcher: () => findProcesses((c) => c.includes('startMailCatcher') && c.includes(smtpPort)),
    driver: () => [process.pid],
  };

  const idle = await idleLatencies(temporal.client, driver, actors, definition);
  log(
    `  idle: bare Update p50 ${idle.bareUpdateMs.p50.toFixed(1)} ms, cadreflow act p50 ${idle.cadreflowActMs.p50.toFixed(1)} ms`
  );
  const sizes: SizeRun[] = [];
  const serverMeter = temporalServerMeter(stack.env.TEMPORAL_METRICS_URL);
  for (const n of o.ns) {
    const baselineCpu = cpuProfile(cpuGroups);
    const baselineServer = await serverMeter();
    const baseline = await runBaseline(temporal.client, n, o.concurrency, `n${n}`);
    baseline.cpuSeconds = baselineCpu.stop();
    baseline.serverWork = await baselineServer(n);
    const cadreflowCpu = cpuProfile(cpuGroups);
    const cadreflowServer = await serverMeter();
    const cadreflow = await runAdmission(driver, worker, n, o.concurrency, `n${n}`, actors, definition);
    cadreflow.cpuSeconds = cadreflowCpu.stop();
    cadreflow.serverWork = await cadreflowServer(n);
    sizes.push({
      n,
      baseline,
      cadreflow,
      throughputRatio: cadreflow.casesPerSec / baseline.casesPerSec,
      p99LatencyRatio: cadreflow.latencyMs.p99 / baseline.latencyMs.p99,
      p99VsIdleBareUpdate: cadreflow.latencyMs.p99 / idle.bareUpdateMs.p99,
    });
    log(
      `  N=${n}: baseline ${baseline.casesPerSec.toFixed(1)} cases/s, cadreflow ${cadreflow.casesPerSec.toFixed(1)} cases/s ` +
        `(ratio ${(cadreflow.casesPerSec / baseline.casesPerSec).toFixed(2)}); p99 ${cadreflow.latencyMs.p99.toFixed(0)} ms vs ${baseline.latencyMs.p99.toFixed(0)} ms`
    );
  }
  const sampleIds = Array.from({ length: Math.min(50, o.ns[0] ?? 0) }, (_, i) => `bench-${runTag}-n${o.ns[0]}-${i}`);
  let escalation: HandlerRun['escalation'];
  if (o.m > 0) {
    const mailUrl = stack.env.MAIL_CATCHER_URL as string;
    const bareCpu = cpuProfile(cpuGroups);
    const baseline = await runBareEscalation(temporal.client, mailUrl, o.m, o.concurrency, o.spread);
    baseline.cpuSeconds = bareCpu.stop();
    log(
      `  bare escalation: ${baseline.distinct}/${o.m} e-mails, ${baseline.latenessSeconds.p50.toFixed(1)} / ${baseline.latenessSeconds.p99.toFixed(1)} s late (p50 / p99)`
    );
    const escalationCpu = cpuProfile(cpuGroups);
    const run = await runEscalation(temporal.client, models, worker, mailUrl, o.m, o.concurrency, o.spread, cpuGroups);
    escalation = { ...run, cpuSeconds: escalationCpu.stop(), baseline };
  }
  const storage = await storageFigures(db, models, sampleIds);
  return { handler: actual, driver: driver.name.replace(/ \(.*\)$/, ''), idle, sizes, escalation, storage };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const stops: Array<() => Promise<unknown>> = [];
  const cleanup = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((e: Error) => log(`while stopping: ${e.message}`));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineInfo(),
    options: { ns: o.ns, m: o.m, spread: o.spread, concurrency: o.concurrency, handlers: o.handlers, steps: STEPS },
    runs: [],
  };
  log(`cadreflow benchmark on ${result.machine.nproc} × ${result.machine.cpuModel}, ${result.machine.memoryGiB} GiB`);
  try {
    for (const handler of o.handlers) {
      result.runs.push(await runHandler(handler, o, stops));
      await cleanup();
    }
  } finally {
    await cleanup();
  }
  result.finishedAt = new Date().toISOString();
  if (o.append && existsSync(join(ARTIFACTS, 'latest.json'))) {
    const earlier = JSON.parse(readFileSync(join(ARTIFACTS, 'latest.json'), 'utf8')) as BenchResult;
    result.runs = [...earlier.runs, ...result.runs];
    result.command = `${earlier.command}; then ${result.command}`;
    result.startedAt = earlier.startedAt;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(`\n${renderTable(result)}`);
  log(`\nwritten: test-artifacts/bench/latest.json`);
  if (o.writeDocs) {
    writeFileSync(join(REPO_ROOT, 'docs', 'benchmarks.svg'), renderSvg(result));
    // The runs before this one, and what was read from them, stay under "Earlier runs".
    const docPath = join(REPO_ROOT, 'docs', 'benchmarks.md');
    const before = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
    writeFileSync(docPath, keepEarlierRuns(renderMarkdown(result), before));
    log('written: docs/benchmarks.md, docs/benchmarks.svg');
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  }
);
