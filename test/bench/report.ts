/**
 * The benchmark's result: its JSON shape, the table printed at the end, docs/benchmarks.md and a small
 * hand-drawn SVG chart of throughput and p99 latency against N.
 */
import type { ServerWork } from './temporal-metrics';
import type { CpuSlice, Distribution, MachineInfo } from './lib';

/** A slice of the escalation round's timeline (lib.ts cpuTimeline) with the e-mails that arrived in it. */
export type TimelineSlice = CpuSlice & { arrived: number };

export interface PhaseFigures {
  /** CPU seconds each group of processes used during the phase. */
  cpuSeconds?: Record<string, number>;
  /** What the Temporal server did per case during the phase (its Prometheus endpoint, read before and after). */
  serverWork?: ServerWork;
  seconds: number;
  casesPerSec: number;
  updatesPerSec: number;
  latencyMs: Distribution;
  /** cadreflow: the start's round trip ('start') and each step's act apart, in the order first seen. */
  latencyByStepMs?: Record<string, Distribution>;
  workerPeakRssBytes?: number;
  completed?: number;
  /** First acts refused NOT_FOUND because they reached the case before its organisation slice, and sent again. */
  firstActRetries?: number;
}

export interface SizeRun {
  n: number;
  baseline: PhaseFigures;
  cadreflow: PhaseFigures;
  /** cadreflow cases/s ÷ baseline cases/s (goal ≥ 0.7). */
  throughputRatio: number;
  /** cadreflow act p99 ÷ bare Update p99 at the same load (goal ≤ 1.5). */
  p99LatencyRatio: number;
  /** cadreflow act p99 under load ÷ a bare Update's p99 with nothing else running. */
  p99VsIdleBareUpdate: number;
}

export interface HandlerRun {
  handler: 'sqlite' | 'postgresql';
  /** How the admission cases were driven (the REST API, or the client helpers). */
  driver: string;
  idle: { bareUpdateMs: Distribution; cadreflowActMs: Distribution };
  sizes: SizeRun[];
  escalation?: {
    m: number;
    /** The deadlines fall on this many whole seconds from dueAt, evenly (0 or absent: all on dueAt). */
    spreadSeconds?: number;
    dueAt: string;
    startSeconds: number;
    settledBeforeDue: boolean;
    /** Cases whose record said open by the due instant (the rest had not run their first task yet). */
    openBeforeDue?: number;
    expected: number;
    received: number;
    distinct: number;
    duplicates: number;
    unexpected: number;
    /** CPU seconds of each process from the first instant until every e-mail had arrived (polled each second). */
    instantCpuSeconds?: Record<string, number>;
    /** The same slice by slice, from a few seconds before the instant, with the e-mails that arrived in each. */
    instantTimeline?: { sliceMs: number; slices: TimelineSlice[] };
    latenessSeconds: Distribution;
    /** The outbox records of the e-mails that arrived more than once: attempts and the last SMTP error. */
    duplicatedOutbox?: { id: string; attempts: number; lastError?: string; secondsToSent?: number }[];
    /** Cases that recorded the rung (escalationLevel) by the time the mailbox was read again for duplicates. */
    casesRecorded?: number;
    /** When the last case recorded the rung, in seconds after the scheduled instant. */
    casesRecordedSeconds?: number;
    /** When the escalation's outbox record was written, after the scheduled instant (negative: armed ahead). */
    outboxRecordedLateSeconds?: Distribution;
    /** From the later of the outbox record and the instant to its being marked sent (SMTP). */
    outboxToSentSeconds?: Distribution;
    workerRssBytes?: number;
    workerPeakRssBytes?: number;
    cpuSeconds?: Record<string, number>;
    /** The same M e-mails from bare workflows (a timer, one SMTP activity) on the same servers, just before. */
    baseline?: {
      startSeconds: number;
      received: number;
      distinct: number;
      duplicates: number;
      latenessSeconds: Distribution;
      cpuSeconds?: Record<string, number>;
    };
  };
  storage: {
    /** Sum of the BSON sizes of a completed admission case's documents (case, steps, audit, outbox), averaged. */
    bsonBytesPerAdmissionCase: number;
    bsonSample: number;
    dbStats:
      | { dataSize?: number; storageSize?: number; indexSize?: number; totalSize?: number; cases: number }
      | { error: string; cases: number };
  };
}

