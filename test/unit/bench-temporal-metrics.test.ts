/**
 * The benchmark's reading of the Temporal server's Prometheus endpoint (test/bench/temporal-metrics.ts): a phase's
 * work per case is what grew between two readings, in the workloads' namespace only.
 */
import { parsePrometheus, seriesKey, serverWork } from '../../test/bench/temporal-metrics';
import { renderMarkdown, renderTable, type BenchResult, type PhaseFigures } from '../../test/bench/report';
import { latency, oneSizeResult, phaseFigures } from './fixtures/bench';

const H = 'service_name="history"';
const reading = (v: { wft: number; sys: number; writes: number; markers: number; closed: number; bytes: number }) =>
  [
    '# HELP service_requests service_requests counter',
    '# TYPE service_requests counter',
    `service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",${H}} ${v.wft}`,
    `service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="frontend"} ${v.wft}`,
    `service_requests{namespace="temporal_system",operation="RespondWorkflowTaskCompleted",${H}} ${v.sys}`,
    `service_requests{namespace="default",operation="UpdateWorkflowExecution",${H}} ${v.wft * 2}`,
    `service_requests{namespace="default",operation="ExecuteMultiOperation",${H}} 10`,
    `persistence_requests{namespace="default",operation="UpdateWorkflowExecution",${H}} ${v.writes}`,
    `persistence_requests{namespace="system",operation="UpdateWorkflowExecution",${H}} 999`,
    `command{commandType="RecordMarker",namespace="default",operation="RespondWorkflowTaskCompleted",${H}} ${v.markers}`,
    `task_requests{namespace="default",operation="VisibilityTaskUpsertExecution",${H},task_priority="low",task_type="VisibilityTaskUpsertExecution"} ${v.markers}`,
    `task_requests{namespace="default",operation="TransferActiveTaskWorkflowTask",${H},task_type="TransferActiveTaskWorkflowTask"} 7`,
    `history_size_sum{namespace="default",operation="CompletionStats",${H}} ${v.bytes}`,
    `history_size_count{namespace="default",operation="CompletionStats",${H}} ${v.closed}`,
    'not_a_number{a="b"} NaN',
    '',
  ].join('\n');

test('a reading keys each series by its name and labels, and skips comments and values that are not numbers', () => {
  const m = parsePrometheus(reading({ wft: 3, sys: 1, writes: 4, markers: 2, closed: 1, bytes: 2048 }));
  expect(m.get(`service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",${H}}`)).toBe(3);
  expect([...m.keys()].some((k) => k.startsWith('#') || k.startsWith('not_a_number'))).toBe(false);
  expect(seriesKey('x{a="1",b="say \\"hi\\""}')).toEqual({ name: 'x', labels: { a: '1', b: 'say "hi"' } });
  expect(seriesKey('up')).toEqual({ name: 'up', labels: {} });
});

test("a phase's work is what grew per case, in the default namespace, from the history service", () => {
  const before = parsePrometheus(reading({ wft: 100, sys: 5, writes: 150, markers: 10, closed: 2, bytes: 4096 }));
  const after = parsePrometheus(reading({ wft: 140, sys: 500, writes: 250, markers: 50, closed: 12, bytes: 104_096 }));
  const w = serverWork(before, after, 10);
  expect(w.workflowTasks).toBe(4); // (140 − 100) ÷ 10: neither the frontend's count nor the system namespace's
  expect(w.updates).toBe(8); // the Updates grew by 80; the Update-with-Start count did not grow
  expect(w.stateWrites).toBe(10); // the system namespace's writes are left out
  expect(w.commands).toEqual({ RecordMarker: 4 });
  expect(w.visibilityTasks).toBe(4); // the transfer task did not grow, and is no visibility task anyway
  expect(w.historyBytesAtClose).toBe(10_000); // 100,000 bytes over the 10 workflows that closed in the phase
  expect(w.activityTasks).toBe(0);
  expect(serverWork(after, after, 10).historyBytesAtClose).toBeUndefined();
  expect(() => serverWork(before, after, 0)).toThrow('0 cases');
});

describe('the server table of the report', () => {
  const phase = (extra: Partial<PhaseFigures> = {}): PhaseFigures => phaseFigures(latency(1, 1), extra);
  const result = (baseline: PhaseFigures, cadreflow: PhaseFigures): BenchResult =>
    oneSizeResult('2026-12-07T00:00:00.000Z', baseline, cadreflow);
  const work = {
    workflowTasks: 16.5,
    activityTasks: 1,
    updates: 13.4,
    workflowsCreated: 2,
    stateWrites: 24.5,
    visibilityTasks: 5.1,
    commands: { RecordMarker: 22, ProtocolMessage: 26.9, CancelTimer: 4.5 },
    historyBytesRead: 180 * 1024,
    historyBytesAtClose: 117.5 * 1024,
  };

  test('each phase that read the server is a row; commands not shown apart are summed', () => {
    const md = renderMarkdown(result(phase(), phase({ serverWork: work })));
    expect(md).toContain('## What the Temporal server did');
    expect(md).toContain(
      '| postgresql | 10 | cadreflow | 16.5 | 1.0 | 13.4 | 2.0 | 24.5 | 5.1 | 22.0 | 0.0 | 0.0 | 0.0 | 0.0 | 31.4 | 180.0 | 117.5 |'
    );
    expect(md).not.toContain('| postgresql | 10 | baseline | ');
    expect(renderTable(result(phase(), phase({ serverWork: work })))).toContain('history KiB at close');
  });

  test('a run that did not read the server has no such table', () => {
    expect(renderMarkdown(result(phase(), phase()))).not.toContain('What the Temporal server did');
    expect(renderTable(result(phase(), phase()))).not.toContain('state writes');
  });
});
