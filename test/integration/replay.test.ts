/**
 * Replays the committed histories of every process against the current workflow code: a change to a
 * workflow that is not replay-safe fails here, before it can break cases that are running. The replay
 * runs in a child process (see test/replay/replay-histories.ts).
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HISTORY_DIR } from '../support/history';

const files = readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json'));

test('there is a committed history for each process', () => {
  const names = files.map((f) => f.replace(/\.json$/, ''));
  for (const prefix of ['sign-off', 'admission', 'recognition', 'planning', 'personnel', 'campaign', 'quota']) {
    expect(names.some((n) => n.startsWith(prefix))).toBe(true);
  }
});

test('every committed history replays against the current workflow code', async () => {
  const script = join(__dirname, '..', 'replay', 'replay-histories.ts');
  const args = [
    '--import',
    'tsx',
    script,
    process.env.WORKFLOW_BUNDLE as string,
    ...files.map((f) => join(HISTORY_DIR, f)),
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' })
  );
  const results = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { file: string; ok: boolean; error?: string });
  expect(results.map((r) => r.file).sort()).toEqual([...files].sort());
  expect(results.filter((r) => !r.ok)).toEqual([]);
});
