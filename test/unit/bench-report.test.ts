/**
 * `npm run bench -- --write-docs` (test/bench/report.ts, keepEarlierRuns): the new page replaces the last run's
 * figures and their reading, and keeps the "Earlier runs" section — written by hand — as it was.
 */
import { keepEarlierRuns } from '../../test/bench/report';

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
