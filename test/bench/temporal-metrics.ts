/**
 * What the Temporal server did during a phase, per case, read from the dev server's Prometheus endpoint
 * (`--metrics-port`) before and after the phase: how many workflow tasks, activity tasks, Updates and
 * workflows it handled, how many times it wrote a workflow's state, which commands the workers sent, and how
 * many bytes of history it read and kept. The CPU table says how much the server spent; this says on what.
 */

/** One sample of the endpoint: each series (its name and labels as printed) and its value. */
export type MetricsSample = Map<string, number>;

export interface SeriesKey {
  name: string;
  labels: Record<string, string>;
}

/** Parses Prometheus' text exposition format; comments, blank lines and values that are not numbers are skipped. */
export function parsePrometheus(text: string): MetricsSample {
  const out: MetricsSample = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    if (cut <= 0) continue;
    const value = Number(line.slice(cut + 1));
    if (!Number.isFinite(value)) continue;
    out.set(line.slice(0, cut), value);
  }
  return out;
}

/** The name and labels of a series as `parsePrometheus` keys it (`name{a="x",b="y"}`). */
export function seriesKey(series: string): SeriesKey {
  const open = series.indexOf('{');
  if (open < 0) return { name: series, labels: {} };
  const labels: Record<string, string> = {};
  for (const m of series.slice(open + 1, series.lastIndexOf('}')).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, '$1');
  return { name: series.slice(0, open), labels };
}

export async function readTemporalMetrics(url: string): Promise<MetricsSample> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return parsePrometheus(await res.text());
}

/** The server's work per case in one phase (figures are per case: a phase's total ÷ its N). */
export interface ServerWork {
  /** Workflow tasks completed (RespondWorkflowTaskCompleted). */
  workflowTasks: number;
  /** Activity tasks completed (RespondActivityTaskCompleted). */
  activityTasks: number;
  /** Updates received (UpdateWorkflowExecution and Update-with-Start). */
  updates: number;
  /** Workflows created: the cases, and the cases they start (CreateWorkflowExecution). */
  workflowsCreated: number;
  /** Writes of a workflow's mutable state and new history (persistence UpdateWorkflowExecution). */
  stateWrites: number;
  /** Visibility records written: a start, a close, each search-attribute upsert. */
  visibilityTasks: number;
  /** Commands the workers sent in their workflow task completions, by type (RecordMarker, StartTimer, …). */
  commands: Record<string, number>;
  /** History bytes the server read back to hand out workflow tasks. */
  historyBytesRead: number;
  /** The history's size of a workflow when it closed, on average over those closed in the phase. */
  historyBytesAtClose?: number;
}

/** Sums the growth of every series called `name` whose labels `match`, from `before` to `after`. */
function grew(
  before: MetricsSample,
  after: MetricsSample,
  name: string,
  match: (labels: Record<string, string>) => boolean
): number {
  let sum = 0;
  for (const [series, value] of after) {
    if (!series.startsWith(`${name}{`)) continue;
    const key = seriesKey(series);
    if (key.name !== name || !match(key.labels)) continue;
    sum += value - (before.get(series) ?? 0);
  }
  return sum;
}

/** Only what the workloads did: the server's own system namespace (its schedulers, its scanners) is left out. */
const inDefault = (l: Record<string, string>): boolean => l.namespace === undefined || l.namespace === 'default';

export function serverWork(before: MetricsSample, after: MetricsSample, cases: number): ServerWork {
  if (!(cases > 0)) throw new Error(`serverWork: ${cases} cases`);
  const per = (v: number): number => v / cases;
  const history = (op: string) => (l: Record<string, string>) =>
    inDefault(l) && l.service_name === 'history' && l.operation === op;
  const stored = (op: string) => (l: Record<string, string>) => l.namespace === 'default' && l.operation === op;

  const commands: Record<string, number> = {};
  for (const [series, value] of after) {
    if (!series.startsWith('command{')) continue;
    const { labels } = seriesKey(series);
    if (!inDefault(labels) || labels.operation !== 'RespondWorkflowTaskCompleted' || !labels.commandType) continue;
    const grown = value - (before.get(series) ?? 0);
    if (grown > 0) commands[labels.commandType] = (commands[labels.commandType] ?? 0) + per(grown);
  }
  const closedBytes = grew(before, after, 'history_size_sum', history('CompletionStats'));
  const closed = grew(before, after, 'history_size_count', history('CompletionStats'));
  return {
    workflowTasks: per(grew(before, after, 'service_requests', history('RespondWorkflowTaskCompleted'))),
    activityTasks: per(grew(before, after, 'service_requests', history('RespondActivityTaskCompleted'))),
    updates: per(
      grew(before, after, 'service_requests', history('UpdateWorkflowExecution')) +
        grew(before, after, 'service_requests', history('ExecuteMultiOperation'))
    ),
    workflowsCreated: per(grew(before, after, 'persistence_requests', stored('CreateWorkflowExecution'))),
    stateWrites: per(grew(before, after, 'persistence_requests', stored('UpdateWorkflowExecution'))),
    visibilityTasks: per(
      grew(
        before,
        after,
        'task_requests',
        (l) => inDefault(l) && l.service_name === 'history' && (l.task_type ?? '').startsWith('VisibilityTask')
      )
    ),
    commands,
    historyBytesRead: per(grew(before, after, 'history_size_sum', history('GetHistory'))),
    ...(closed > 0 ? { historyBytesAtClose: closedBytes / closed } : {}),
  };
}
