/**
 * `npm run bench -- --write-docs` (test/bench/report.ts, keepEarlierRuns): the new page replaces the last run's
 * figures and their reading, and keeps the "Earlier runs" section — written by hand — as it was.
 */
import { keepEarlierRuns, renderMarkdown, renderSvg, renderTable, type BenchResult } from '../../test/bench/report';
import { latency, oneSizeResult, phaseFigures } from './fixtures/bench';

const page = '# Benchmarks\n\nthis run\n\n## Throughput and latency\n\n| new |\n';

test('the section of earlier runs is kept verbatim after the new page; the last run and its reading are not', () => {
  const before =
    '# Benchmarks\n\nlast run\n\n## Reading this run\n\nlast reading\n\n## Earlier runs\n\n' +
    '### Throughput and latency\n\n| old |\n\n### What each run showed\n\n- ## not a heading\n';
  const after = keepEarlierRuns(page, before);
  expect(after).toBe(
    `${page}\n## Earlier runs\n\n### Throughput and latency\n\n| old |\n\n### What each run showed\n\n- ## not a heading\n`
  );
  expect(after).not.toContain('last reading');
});

test('a page with no such section, or none at all, gives the new page alone', () => {
  expect(keepEarlierRuns(page, '# Benchmarks\n\nlast run\n\n## Reading this run\n\nEarlier runs were slower.\n')).toBe(
    page
  );
  expect(keepEarlierRuns(page, '')).toBe(page);
});

describe('latency request by request', () => {
  const d = latency;
  const phase = (by?: Record<string, ReturnType<typeof d>>) =>
    phaseFigures(d(100, 900), by ? { latencyByStepMs: by } : {});
  const result = (by?: Record<string, ReturnType<typeof d>>): BenchResult =>
    oneSizeResult('2026-11-30T00:00:00.000Z', phase(), phase(by));

  test('each request of a run is a row: the start, then each step in the order seen', () => {
    const md = renderMarkdown(result({ start: d(250, 1200), C1: d(300, 1500), C12: d(410, 2600) }));
    expect(md).toContain('### Latency request by request');
    expect(md).toContain('| request | postgresql N=10 ms p50 / p95 / p99 |');
    expect(md).toContain('| start (POST /api/cases) | 250 / 1200 / 1200 |');
    expect(md.indexOf('| act C1 | 300 / 1500 / 1500 |')).toBeLessThan(md.indexOf('| act C12 | 410 / 2600 / 2600 |'));
    expect(renderTable(result({ start: d(250, 1200) }))).toContain('start (POST /api/cases) | 250 / 1200 / 1200');
  });

  test('a run that did not record it has no such table', () => {
    expect(renderMarkdown(result())).not.toContain('request by request');
    expect(renderTable(result())).not.toContain('POST /api/cases');
  });
});

test('the chart draws one line per handler over the sizes of all its runs, in order of N', () => {
  const r = oneSizeResult('2026-12-08T00:00:00.000Z', phaseFigures(latency(1, 2)), phaseFigures(latency(3, 4)));
  const first = r.runs[0]!;
  const one = first.sizes[0]!;
  const size = (n: number, casesPerSec: number) => ({ ...one, n, cadreflow: { ...one.cadreflow, casesPerSec } });
  // A first command at N = 1,000 and 10,000, a second (--append) at N = 100 on the same handler, then SQLite.
  r.runs = [
    { ...first, sizes: [size(1000, 4), size(10000, 3)] },
    { ...first, sizes: [size(100, 5)] },
    { ...first, handler: 'sqlite', sizes: [size(100, 1)] },
  ];
  const svg = renderSvg(r);
  const lines = svg.split('\n').filter((l) => l.startsWith('<polyline'));
  // Throughput and latency, each: cadreflow on both handlers, then the baseline on both.
  expect(lines).toHaveLength(8);
  expect(svg.match(/>cadreflow \(postgresql\)</g)).toHaveLength(1);
  expect(svg).toContain('>cadreflow (sqlite)<');
  const xs = (line: string) => [...line.matchAll(/(\d+\.\d),\d/g)].map((m) => Number(m[1]));
  const pg = xs(lines[0]!);
  expect(pg).toHaveLength(3);
  expect(pg).toEqual([...pg].sort((a, b) => a - b));
});
