/**
 * The contract between cadreflow's workflows and everything that talks to them (API, CLI, tests): the
 * task queue, every update, query and signal, the payload types, and the workflow IDs, which are business
 * IDs with their inverse. This is the one module of workflows/ that other layers import.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const TASK_QUEUE = 'cadreflow';

/** Stable codes of the business rejections the workflows raise (ApplicationFailure type). */
export const REJECTION_CODES = [
  'NOT_AUTHORISED',
  'STEP_NOT_OPEN',
  'INVALID_INPUT',
  'CASE_CLOSED',
  'CASE_NOT_FOUND',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** The details every rejection carries, for the API to answer with a Vietnamese message. */
export interface RejectionDetails {
  code: RejectionCode;
  messageVi: string;
}

// ---------------------------------------------------------------------------------------------------
// Sign-off: one step, one signature, one deadline.

/** Input of a one-step sign-off: who may sign, by when, and whom to tell when nobody has. */
export interface SignOffInput {
  caseId: string;
  /** Vietnamese title of the case, used in e-mails. */
  title: string;
  stepId: string;
  /** Vietnamese title of the step. */
  stepTitle: string;
  /** Person IDs allowed to sign. */
  signerIds: string[];
  /** E-mail addresses of those who must sign (named in the escalation). */
  signerEmails: string[];
  /** Due instant (epoch ms), computed by the caller from the calendar; never read from the environment. */
  dueAt: number;
  /** Addresses of Thường trực Tỉnh ủy, who receive the escalation. */
  escalationEmails: string[];
}

export interface SignStepInput {
  personId: string;
  decision: 'approve' | 'refuse';
  /** Required when refusing. */
  reason?: string;
}

export type SignOffStatus = 'open' | 'approved' | 'refused';

export interface SignOffState {
  caseId: string;
  stepId: string;
  status: SignOffStatus;
  dueAt: number;
  decidedBy?: string;
  decidedAt?: number;
  reason?: string;
  escalated: boolean;
}

/** A person with the right signs (approves) or refuses the step. Answered at once with the new state. */
export const signStepUpdate = defineUpdate<SignOffState, [SignStepInput]>('signStep');
/** The current state of a sign-off. */
export const getSignOffStateQuery = defineQuery<SignOffState>('getSignOffState');

const SIGN_OFF_PREFIX = 'signoff:';

export function signOffWorkflowId(caseId: string): string {
  return `${SIGN_OFF_PREFIX}${caseId}`;
}

/** The inverse of signOffWorkflowId; undefined when the ID is not a sign-off's. */
export function caseIdFromSignOffWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith(SIGN_OFF_PREFIX) ? workflowId.slice(SIGN_OFF_PREFIX.length) : undefined;
}
