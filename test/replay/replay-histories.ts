/**
 * Replays committed workflow histories against a workflow bundle and prints one JSON line per history:
 * {"file": ..., "ok": true} or {"file": ..., "ok": false, "error": ...}. Run outside jest, whose module
 * registry loads protobufjs twice and breaks historyFromJSON.
 *
 *   node --import tsx test/replay/replay-histories.ts <bundle.js> <history.json>...
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const [bundle, ...files] = process.argv.slice(2);
  if (!bundle || files.length === 0) throw new Error('usage: replay-histories.ts <bundle.js> <history.json>...');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let failed = 0;
  for (const file of files) {
    try {
      const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: { codePath: bundle } }, history, basename(file, '.json'));
      console.log(JSON.stringify({ file: basename(file), ok: true }));
    } catch (e) {
      failed += 1;
      console.log(JSON.stringify({ file: basename(file), ok: false, error: String((e as Error).stack ?? e) }));
    }
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

void main();
