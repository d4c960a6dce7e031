/**
 * Typed helpers over the Temporal client, shared by the API, the CLI and the tests. They speak in
 * business terms (a case, a step, a person) and turn workflow rejections into `CaseActionError`s with
 * the stable code and Vietnamese message the workflow gave.
 */
import {
  Client,
  Connection,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  getSignOffStateQuery,
  signOffWorkflowId,
  signStepUpdate,
  TASK_QUEUE,
  type RejectionCode,
  type RejectionDetails,
  type SignOffInput,
  type SignOffState,
  type SignStepInput,
} from '../workflows/messages';

/**
 * The HTTP status of each business rejection, for the API and the web pages alike: who you are (403),
 * what exists (404), the case's state now (409), the input (422).
 */
export const REJECTION_STATUS: Record<RejectionCode, number> = {
  NOT_AUTHORISED: 403,
  NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  STEP_NOT_OPEN: 409,
  CASE_CLOSED: 409,
  CONFLICT: 409,
  FREEZE_WINDOW: 409,
  INVALID_INPUT: 422,
  VOTE_INVALID: 422,
  DEFINITION_INVALID: 422,
  ORG_INVALID: 422,
  NOT_ELIGIBLE: 422,
  EXTENSION_NOT_ALLOWED: 422,
  DOCUMENT_EXPIRED: 422,
};

export class CaseActionError extends Error {
  constructor(
    readonly code: RejectionCode,
    readonly messageVi: string
  ) {
    super(`${code}: ${messageVi}`);
    this.name = 'CaseActionError';
  }
}

export interface ClientConnection {
  client: Client;
  connection: Connection;
  close: () => Promise<void>;
}

export async function connectClient(address: string, namespace = 'default'): Promise<ClientConnection> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace }), connection, close: () => connection.close() };
}

/** Unwraps a rejected update into a CaseActionError; rethrows anything else. */
export function asCaseActionError(e: unknown): never {
  if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
    const d = e.cause.details?.[0] as Partial<RejectionDetails> | undefined;
    if (d?.code && d.messageVi) throw new CaseActionError(d.code, d.messageVi);
  }
  if (e instanceof WorkflowNotFoundError) {
    if (/already completed/i.test(e.message))
      throw new CaseActionError('CASE_CLOSED', 'Hồ sơ đã kết thúc, không thể thao tác thêm.');
    throw new CaseActionError('CASE_NOT_FOUND', 'Không tìm thấy hồ sơ.');
  }
  throw e;
}

export async function startSignOff(
  client: Client,
  input: SignOffInput,
  taskQueue = TASK_QUEUE
): Promise<WorkflowHandle> {
  return client.workflow.start('signOffWorkflow', {
    taskQueue,
    workflowId: signOffWorkflowId(input.caseId),
    args: [input],
  });
}

/**
 * Signs a sign-off step. `requestId` is the client's idempotency key: the same request sent twice is
 * applied once and answered the same way.
 */
export async function signStep(
  client: Client,
  caseId: string,
  input: SignStepInput,
  requestId?: string
): Promise<SignOffState> {
  const handle = client.workflow.getHandle(signOffWorkflowId(caseId));
  try {
    return await handle.executeUpdate(signStepUpdate, { args: [input], updateId: requestId });
  } catch (e) {
    return asCaseActionError(e);
  }
}

export async function getSignOffState(client: Client, caseId: string): Promise<SignOffState> {
  return client.workflow.getHandle(signOffWorkflowId(caseId)).query(getSignOffStateQuery);
}
