/**
 * Shared by the benchmark, the chaos runs and their short forms in the test suite: statistics, process
 * memory, the machine, child processes that can be killed like a crash, and the drivers that move
 * admission cases through every step the way people would (through the client helpers today, through the
 * REST API once it serves cases).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { actOnCase } from '../../client/cases';
import { createApiToken, createUser, toActor, type ServiceDeps } from '../../client/services';
import { freePort } from '../../tools/stack/servers';
import { CaseActionError } from '../../client/temporal';
import { OFFICIAL_SCHEDULES } from '../../domain/calendar/schedules';
import type { ActRequest } from '../../domain/chain';
import { mayAct, type OrgSnapshot } from '../../domain/org';
import type { ProcessDefinition } from '../../domain/processes/model';
import { REPO_ROOT } from '../../tools/stack/binaries';
import { caseWorkflowId, CHAIN_CODE_LEVEL, ENTRY_WORKFLOW, prefixOf, type ChainInput } from '../../workflows/messages';

// ---------------------------------------------------------------------------------------------------
// Figures

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of a sample (ms or s, whatever was measured). */
export function distribution(values: readonly number[]): Distribution {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number);
  const mean = s.length === 0 ? NaN : s.reduce((a, b) => a + b, 0) / s.length;
  return { count: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] ?? NaN, mean };
}

export const round = (v: number, digits = 2): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/** CPU time a Linux process has used so far, user + system, in seconds (/proc/<pid>/stat; clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The processes whose command line (arguments joined by spaces) satisfies `match`. */
export function findProcesses(match: (cmd: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (match(cmd)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU seconds used by named groups of processes between `start()` and `stop()`: where the time of a phase
 * goes (the Temporal server, the MongoDB-protocol server, PostgreSQL, the worker, the API, the driver).
 */
export function cpuProfile(groups: Record<string, () => number[]>): { stop(): Record<string, number> } {
  const read = (): Record<string, Map<number, number>> =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [
        name,
        new Map(pids().map((pid) => [pid, processCpuSeconds(pid) ?? 0] as const)),
      ])
    );
  const before = read();
  return {
    stop: () => {
      const after = read();
      return Object.fromEntries(
        Object.entries(after).map(([name, now]) => {
          let used = 0;
          for (const [pid, cpu] of now) used += cpu - (before[name]?.get(pid) ?? 0);
          return [name, round(used, 2)];
        })
      );
    },
  };
}

/**
 * The whole machine's CPU seconds so far, over all cores (/proc/stat): busy, waiting for I/O, idle, and stolen —
 * taken by the hypervisor for other machines while this one had work.
 */
export function machineCpuSeconds(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] as string;
    // cpu  user nice system idle iowait irq softirq steal …, in ticks of 1/100 s
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0);
    return { busy: busy / 100, iowait: (iowait ?? 0) / 100, idle: (idle ?? 0) / 100, steal: (steal ?? 0) / 100 };
  } catch {
    return undefined;
  }
}

export interface MachineCpu {
  busy: number;
  iowait: number;
  idle: number;
  steal: number;
}

/** One slice of a CPU timeline: what each group and the whole machine used in it, in CPU seconds. */
export interface CpuSlice {
  /** The slice's end, in ms after the timeline's `zero`. */
  endMs: number;
  groups: Record<string, number>;
  machine?: MachineCpu;
}

/**
 * A timeline of `cpuProfile`'s figures, read every `sliceMs` from the call until `stop()`: which process was busy
 * when, and whether the machine's cores were busy, waiting for the disk, idle or taken by the hypervisor — what one
 * total over a phase cannot show. The processes are those the groups name at the call.
 */
