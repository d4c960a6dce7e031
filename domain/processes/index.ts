/** Processes as versioned rule data: definitions, validation, versions, and the rule checks around them. */
import { admissionV1 } from './admission';
import { byElectionV1, designationV1 } from './personnel';
import { planningV1 } from './planning';
import { recognitionV1 } from './recognition';
import type { ProcessDefinition } from './model';
import type { ProcessRegistry } from './registry';
import { createProcessRegistry } from './registry';

export * from './model';
export { ADMISSION_ELIGIBILITY, admissionV1, checkAdmissionEligibility } from './admission';
export type { EligibilityCheck } from './admission';
export { recognitionV1 } from './recognition';
export { PLANNING_RULES, checkPlanningProposal, planningV1 } from './planning';
export type { ExistingPlanEntry, PlanningCandidate, PlanningProposal } from './planning';
export { CONGRESS_FREEZE, byElectionV1, checkFreezeWindow, designationV1 } from './personnel';
export type { FreezeCheck, FreezeSpan, SpecialCaseApproval } from './personnel';
export { buildGenericProcess } from './generic';
export type { GenericChainSpec, GenericStepSpec } from './generic';
export { checkStepDocuments } from './documents';
export type { DocumentCheck, ProvidedDocument, StaleDocument } from './documents';
export { createProcessRegistry } from './registry';
export type { ProcessChanges, ProcessRegistry, StepPatch } from './registry';
export { listDefinitionProblems, validateDefinition } from './validate';
export { withTestDurations } from './test-durations';
export { checkEditAllowed, confirmedRuleChanges } from './edit-policy';
export {
  addCalendarMonths,
  describePeriodVi,
  formatDateVi,
  fullMonthsBetween,
  isIsoDate,
  isIsoDuration,
} from './dates';

/** The definitions cadreflow ships (version 1 of each built-in process). */
export const SHIPPED_DEFINITIONS: readonly ProcessDefinition[] = [
  admissionV1,
  recognitionV1,
  planningV1,
  designationV1,
  byElectionV1,
];

/** A registry of the shipped definitions; a province adds its generic chains and its edits on top. */
export function createDefaultRegistry(extra: ProcessDefinition[] = []): ProcessRegistry {
  return createProcessRegistry([...SHIPPED_DEFINITIONS, ...extra]);
}
