/**
 * The worker's workflow threads keep a stack trace of every workflow promise only when configured to
 * (TEMPORAL_WORKFLOW_STACK_TRACES, tools/sdk-patches.json): by default Temporal's stack-trace query of a case is
 * answered with an error, and with the setting on it shows where the workflow waits. The worker runs as its own
 * process, as in production: its threads copy that process's environment.
 */
import type { Client } from '@temporalio/client';
import { startSignOff } from '../../client/temporal';
import {
  spawnWorkerProcess,
  temporalClient,
  testConfig,
  uniqueId,
  whenPolled,
  type WorkerProcess,
} from '../support/env';

let temporal: Awaited<ReturnType<typeof temporalClient>>;
let client: Client;

beforeAll(async () => {
  temporal = await temporalClient(testConfig('stack-traces'));
  client = temporal.client;
});

afterAll(async () => {
  await temporal.close();
});

/** Starts a sign-off that waits a day on a worker of its own, and asks it for its stack trace. */
async function stackTraceOfAWaitingCase(env: Record<string, string>): Promise<string> {
  const config = testConfig(uniqueId('stack-traces'));
  const worker: WorkerProcess = await spawnWorkerProcess(config, env);
  try {
    const caseId = uniqueId('case');
    const handle = await startSignOff(
      client,
      {
        caseId,
        title: `Kết nạp đảng viên ${caseId}`,
        stepId: 'C11',
        stepTitle: 'Quyết định kết nạp đảng viên',
        signerIds: ['bi-thu-1'],
        signerEmails: ['bithu@dangbo.local'],
        dueAt: Date.now() + 86_400_000,
        escalationEmails: ['thuongtruc@tinhuy.local'],
      },
      config.temporal.taskQueue
    );
    try {
      return await whenPolled('the stack trace', () => handle.query<string>('__stack_trace'));
    } finally {
      await handle.terminate('test over');
    }
  } finally {
    await worker.stop();
  }
}

test('by default a case keeps no stack trace of its promises', async () => {
  await expect(stackTraceOfAWaitingCase({})).rejects.toThrow(/stack traces are not enabled/);
});

test('with TEMPORAL_WORKFLOW_STACK_TRACES=true the query shows where the case waits', async () => {
  const stack = await stackTraceOfAWaitingCase({ TEMPORAL_WORKFLOW_STACK_TRACES: 'true' });
  expect(stack).toContain('workflows/sign-off.ts');
});