export function cpuTimeline(
  groups: Record<string, () => number[]>,
  sliceMs: number,
  zero: number
): { stop(): CpuSlice[] } {
  // Found once: a slice reads /proc/<pid>/stat of each, not every process's command line.
  const pids = Object.entries(groups).map(([name, find]) => [name, find()] as const);
  const read = (): { groups: Record<string, number>; machine: ReturnType<typeof machineCpuSeconds> } => ({
    groups: Object.fromEntries(
      pids.map(([name, list]) => [name, list.reduce((s, pid) => s + (processCpuSeconds(pid) ?? 0), 0)])
    ),
    machine: machineCpuSeconds(),
  });
  /** Each figure of `now` less the same of `then`. */
  const since = <T extends object>(now: T, then: T): T =>
    Object.fromEntries(
      Object.entries(now).map(([k, v]) => [k, round((v as number) - ((then as Record<string, number>)[k] ?? 0), 2)])
    ) as T;
  const slices: CpuSlice[] = [];
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    const machine = now.machine && last.machine ? since(now.machine, last.machine) : undefined;
    slices.push({ endMs: Date.now() - zero, groups: since(now.groups, last.groups), ...(machine ? { machine } : {}) });
    last = now;
  }, sliceMs);
  return {
    stop: () => {
      clearInterval(timer);
      return slices;
    },
  };
}

/** Resident and peak resident memory of a Linux process, in bytes (/proc/<pid>/status VmRSS, VmHWM). */
export function processMemory(pid: number): { rssBytes: number; peakBytes: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export interface MachineInfo {
  cpuModel: string;
  nproc: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: the os module's answer stands
  }
  return {
    cpuModel,
    nproc: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Processes

export interface ChildHandle {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  exited: Promise<void>;
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The Node options that profile a process the benchmark starts into `dir`, when it was asked to (--cpu-prof <dir>). */
export function profileArgs(dir = process.env.BENCH_CPU_PROF_DIR): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Runs a TypeScript entry point of this repository as its own Node process with exactly `env` added to
 * this process's environment, and waits for `ready`: a line on its output, or a probe that answers true.
 */
export async function spawnEntry(
  entry: string,
  env: Record<string, string>,
  ready: string | (() => Promise<boolean>),
  timeoutMs = 120_000,
  logFile?: string
): Promise<ChildHandle> {
  const profile = profileArgs();
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-50_000);
    if (logFile) appendFileSync(logFile, d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  void exited.then(() => started.delete(child));
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
  };
  const handle: ChildHandle = {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    exited,
  };
  const deadline = Date.now() + timeoutMs;
  while (!(typeof ready === 'string' ? out.includes(ready) : await ready())) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${entry} exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      await handle.kill();
      throw new Error(`${entry} was not ready within ${timeoutMs / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle;
}

/** The cadreflow worker (worker/main.ts, the real entry point) as its own process. */
/** The worker process (worker/main.ts); with `logFile`, everything it prints is appended there too. */
export function spawnCadreflowWorker(env: Record<string, string>, logFile?: string): Promise<ChildHandle> {
  return spawnEntry('worker/main.ts', env, 'cadreflow worker running', 120_000, logFile);
}

/** The API process (client/api/main.ts, the real entry point) on a free port, ready when /ready says so. */
export async function spawnApi(env: Record<string, string>): Promise<ChildHandle & { url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const probe = async (): Promise<boolean> => (await fetch(`${url}/ready`).catch(() => undefined))?.ok === true;
  const handle = await spawnEntry(
    'client/api/main.ts',
    { ...env, API_HOST: '127.0.0.1', API_PORT: String(port) },
    probe
  );
  return { ...handle, url };
}

/**
 * A user with an API token for each person, as an administrator would create them (client/services), so
 * that a driver can act through the REST API as that person. Usernames carry `tag`, to stay apart from
 * other runs on the same database.
 */
export async function provisionApiTokens(
  deps: ServiceDeps,
  personIds: Iterable<string>,
  tag: string
): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const personId of new Set(personIds)) {
    const user = await createUser(deps, null, {
      username: `${tag}.${personId}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-'),
      password: `mat-khau-do-hieu-nang-${tag}`,
      personId,
      isAdmin: false,
      isInspector: false,
    });
    tokens.set(personId, (await createApiToken(deps, toActor(user), 'đo hiệu năng')).token);
  }
  return tokens;
}

/** The baseline's bare worker (test/bench/bench-worker.ts) as its own process. */
export function spawnBaselineWorker(env: Record<string, string>): Promise<ChildHandle> {
  return spawnEntry('test/bench/bench-worker.ts', env, 'bench worker running');
}

