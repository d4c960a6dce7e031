/**
 * Processes as versioned rule data. A ProcessDefinition is plain JSON (no Date, Map, class or function) so
 * that it travels in Temporal payloads and is stored in MongoDB as is; a case keeps the version that was in
 * force on the day it started (see registry.ts).
 */
import type { ActorSpec, DeadlineRule, IsoDate, LadderConfig, LegalBasis, Period, VoteRule } from '../types';

/** The processes cadreflow ships, plus the chains a province configures itself (`generic:<code>`). */
export type BuiltInProcessKey =
  'admission' | 'recognition' | 'planning' | 'personnel-designation' | 'personnel-byelection';
export type GenericProcessKey = `generic:${string}`;
export type ProcessKey = BuiltInProcessKey | GenericProcessKey;

/**
 * The kind of act a step asks for.
 * - signature: one person signs (a conclusion, a decision on behalf of a board, an introduction)
 * - vote: a collective vote counted against `vote` (VoteRule)
 * - appraisal: an Organization Board's appraisal; outcomes recommend / refer for opinion / hold for review
 * - ceremony: an event that is held and recorded (the admission ceremony)
 * - documentCheck: a document is registered and checked for validity
 * - submission: a dossier, report or tờ trình is handed in
 * - waitingPeriod: no one acts; the step completes by itself when its deadline is reached (probation)
 */
export type ActKind =
  'signature' | 'vote' | 'appraisal' | 'ceremony' | 'documentCheck' | 'submission' | 'waitingPeriod';

/**
 * How a step can end.
 * - approved: signed, passed, held, checked, submitted; for an appraisal, "recommend"
 * - refused: the actor refuses (`canRefuse`), or a vote fails and the step has no `onVoteFailed`
 * - escalated: a vote failed `onVoteFailed.maxRounds` times; the case goes to the superior committee
 * - referred: appraisal only, "refer for the standing board's opinion"
 * - held: appraisal only, "hold for internal political review"
 * A return for supplement is not an outcome: the step waits for the resubmission (see ReturnRule).
 */
export type StepOutcome = 'approved' | 'refused' | 'escalated' | 'referred' | 'held';

/** Terminal targets of a transition. */
export const END = 'END';
export const REFUSED = 'REFUSED';

/** Where an outcome leads: a step id, END (the process succeeded) or REFUSED (the process stops with a refusal). */
export type StepTarget = string;

export type Transitions = Partial<Record<StepOutcome, StepTarget>>;

/** A reason for returning a dossier for supplement (trả lại bổ sung). */
export interface ReturnReason {
  code: string;
  labelVi: string;
  /**
   * The earlier step to redo before the dossier comes back (e.g. stale introductions → C6). Absent: the same
   * step resumes once the missing items are supplied. Redoing a step completes it again, so a deadline anchored
   * on it counts from the new completion (a new chi bộ resolution restarts the 60 working days).
   */
  redoFrom?: string;
}

export interface ReturnRule {
  /** Who receives the returned dossier. */
  returnTo: ActorSpec;
  reasonCodes: ReturnReason[];
  /** The time allowed to resubmit, counted from the return. Absent: no resubmission deadline. */
  resubmitWithin?: Period;
  basis: LegalBasis;
}

export interface VoteFailureRule {
  /** Failed rounds allowed; after the last one the case goes to the superior (must equal `vote.maxRounds` when set). */
  maxRounds: number;
  then: 'escalateToSuperior';
  basis: LegalBasis;
}

/** A document the step needs, checked on the day the step acts. */
export interface DocumentRequirement {
  code: string;
  labelVi: string;
  /** The document is too old when more than this many calendar months have passed since it was issued. */
  maxAgeMonths?: number;
  /** The return reason (a code of the step's `onReturn`) to use when this document is too old. */
  onStale?: string;
  /** Only some cases need it (shown to people); such a document is checked for age but never reported missing. */
  conditionVi?: string;
  /** Required when `maxAgeMonths` is set: the age limit is a rule. */
  basis?: LegalBasis;
}

/** Acting after the deadline is still possible with the consent of another body (e.g. a late ceremony). */
export interface AfterDeadlineRule {
  requiresConsentOf: ActorSpec;
  basis: LegalBasis;
}

export interface StepDefinition {
  id: string;
  /** Vietnamese title shown to people. */
  title: string;
  actor: ActorSpec;
  act: ActKind;
  /** The legal basis of the step itself: its existence, actor and kind of act. */
  basis: LegalBasis;
  /** Required for, and only for, `act: 'vote'`. */
  vote?: VoteRule;
  /** Absent: no due date (the step is paced by the people acting; "report obstacle" still works). */
  deadline?: DeadlineRule;
  onReturn?: ReturnRule;
  canRefuse: boolean;
  onVoteFailed?: VoteFailureRule;
  documents?: DocumentRequirement[];
  afterDeadline?: AfterDeadlineRule;
  next: Transitions;
  ladder: LadderConfig;
}

/** Age limits of an applicant, in full months on the day of the step `measuredAt` (C8). */
export interface EligibilityRule {
  minAgeMonths: number;
  maxAgeMonths: number;
  measuredAt: string;
  /** Who must consent in writing to admit someone older than `maxAgeMonths`. */
  overMaxConsentVi: string;
  basis: LegalBasis;
}

/** Limits of cadre planning (Quy định 377-QĐ/TW). */
export interface PlanningRules {
  maxCadresPerPosition: number;
  maxPositionsPerCadrePerLevel: number;
  /** Planning a cadre and proposing the same cadre's appointment at the same time is refused. */
  forbidWithAppointment: boolean;
  basis: LegalBasis;
}

/** A period in which the flow may not start without the competent level's approval of a special case. */
export type FreezeWindowRule =
  /** from `months` calendar months before the committee's congress until the day before it */
  | { kind: 'beforeCongress'; months: number; labelVi: string; basis: LegalBasis }
  /** from `from` to `until` inclusive; without `until`, until the day before the congress (open-ended if unknown) */
  | { kind: 'fixed'; from: IsoDate; until?: IsoDate; labelVi: string; basis: LegalBasis };

/** When a probationary member becomes official. */
export interface RecognitionRule {
  /** 'probationEnd': at the end of the 12 months, even when the chi bộ or the committees act late. */
  officialFrom: 'probationEnd';
  basis: LegalBasis;
}

/** Constraints of a process that are not steps. Each is optional; a process carries the ones that apply. */
export interface ProcessRules {
  eligibility?: EligibilityRule;
  recognition?: RecognitionRule;
  planning?: PlanningRules;
  freezeWindows?: FreezeWindowRule[];
}

export interface ProcessDefinition {
  key: ProcessKey;
  /** 1, 2, ... in the order of `effectiveFrom`. */
  version: number;
  titleVi: string;
  /** The first day on which a case starting that day uses this version. */
  effectiveFrom: IsoDate;
  basis: LegalBasis;
  /** The basis of the escalation ladders of the steps (a province's working regulations). */
  ladderBasis: LegalBasis;
  startStep: string;
  /** In the order people read them; transitions, not this order, decide the flow. */
  steps: StepDefinition[];
  rules?: ProcessRules;
}

/** A rule a proposal, an applicant or a start date does not meet, for people to read. */
export interface RuleViolation {
  code: string;
  messageVi: string;
}