export interface BenchResult {
  startedAt: string;
  finishedAt?: string;
  command: string;
  machine: MachineInfo;
  options: { ns: number[]; m: number; spread?: number; concurrency: number; handlers: string[]; steps: number };
  runs: HandlerRun[];
}

const f = (v: number | undefined, d = 1): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
const mb = (b: number | undefined): string =>
  b === undefined || !Number.isFinite(b) ? '—' : `${(b / 2 ** 20).toFixed(0)} MiB`;
const goal = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function rows(r: BenchResult): string[][] {
  const out: string[][] = [];
  for (const run of r.runs) {
    for (const s of run.sizes) {
      out.push([
        run.handler,
        String(s.n),
        f(s.baseline.casesPerSec),
        f(s.cadreflow.casesPerSec),
        `${f(s.throughputRatio, 2)} (${goal(s.throughputRatio >= 0.7)})`,
        f(s.cadreflow.updatesPerSec),
        `${f(s.cadreflow.latencyMs.p50, 0)} / ${f(s.cadreflow.latencyMs.p95, 0)} / ${f(s.cadreflow.latencyMs.p99, 0)}`,
        `${f(s.baseline.latencyMs.p50, 0)} / ${f(s.baseline.latencyMs.p95, 0)} / ${f(s.baseline.latencyMs.p99, 0)}`,
        `${f(s.p99LatencyRatio, 2)} (${goal(s.p99LatencyRatio <= 1.5)})`,
      ]);
    }
  }
  return out;
}

const HEAD = [
  'handler',
  'N',
  'bare cases/s',
  'cadreflow cases/s',
  'throughput ratio (≥ 0.7)',
  'cadreflow updates/s',
  'act ms p50/p95/p99',
  'bare Update ms p50/p95/p99',
  'p99 ratio (≤ 1.5)',
];

function escalationRows(r: BenchResult): string[][] {
  return r.runs
    .filter((run) => run.escalation)
    .map((run) => {
      const e = run.escalation!;
      const st = run.storage.dbStats;
      const perCase =
        'dataSize' in st && st.dataSize !== undefined && st.cases > 0 ? st.dataSize / st.cases : undefined;
      return [
        run.handler,
        e.spreadSeconds ? `${e.m} (deadlines over ${e.spreadSeconds} s)` : String(e.m),
        `${f(e.latenessSeconds.p50, 2)} / ${f(e.latenessSeconds.p99, 2)} (${goal(e.latenessSeconds.p99 <= 5)})`,
        e.baseline
          ? `${f(e.baseline.latenessSeconds.p50, 2)} / ${f(e.baseline.latenessSeconds.p99, 2)}; ${e.baseline.distinct} of ${e.m}, ${e.baseline.duplicates} dup.`
          : '—',
        `${e.distinct} of ${e.expected}, ${e.duplicates} dup. (${goal(e.distinct === e.expected && e.duplicates === 0)})`,
        `${mb(e.workerRssBytes)} (${goal((e.workerRssBytes ?? Infinity) <= 1.5 * 2 ** 30)})`,
        `${f(run.storage.bsonBytesPerAdmissionCase, 0)} B`,
        perCase === undefined ? '—' : `${f(perCase, 0)} B`,
        `${f(run.idle.bareUpdateMs.p50, 1)} / ${f(run.idle.bareUpdateMs.p99, 1)}`,
        `${f(run.idle.cadreflowActMs.p50, 1)} / ${f(run.idle.cadreflowActMs.p99, 1)}`,
      ];
    });
}