// ---------------------------------------------------------------------------------------------------
// Cases

/** Who acts on each step of a definition for cases of one unit, found with the domain's own rule. */
export function actorsByStep(
  org: OrgSnapshot,
  definition: ProcessDefinition,
  caseUnitId: string,
  onDate: string
): Map<string, string> {
  const actors = new Map<string, string>();
  for (const step of definition.steps) {
    const person = org.people.find((p) => {
      try {
        return mayAct(org, {
          actor: step.actor,
          caseUnitId,
          personId: p.id,
          onDate,
          caseStartedOn: onDate,
          stepId: step.id,
        }).allowed;
      } catch {
        return false;
      }
    });
    if (person) actors.set(step.id, person.id);
  }
  return actors;
}

import { passingCommand } from '../../tools/demo/drive';
export { passingCommand };

export interface CaseSpec {
  caseId: string;
  definition: ProcessDefinition;
  caseUnitId: string;
  /** Caps every step's deadline (epoch ms): how the escalation benchmark puts many deadlines on one instant. */
  campaignDeadline?: number;
  /** Recorded on the case, so that a run can count its cases in MongoDB. */
  campaignId?: string;
}

/**
 * Starts a case as client/cases.ts startCase does, but without the admission's hand-over to the probation
 * (recognition) case, so that an admission case is exactly its 12 steps — the shape of the baseline.
 */
