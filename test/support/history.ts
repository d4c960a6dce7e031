/**
 * Workflow histories for the replay tests. The integration tests that run each process record the
 * history of a finished case here when RECORD_HISTORIES=1; the files are committed, and
 * test/integration/replay.test.ts replays every one against the current workflow code, so a change that
 * breaks determinism fails the build. Histories are exported by the Temporal CLI, in the JSON form that
 * historyFromJSON reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';

export const HISTORY_DIR = join(__dirname, '..', 'replay', 'histories');

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const { runId } = await handle.describe();
  const args = ['workflow', 'show', '--workflow-id', handle.workflowId, '--run-id', runId, '--output', 'json'];
  args.push('--address', process.env.TEMPORAL_ADDRESS as string);
  const json = execFileSync(process.env.TEMPORAL_CLI_PATH as string, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  mkdirSync(HISTORY_DIR, { recursive: true });
  writeFileSync(join(HISTORY_DIR, `${name}.json`), json.endsWith('\n') ? json : `${json}\n`);
}
