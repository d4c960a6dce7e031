/**
 * The contract between cadreflow's workflows and everything that talks to them (API, CLI, tests): the
 * task queue, every update, query and signal, the payload types, and the workflow IDs, which are business
 * IDs with their inverse. This is the one module of workflows/ that other layers import.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActRequest, CaseState, CaseStatus, StepRunStatus } from '../domain/chain';
import type { DomainErrorCode } from '../domain/errors';
import type { ProcessDefinition, ProcessKey } from '../domain/processes/model';
import type { YearSchedule } from '../domain/calendar/schedules';
import type { OrgSnapshot } from '../domain/org';

export const TASK_QUEUE = 'cadreflow';

/**
 * Stable codes of the business rejections the workflows raise (the ApplicationFailure's type): the domain's
 * codes, plus those the client helpers give when the case is closed or does not exist.
 */
export type RejectionCode = DomainErrorCode | 'CASE_CLOSED' | 'CASE_NOT_FOUND';

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

// ---------------------------------------------------------------------------------------------------
// Chains: every process runs on one engine (chainWorkflow) under a thin entry workflow.

/** Input of a case. The definition is pinned by the starter: a later version never changes this case. */
export interface ChainInput {
  caseId: string;
  /** Vietnamese title, e.g. "Kết nạp đảng viên: Nguyễn Văn A". */
  title: string;
  /** The unit the case is about: the applicant's chi bộ, the committee whose cadres are planned, ... */
  caseUnitId: string;
  subjectName?: string;
  definition: ProcessDefinition;
  /** The official working-day schedules known when the case started (the calendar computes other years). */
  schedules: YearSchedule[];
  startedBy?: string;
  campaignId?: string;
  /** A campaign's deadline (epoch ms) above every step's. */
  campaignDeadline?: number;
  /** Admission only: the recognition definition the member's probation will run under, pinned now too. */
  recognitionDefinition?: ProcessDefinition;
  /** Continue-as-new after this many history events (the server's suggestion applies anyway). */
  historyEventLimit?: number;
  /** Set by continue-as-new: the state carried over. */
  resume?: { state: CaseState; org: OrgSnapshot };
  /**
   * The code level the case was started at (CHAIN_CODE_LEVEL, below); absent on cases started
   * before it existed, which replay as they ran.
   */
  codeLevel?: number;
}

/**
 * Cases started at this level take the paths of the workflow's three patches (local store, e-mails beside the
 * queue, armed ladder e-mails) without asking `patched()`, which records a marker and makes the server upsert
 * the TemporalChangeVersion search attribute at each call: six of each per admission case with its probation
 * case, and nothing read from them. A case started before carries no level and keeps asking, so its history
 * replays. A worker older than a case's level must not run it: from this level on, a worker fails the workflow
 * task of a case above its own level, which waits for a newer worker (chainWorkflow); the workers from before
 * this level have no such check.
 */
export const CHAIN_CODE_LEVEL = 1;

/** The current step as people see it. */
export interface CurrentStepView {
  stepId: string;
  run: number;
  title: string;
  status: StepRunStatus;
  actorLabel: string;
  openedAt: number;
  dueAt?: number;
  /** "60 ngày làm việc — hạn 03/03/2026" */
  deadlineText?: string;
}

/** What every act and the state query answer. */
export interface CaseView {
  caseId: string;
  process: ProcessKey;
  version: number;
  status: CaseStatus;
  revision: number;
  current?: CurrentStepView;
  state: CaseState;
}

/** Every human act on a case: submit/resubmit, sign, refuse, return, vote, appraise, extend, obstacle, delegate, withdraw. */
export const actOnCaseUpdate = defineUpdate<CaseView, [ActRequest]>('actOnCase');
/**
 * Sent with the case's start (update-with-start): answered as soon as the start is recorded in MongoDB, so that
 * whoever started the case finds its record when they open it or act on it next, without asking the database
 * until it is there.
 */
export const caseRecordedUpdate = defineUpdate<null>('caseRecorded');
/** The case as it stands. */
export const getCaseQuery = defineQuery<CaseView>('getCase');
/**
 * The last audit entry the case's workflow wrote (its sequence number and hash), kept in the workflow's
 * history: the anchor against which the stored chain is checked, since a tamperer who changes the last
 * entries and computes their hashes again leaves a chain that is whole in MongoDB. Null until the
 * workflow has written in its current run.
 */
export const auditTailQuery = defineQuery<{ seq: number; hash: string } | null>('auditTail');
/** The organisation data changed (roles, delegations): the case reloads its slice. */
export const orgChangedSignal = defineSignal('orgChanged');

export interface CampaignInput {
  campaignId: string;
  titleVi: string;
  definition: ProcessDefinition;
  schedules: YearSchedule[];
  /** Epoch ms: every case of the campaign is due by then at the latest (e.g. 31/12). */
  deadline: number;
  units: Array<{ caseUnitId: string; title: string }>;
  startedBy?: string;
}

export interface CampaignResult {
  campaignId: string;
  cases: Array<{ caseId: string; status: CaseStatus }>;
}

