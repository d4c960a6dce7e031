/**
 * Typed helpers for cases, shared by the API, the CLI and the tests: start a case of any process (its
 * definition pinned on the day it starts), start a campaign, act on a case, read it. Rejections come back
 * as CaseActionError with the workflow's stable code and Vietnamese message.
 */
import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
// The start's request ID, which the server deduplicates starts by: the SDK makes one per call and does not say it.
import { InternalWorkflowStartOptionsSymbol } from '@temporalio/client/lib/internal';
import { OFFICIAL_SCHEDULES } from '../domain/calendar/schedules';
import type { YearSchedule } from '../domain/calendar/schedules';
import { vnDateOf } from '../domain/calendar/days';
import type { ActRequest } from '../domain/chain';
import type { ProcessDefinition, ProcessKey } from '../domain/processes/model';
import type { ProcessRegistry } from '../domain/processes/registry';
import {
  actOnCaseUpdate,
  campaignWorkflowId,
  caseRecordedUpdate,
  caseWorkflowId,
  CHAIN_CODE_LEVEL,
  ENTRY_WORKFLOW,
  getCaseQuery,
  prefixOf,
  TASK_QUEUE,
  type CampaignInput,
  type CaseView,
  type ChainInput,
} from '../workflows/messages';
import { asCaseActionError } from './temporal';

export interface StartCaseOptions {
  process: ProcessKey;
  caseId: string;
  title: string;
  caseUnitId: string;
  subjectName?: string;
  startedBy?: string;
  /** The version to run; by default the one in force today in the registry. */
  definition?: ProcessDefinition;
  /** Admission: the recognition version to pin for the probation that follows. */
  recognitionDefinition?: ProcessDefinition;
  schedules?: YearSchedule[];
  taskQueue?: string;
  historyEventLimit?: number;
  now?: number;
}

export interface CaseClientDeps {
  client: Client;
  registry: ProcessRegistry;
  taskQueue?: string;
}

export interface StartedCase {
  workflowId: string;
  created: boolean;
  /**
   * Whether the case's record was in MongoDB when the start was answered: true once written, false when no
   * worker had written it within the wait (it follows as soon as one runs the case), undefined when the case was
   * started before (not asked).
   */
  recorded?: boolean;
}

/** How long a start waits for the case's record before it is answered anyway. */
export const RECORD_WAIT_MS = 10_000;

/**
 * Starts a case and answers once its record is written (the workflow writes it in its first task), so that
 * whoever started it finds it when they open it or act on it next. Starting the same case ID again creates
 * nothing: the running case is answered.
 */
export async function startCase(
  deps: CaseClientDeps,
  o: StartCaseOptions,
  waitMs = RECORD_WAIT_MS
): Promise<StartedCase> {
  const today = vnDateOf(o.now ?? Date.now());
  const definition = o.definition ?? deps.registry.resolve(o.process, today);
  const input: ChainInput = {
    caseId: o.caseId,
    title: o.title,
    caseUnitId: o.caseUnitId,
    subjectName: o.subjectName,
    definition,
    schedules: o.schedules ?? [...OFFICIAL_SCHEDULES],
    startedBy: o.startedBy,
    historyEventLimit: o.historyEventLimit,
    recognitionDefinition:
      prefixOf(definition.key) === 'admission'
        ? (o.recognitionDefinition ?? deps.registry.resolve('recognition', today))
        : undefined,
    codeLevel: CHAIN_CODE_LEVEL,
  };
  const workflowType = ENTRY_WORKFLOW[prefixOf(definition.key) as keyof typeof ENTRY_WORKFLOW];
  const workflowId = caseWorkflowId(definition.key, o.caseId);
  const options = {
    taskQueue: o.taskQueue ?? deps.taskQueue ?? TASK_QUEUE,
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    [InternalWorkflowStartOptionsSymbol]: { requestId: randomUUID() },
  };
  // The start and the wait for its record in one request: the update rides in the case's first task.
  const operation = new WithStartWorkflowOperation(workflowType, options);
  try {
    await deps.client.withDeadline(Date.now() + waitMs, () =>
      deps.client.workflow.executeUpdateWithStart(caseRecordedUpdate, { startWorkflowOperation: operation })
    );
    return { workflowId, created: true, recorded: true };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
    if (!(e instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) throw e;
  }
  // Not recorded in time. The server answered the start, or the same start once more under the same request ID
  // says whether it was this one (the server answers a start it has had as done) or another start's.
  if (
    await operation.workflowHandle().then(
      () => true,
      () => false
    )
  )
    return { workflowId, created: true, recorded: false };
  try {
    await deps.client.workflow.start(workflowType, options);
    return { workflowId, created: true, recorded: false };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
    throw e;
  }
}

/**
 * Starts a workflow under a business ID; when it runs or has ever run, nothing is created and that is said. A
 * business ID names one case (or campaign) for good: Temporal's default would start an ended one over again,
 * from its first step, over its record, when a start is sent again after the case ended.
 */
async function startOnce(
  client: Client,
  workflowType: string,
  workflowId: string,
  taskQueue: string | undefined,
  input: unknown
): Promise<{ workflowId: string; created: boolean }> {
  try {
    await client.workflow.start(workflowType, {
      taskQueue: taskQueue ?? TASK_QUEUE,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { workflowId, created: true };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
    throw e;
  }
}

/** Starts a campaign: one case per unit. Running the same start again creates nothing twice. */
export async function startCampaign(
  deps: CaseClientDeps,
  input: CampaignInput,
  taskQueue?: string
): Promise<{ workflowId: string; created: boolean }> {
  return startOnce(
    deps.client,
    'campaignWorkflow',
    campaignWorkflowId(input.campaignId),
    taskQueue ?? deps.taskQueue,
    input
  );
}

/**
 * A person's act on a case. `req.requestId` is the client's idempotency key: the same request sent
 * twice is applied once and answered the same way.
 */
export async function actOnCase(client: Client, process: string, caseId: string, req: ActRequest): Promise<CaseView> {
  const handle = client.workflow.getHandle(caseWorkflowId(process, caseId));
  try {
    return await handle.executeUpdate(actOnCaseUpdate, { args: [req], updateId: req.requestId });
  } catch (e) {
    return asCaseActionError(e);
  }
}

export async function getCase(client: Client, process: string, caseId: string): Promise<CaseView> {
  try {
    return await client.workflow.getHandle(caseWorkflowId(process, caseId)).query(getCaseQuery);
  } catch (e) {
    return asCaseActionError(e);
  }
}