export async function startBenchCase(client: Client, taskQueue: string, spec: CaseSpec): Promise<string> {
  const input: ChainInput = {
    caseId: spec.caseId,
    title: `Kết nạp đảng viên: hồ sơ đo hiệu năng ${spec.caseId}`,
    caseUnitId: spec.caseUnitId,
    subjectName: 'Nguyễn Văn An',
    definition: spec.definition,
    schedules: [...OFFICIAL_SCHEDULES],
    startedBy: 'bench',
    campaignDeadline: spec.campaignDeadline,
    campaignId: spec.campaignId,
    codeLevel: CHAIN_CODE_LEVEL,
  };
  const workflowId = caseWorkflowId(spec.definition.key, spec.caseId);
  try {
    await client.workflow.start(ENTRY_WORKFLOW[prefixOf(spec.definition.key) as keyof typeof ENTRY_WORKFLOW], {
      taskQueue,
      workflowId,
      args: [input],
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
  return workflowId;
}

/** What a driver needs back from an act: where the case stands now. */
export interface ActOutcome {
  status: string;
  current?: { stepId: string };
}

/** How a benchmark or chaos run talks to cadreflow: the client helpers, or the REST API. */
export interface CaseDriver {
  name: string;
  start(spec: CaseSpec): Promise<void>;
  act(spec: CaseSpec, req: ActRequest): Promise<ActOutcome>;
}

export function clientDriver(client: Client, taskQueue: string): CaseDriver {
  return {
    name: 'client helpers (client/cases.ts)',
    start: async (spec) => {
      await startBenchCase(client, taskQueue, spec);
    },
    act: (spec, req) => actOnCase(client, spec.definition.key, spec.caseId, req),
  };
}

/**
 * The REST API as people's clients use it: `POST /api/cases` with the starter's API token, then
 * `POST /api/cases/:caseId/acts` with the token of whoever acts, over HTTP with keep-alive. A 4xx is a
 * refusal (thrown as a CaseActionError); a 5xx or a connection failure is a transport failure, which
 * driveCase retries with the same request ID when asked to.
 */
export function apiDriver(baseUrl: string, tokens: ReadonlyMap<string, string>, starter: string): CaseDriver {
  const call = async (personId: string, path: string, body: unknown): Promise<unknown> => {
    const token = tokens.get(personId);
    if (!token) throw new Error(`no API token for ${personId}`);
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    if (res.status >= 400 && res.status < 500 && res.status !== 429) {
      throw new CaseActionError(
        (answer.code ?? 'INVALID_INPUT') as CaseActionError['code'],
        answer.message ?? `HTTP ${res.status}`
      );
    }
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${answer.code ?? ''} ${answer.message ?? ''}`);
    return answer;
  };
  return {
    name: `REST API (${baseUrl})`,
    start: async (spec) => {
      await call(starter, '/api/cases', {
        requestId: `start.${spec.caseId}`,
        process: spec.definition.key,
        caseId: spec.caseId,
        title: `Kết nạp đảng viên: hồ sơ đo hiệu năng ${spec.caseId}`,
        caseUnitId: spec.caseUnitId,
        subjectName: 'Nguyễn Văn An',
      });
    },
    act: async (spec, req) =>
      (await call(req.personId, `/api/cases/${encodeURIComponent(spec.caseId)}/acts`, {
        requestId: req.requestId,
        command: req.command,
      })) as ActOutcome,
  };
}

/** True for a business refusal (the act was checked and refused), false for a transport failure. */
export function isRefusal(e: unknown): e is CaseActionError {
  return e instanceof CaseActionError;
}

export interface ActTiming {
  stepId: string;
  ms: number;
}

/**
 * Moves one case through every step with the passing act, each act with its own request ID, retried with
 * the same ID after a transport failure (the server may be down: chaos), so that it is applied once.
 */
export async function driveCase(
  driver: CaseDriver,
  spec: CaseSpec,
  actors: Map<string, string>,
  opts: {
    retryTransport?: boolean;
    /** The start's round trip (through the REST API, answered once the case's record is written). */
    onStart?: (ms: number) => void;
    onAct?: (t: ActTiming) => void;
    onEarlyActRefused?: () => void;
    maxActs?: number;
  } = {}
): Promise<ActOutcome> {
  const started = performance.now();
  await retrying(() => driver.start(spec), opts.retryTransport);
  opts.onStart?.(performance.now() - started);
  let stepId: string | undefined = spec.definition.startStep;
  let view: ActOutcome | undefined;
  for (let i = 0; i < (opts.maxActs ?? 40) && stepId; i++) {
    const step = spec.definition.steps.find((s) => s.id === stepId);
    const personId = actors.get(stepId);
    if (!personId) throw new Error(`nobody may act on ${stepId}`);
    const req: ActRequest = { requestId: `${spec.caseId}.${stepId}.${i}`, personId, command: passingCommand(step) };
    const t0 = performance.now();
    view = await retrying(async () => {
      // The first act can come before the case's record: the API's start waits for it 10 s at most, and
      // a loaded worker may take longer to run the case's first task. The API then refuses the act
      // CASE_NOT_FOUND; such a refusal changes nothing, so the first act is sent again, and counted.
      for (let attempt = 1; ; attempt++) {
        try {
          // A new request ID: Temporal answers a repeated Update ID with the first outcome.
          return await driver.act(spec, attempt === 1 ? req : { ...req, requestId: `${req.requestId}.r${attempt}` });
        } catch (e) {
          if (i > 0 || attempt >= 50 || !isRefusal(e) || !['NOT_FOUND', 'CASE_NOT_FOUND'].includes(e.code)) throw e;
          opts.onEarlyActRefused?.();
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }, opts.retryTransport);
    opts.onAct?.({ stepId, ms: performance.now() - t0 });
    stepId = view.status === 'open' ? view.current?.stepId : undefined;
  }
  if (!view) throw new Error(`case ${spec.caseId} was never acted on`);
  return view;
}

async function retrying<T>(fn: () => Promise<T>, retry = false): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!retry || isRefusal(e) || attempt >= 600) throw e;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
    }
  }
}

/** Runs `count` tasks with at most `concurrency` at a time; `progress` is called after each. */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
  progress?: (done: number) => void
): Promise<void> {
  let next = 0;
  let done = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      await task(i);
      done += 1;
      progress?.(done);
    }
  });
  await Promise.all(lanes);
}

/** A progress line at most every `everyMs`, with the rate so far. */
export function progressPrinter(label: string, total: number, everyMs = 2000): (done: number) => void {
  const t0 = Date.now();
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (done < total && now - last < everyMs) return;
    last = now;
    const s = (now - t0) / 1000;
    process.stdout.write(
      `  ${label}: ${done}/${total} in ${s.toFixed(0)} s (${(done / Math.max(s, 0.001)).toFixed(1)}/s)\n`
    );
  };
}