const ESC_HEAD = [
  'handler',
  'M open cases',
  'escalation s late p50 / p99 (≤ 5)',
  'bare Temporal + SMTP s late p50 / p99; e-mails',
  'e-mails',
  'worker RSS (≤ 1.5 GB)',
  'BSON bytes / admission case',
  'dbStats dataSize / case',
  'idle bare Update ms p50 / p99',
  'idle cadreflow act ms p50 / p99',
];

/**
 * cadreflow's requests one by one: the start (answered once the case's record is written) and each step's act,
 * a row each, and a column per run (handler, N): where the act latency's tail comes from.
 */
function stepLatency(r: BenchResult): { head: string[]; body: string[][] } {
  const columns = r.runs.flatMap((run) =>
    run.sizes
      .filter((s) => s.cadreflow.latencyByStepMs)
      .map((s) => ({ label: `${run.handler} N=${s.n} ms p50 / p95 / p99`, by: s.cadreflow.latencyByStepMs! }))
  );
  const keys = [...new Set(columns.flatMap((c) => Object.keys(c.by)))];
  const cell = (d: Distribution | undefined): string => (d ? `${f(d.p50, 0)} / ${f(d.p95, 0)} / ${f(d.p99, 0)}` : '—');
  return {
    head: ['request', ...columns.map((c) => c.label)],
    body: keys.map((k) => [
      k === 'start' ? 'start (POST /api/cases)' : `act ${k}`,
      ...columns.map((c) => cell(c.by[k])),
    ]),
  };
}

function textTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