const PROCESS_PREFIXES = ['admission', 'recognition', 'planning', 'personnel', 'generic', 'campaign'] as const;
export type WorkflowPrefix = (typeof PROCESS_PREFIXES)[number];

/** The workflow-ID prefix of a process key ('personnel-designation' → 'personnel', 'generic:x' → 'generic'). */
export function prefixOf(process: string): WorkflowPrefix {
  if (process.startsWith('personnel')) return 'personnel';
  if (process.startsWith('generic')) return 'generic';
  const p = PROCESS_PREFIXES.find((x) => x === process);
  if (!p) throw new Error(`unknown process ${process}`);
  return p;
}

/** Business workflow IDs: `admission:<caseId>`. */
export function caseWorkflowId(process: string, caseId: string): string {
  return `${prefixOf(process)}:${caseId}`;
}

/** The inverse of caseWorkflowId and campaignWorkflowId. */
export function parseWorkflowId(workflowId: string): { prefix: WorkflowPrefix; id: string } | undefined {
  const i = workflowId.indexOf(':');
  const prefix = PROCESS_PREFIXES.find((p) => p === workflowId.slice(0, i));
  return prefix && i < workflowId.length - 1 ? { prefix, id: workflowId.slice(i + 1) } : undefined;
}

/** The case of a member's probation and official recognition that follows an admission case. */
export function recognitionCaseId(admissionCaseId: string): string {
  return `${admissionCaseId}.cn`;
}

export function campaignWorkflowId(campaignId: string): string {
  return `campaign:${campaignId}`;
}

/** The case ID of a campaign's case for one unit: stable, so a repeated start creates nothing twice. */
export function campaignCaseId(campaignId: string, caseUnitId: string): string {
  return `${campaignId}.${caseUnitId}`;
}

/** The workflow function of each process family. */
export const ENTRY_WORKFLOW: Record<Exclude<WorkflowPrefix, 'campaign'>, string> = {
  admission: 'admissionWorkflow',
  recognition: 'recognitionWorkflow',
  planning: 'planningWorkflow',
  personnel: 'personnelWorkflow',
  generic: 'genericChainWorkflow',
};

// ---------------------------------------------------------------------------------------------------
// Quotas: one long-running workflow per year checks every unit's party-development quota.

/** Input of the yearly quota workflow (chỉ tiêu phát triển đảng viên). */
export interface QuotaWorkflowInput {
  year: number;
  /** 'monthly' (default) or 'quarterly' checkpoints, each on the last day of its month. */
  frequency?: 'monthly' | 'quarterly';
  /** A unit below this % of its pro-rata target gets a notice (default 80). */
  thresholdPct?: number;
  /** Check the cell meetings of each checkpoint's month too (default true for monthly checkpoints). */
  checkMeetings?: boolean;
  /**
   * Fire checkpoint n (1-based) at `startAt + n × everyMs` instead of just after the end of its day: for
   * tests and drills. The checkpoint still evaluates the figures as of its own date.
   */
  fastTimers?: { startAt: number; everyMs: number };
  /** Checkpoints whose time had passed when the workflow started are skipped unless this is true. */
  catchUp?: boolean;
  /** Continue-as-new after this many checkpoints in one run (the server's suggestion applies anyway). */
  checkpointsPerRun?: number;
  /** Set by continue-as-new. */
  resume?: QuotaWorkflowState;
}

/** One unit's result at a checkpoint, as the status query shows it. */
export interface QuotaUnitResult {
  unitId: string;
  name: string;
  target: number;
  attained: number;
  proRata: number;
  proRataPct: number;
  below: boolean;
  streak: number;
  neededPerMonth: number;
  forecast: number;
}

export interface QuotaCheckpointSummary {
  n: number;
  asOf: string;
  units: QuotaUnitResult[];
  notices: string[];
  escalations: string[];
  /** Per committee, the cells without a meeting in the checkpoint's month (when meetings are checked). */
  meetingFlags?: { committeeId: string; cellIds: string[] }[];
  /** Units whose e-mail had no recipient. */
  unmailed: string[];
  /** Why the checkpoint could not be evaluated (e.g. no plan for the year), in Vietnamese. */
  error?: string;
}

export interface QuotaWorkflowState {
  year: number;
  /** The next checkpoint to run, 1-based; beyond the last when the year is done. */
  next: number;
  total: number;
  streaks: Record<string, number>;
  last?: QuotaCheckpointSummary;
  skipped: number[];
}

/** The state of the year's quota workflow: the next checkpoint, the streaks, the last checkpoint's results. */
export const getQuotaStatusQuery = defineQuery<QuotaWorkflowState>('getQuotaStatus');

const QUOTA_PREFIX = 'quota:';

/** The business ID of a year's quota workflow: `quota:2026`. */
export function quotaWorkflowId(year: number): string {
  return `${QUOTA_PREFIX}${year}`;
}

/** The inverse of quotaWorkflowId; undefined when the ID is not a quota workflow's. */
export function yearFromQuotaWorkflowId(workflowId: string): number | undefined {
  if (!workflowId.startsWith(QUOTA_PREFIX)) return undefined;
  const rest = workflowId.slice(QUOTA_PREFIX.length);
  return /^\d{4}$/.test(rest) ? Number(rest) : undefined;
}