function mdTable(head: string[], body: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const CPU_GROUPS: Array<[string, string]> = [
  ['temporalServer', 'Temporal server'],
  ['mongoServer', 'FerretDB'],
  ['postgresql', 'PostgreSQL'],
  ['cadreflowWorker', 'cadreflow worker'],
  ['api', 'API'],
  ['bareWorker', 'bare worker'],
  ['smtpCatcher', 'SMTP catcher'],
  ['driver', 'driver (clients)'],
];
const CPU_HEAD = ['handler', 'N', 'phase', ...CPU_GROUPS.map(([, label]) => `${label} ms`), 'total CPU ms / case'];

/** CPU milliseconds per case, process group by process group: where a case's cost lies. */
function cpuRows(r: BenchResult): string[][] {
  const out: string[][] = [];
  for (const run of r.runs) {
    for (const s of run.sizes) {
      for (const [phase, figures] of [
        ['baseline', s.baseline],
        ['cadreflow', s.cadreflow],
      ] as const) {
        const cpu = figures.cpuSeconds;
        if (!cpu) continue;
        const per = (v: number | undefined): string => f(((v ?? 0) * 1000) / s.n, 0);
        const total = Object.values(cpu).reduce((a, b) => a + b, 0);
        out.push([run.handler, String(s.n), phase, ...CPU_GROUPS.map(([k]) => per(cpu[k])), per(total)]);
      }
    }
    // The escalation phases: CPU per e-mail owed, N being M there.
    const e = run.escalation;
    for (const [phase, cpu] of [
      ['bare escalation', e?.baseline?.cpuSeconds],
      ['escalation', e?.cpuSeconds],
    ] as const) {
      if (!e || !cpu) continue;
      const per = (v: number | undefined): string => f(((v ?? 0) * 1000) / e.m, 0);
      const total = Object.values(cpu).reduce((a, b) => a + b, 0);
      out.push([run.handler, `M ${e.m}`, phase, ...CPU_GROUPS.map(([k]) => per(cpu[k])), per(total)]);
    }
  }
  return out;
}

/** The commands shown in a column each; any other type the workers sent is summed under "other commands". */
const COMMANDS: Array<[string, string]> = [
  ['RecordMarker', 'markers'],
  ['UpsertWorkflowSearchAttributes', 'search-attribute upserts'],
  ['StartTimer', 'timers'],
  ['ScheduleActivityTask', 'activities scheduled'],
  ['StartChildWorkflowExecution', 'children started'],
];
const SERVER_HEAD = [
  'handler',
  'N',
  'phase',
  'workflow tasks',
  'activity tasks',
  'Updates',
  'workflows created',
  'state writes',
  'visibility tasks',
  ...COMMANDS.map(([, label]) => label),
  'other commands',
  'history KiB read',
  'history KiB at close',
];

/** The Temporal server's work per case, phase by phase: where its share of the CPU table goes. */
function serverRows(r: BenchResult): string[][] {
  const out: string[][] = [];
  for (const run of r.runs) {
    for (const s of run.sizes) {
      for (const [phase, w] of [
        ['baseline', s.baseline.serverWork],
        ['cadreflow', s.cadreflow.serverWork],
      ] as const) {
        if (!w) continue;
        const shown = new Set(COMMANDS.map(([k]) => k));
        const other = Object.entries(w.commands)
          .filter(([k]) => !shown.has(k))
          .reduce((a, [, v]) => a + v, 0);
        out.push([
          run.handler,
          String(s.n),
          phase,
          ...[w.workflowTasks, w.activityTasks, w.updates, w.workflowsCreated, w.stateWrites, w.visibilityTasks].map(
            (v) => f(v, 1)
          ),
          ...COMMANDS.map(([k]) => f(w.commands[k] ?? 0, 1)),
          f(other, 1),
          f(w.historyBytesRead / 1024, 1),
          w.historyBytesAtClose === undefined ? '—' : f(w.historyBytesAtClose / 1024, 1),
        ]);
      }
    }
  }
  return out;
}

function serverSection(r: BenchResult): string {
  const body = serverRows(r);
  if (body.length === 0) return '';
  return `
## What the Temporal server did

Per case, in each phase, from the Temporal dev server's Prometheus endpoint read before and after it: workflow tasks
and activity tasks completed, Updates received (an Update-with-Start counts as one), workflows created (a case, and
the probation case it starts), writes of a workflow's state to the server's database, visibility records (a start, a
close, a search-attribute upsert), the commands the workers sent by type (other commands: the Updates' protocol
messages, timers cancelled, completions), and the history the server read back to hand out workflow tasks, and held
when a workflow closed (its histograms' sums, so rounded as they round).

${mdTable(SERVER_HEAD, body)}
`;
}

export function renderTable(r: BenchResult): string {
  const steps = stepLatency(r);
  const server = serverRows(r);
  return [
    textTable(HEAD, rows(r)),
    ...(steps.body.length > 0 ? [textTable(steps.head, steps.body)] : []),
    textTable(ESC_HEAD, escalationRows(r)),
    textTable(CPU_HEAD, cpuRows(r)),
    ...(server.length > 0 ? [textTable(SERVER_HEAD, server)] : []),
  ].join('\n\n');
}

/** A line chart: x = N (log scale), left panel cases/s, right panel act p99 ms; one line per series. */
export function renderSvg(r: BenchResult): string {
  const W = 900;
  const H = 360;
  const panelW = 380;
  const top = 50;
  const plotH = 240;
  const ns = [...new Set(r.runs.flatMap((run) => run.sizes.map((s) => s.n)))].sort((a, b) => a - b);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  type Series = { name: string; points: Array<[number, number]> };
  // One line per handler, over every run on it (a command with --append adds sizes run apart), in order of N.
  const handlers = [...new Set(r.runs.map((run) => run.handler))];
  const sizesOf = (handler: string) =>
    r.runs
      .filter((run) => run.handler === handler)
      .flatMap((run) => run.sizes)
      .sort((a, b) => a.n - b.n);
  const series = (name: string, value: (s: SizeRun) => number): Series[] =>
    handlers.map((h) => ({ name: name.replace('%h', h), points: sizesOf(h).map((s) => [s.n, value(s)]) }));
  const through: Series[] = [
    ...series('cadreflow (%h)', (s) => s.cadreflow.casesPerSec),
    ...series('bare Temporal (%h run)', (s) => s.baseline.casesPerSec),
  ];
  const latency: Series[] = [
    ...series('cadreflow act (%h)', (s) => s.cadreflow.latencyMs.p99),
    ...series('bare Update (%h run)', (s) => s.baseline.latencyMs.p99),
  ];
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const panel = (x0: number, title: string, unit: string, series: Series[]): string => {
    const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.15;
    const lx = (n: number): number => {
      if (ns.length < 2) return x0 + panelW / 2;
      const a = Math.log10(ns[0] as number);
      const b = Math.log10(ns[ns.length - 1] as number);
      return x0 + 40 + ((Math.log10(n) - a) / (b - a)) * (panelW - 60);
    };
    const ly = (v: number): number => top + plotH - (v / maxY) * plotH;
    const parts: string[] = [];
    parts.push(
      `<text x="${x0 + panelW / 2}" y="${top - 20}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`
    );
    parts.push(`<line x1="${x0 + 30}" y1="${top + plotH}" x2="${x0 + panelW}" y2="${top + plotH}" stroke="#333"/>`);
    parts.push(`<line x1="${x0 + 30}" y1="${top}" x2="${x0 + 30}" y2="${top + plotH}" stroke="#333"/>`);
    for (let i = 0; i <= 4; i++) {
      const v = (maxY * i) / 4;
      parts.push(
        `<text x="${x0 + 26}" y="${ly(v) + 4}" text-anchor="end" font-size="10">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`
      );
      parts.push(`<line x1="${x0 + 30}" y1="${ly(v)}" x2="${x0 + panelW}" y2="${ly(v)}" stroke="#eee"/>`);
    }
    for (const n of ns)
      parts.push(`<text x="${lx(n)}" y="${top + plotH + 16}" text-anchor="middle" font-size="10">N=${n}</text>`);
    parts.push(`<text x="${x0 + 4}" y="${top - 6}" font-size="10">${esc(unit)}</text>`);
    series.forEach((s, i) => {
      const c = colours[i % colours.length] as string;
      const dash = s.name.startsWith('bare') ? ' stroke-dasharray="5,4"' : '';
      const pts = s.points.map(([n, v]) => `${lx(n).toFixed(1)},${ly(v).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${dash} points="${pts}"/>`);
      for (const [n, v] of s.points)
        parts.push(`<circle cx="${lx(n).toFixed(1)}" cy="${ly(v).toFixed(1)}" r="3" fill="${c}"/>`);
      parts.push(
        `<line x1="${x0 + 40}" y1="${top + plotH + 32 + i * 14}" x2="${x0 + 60}" y2="${top + plotH + 32 + i * 14}" stroke="${c}" stroke-width="2"${dash}/>`
      );
      parts.push(`<text x="${x0 + 66}" y="${top + plotH + 36 + i * 14}" font-size="11">${esc(s.name)}</text>`);
    });
    return parts.join('\n');
  };
  // Below the legends (one row per series), the footer.
  const legendBottom = top + plotH + 36 + (Math.max(through.length, latency.length) - 1) * 14;
  const height = Math.max(H, legendBottom + 24);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(20, 'Throughput against N', 'cases/s', through),
    panel(470, 'Act latency p99 against N', 'ms', latency),
    `<text x="${W / 2}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#666">${esc(
      `${r.machine.nproc} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB; ${r.options.concurrency} concurrent clients; FerretDB on ${handlers.join(' and ')}; ${r.startedAt.slice(0, 10)}`
    )}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** The latency of each request apart, when the run recorded it (runs before it did not). */
function stepSection(r: BenchResult): string {
  const steps = stepLatency(r);
  if (steps.body.length === 0) return '';
  return `
### Latency request by request

Each cadreflow request apart, under the same load: the start and the act on each step.

${mdTable(steps.head, steps.body)}
`;
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  return `# Benchmarks

Generated by \`${r.command}\` on ${r.startedAt} (finished ${r.finishedAt ?? '—'}); the raw figures of every run are
in \`test-artifacts/bench/latest.json\` (not committed). Every figure below comes from ${
    r.command.includes('; then ') ? 'these runs; in each' : 'that one run'
  }, the baseline and cadreflow ran on the same Temporal dev server, one after the other.

**Machine:** ${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB memory, Node ${m.node}, ${m.platform}. The Temporal dev
server, FerretDB, the SMTP catcher, both workers and the driving clients all share these ${m.nproc} cores, and other
work on the machine (other test suites) may have run at the same time.

![Throughput and act latency against N](benchmarks.svg)

## What is measured

- **Baseline**: a bare Temporal workflow (\`test/bench/baseline-workflows.ts\`) with the same shape as an admission
  case — ${r.options.steps} Updates, one timer per step — on its own worker process and task queue, no activity.
- **cadreflow**: admission cases driven through C1–C12 with the passing act by ${r.options.concurrency} concurrent
  clients. ${
    r.runs[0]?.driver === 'REST API'
      ? `Through the **REST API** (\`POST /api/cases\`, then \`POST /api/cases/:caseId/acts\` over HTTP with each
  actor's API token, to the real API process): the current admission rules with their real deadlines (no ladder
  e-mail fires during a run), and at C12 the hand-over that starts the probation (recognition) case.`
      : `Through the typed client helpers (\`client/cases.ts\`): \`admissionV1\` with 30-day test deadlines and no
  hand-over to the probation case.`
  } Each act is an \`actOnCase\` Update that validates, persists the case, its changed step runs and its
  hash-chained audit to MongoDB (FerretDB, as local activities) and answers with the new state.
- **Throughput** = N ÷ wall time from the first start to the last act; **latency** = each act's round trip.
- **Escalation lateness**: M cases of a one-step chain whose deadline is capped by one campaign deadline, so every
  escalation e-mail (one per case, to Thường trực Tỉnh ủy) is scheduled for the same instant; lateness = arrival at
  the SMTP catcher (in a process of its own) − scheduled instant. Each case arms its e-mail in the outbox when it
  starts (composed, held under the dispatcher's claim), and the mail dispatcher — a thread of the worker — sends
  them at the instant. Its baseline, just before on the same servers: the same M e-mails from bare
  workflows (\`bareEscalationWorkflow\`: a timer to the same instant, one activity sending through cadreflow's SMTP
  transport, no database).
- **Worker RSS**: \`/proc/<pid>/status\` VmRSS of the worker process with the M cases open.
- **MongoDB bytes per case**: the BSON size of a completed admission case's documents (case, step runs, audit,
  outbox), averaged over a sample, and FerretDB's \`dbStats\` dataSize divided by the number of cases stored.

## Throughput and latency

${mdTable(HEAD, rows(r))}
${stepSection(r)}
## Escalation, memory and storage

${mdTable(ESC_HEAD, escalationRows(r))}

## Where the CPU goes

CPU milliseconds per case used by each process during each phase (\`/proc/<pid>/stat\`, user + system), read
before and after the phase. All of them share the machine's ${m.nproc} cores, so a phase can go no faster than
its total CPU per case allows.

${mdTable(CPU_HEAD, cpuRows(r))}
${serverSection(r)}`;
}

/**
 * The new docs/benchmarks.md: this run's page, then the "Earlier runs" section of the page it replaces (the runs
 * before this one and what was read from them, kept by hand), when that page has one.
 */
export function keepEarlierRuns(page: string, before: string): string {
  const earlier = before.indexOf('\n## Earlier runs\n');
  return page + (earlier >= 0 ? before.slice(earlier) : '');
}
