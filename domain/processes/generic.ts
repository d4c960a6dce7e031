/**
 * A chain a province configures for its other tasks, built from a small JSON spec: the steps follow one
 * another in the order given, each step's deadline counts from its opening, and every rule takes the province's
 * own legal basis (its decision or working regulations) unless the step names one.
 */
import type { ActorSpec, IsoDate, LadderConfig, LegalBasis, Period, VoteRule } from '../types';
import { NO_LADDER, SHORT_DEADLINE_LADDER } from './common';
import type { ActKind, ProcessDefinition, ReturnReason, StepDefinition, Transitions } from './model';
import { END, REFUSED } from './model';
import { validateDefinition } from './validate';

export interface GenericStepSpec {
  id: string;
  title: string;
  actor: ActorSpec;
  act: ActKind;
  /** A basis of this step's rules other than the chain's. */
  basis?: LegalBasis;
  /** Counted from the step's opening; an ISO duration ({ unit: 'duration', iso: 'P3D' }) is allowed. */
  deadline?: Period;
  maxExtension?: Period;
  /** Required when `act` is 'vote'; its basis defaults to the step's. */
  vote?: Omit<VoteRule, 'basis'>;
  /** The actor may refuse, which ends the chain (REFUSED). A failed vote always does. */
  canRefuse?: boolean;
  /** The dossier may be returned to the previous step's actor (the first step's own actor) for these reasons. */
  returnReasons?: ReturnReason[];
  resubmitWithin?: Period;
  /** Default: the chain's ladder when the step has a deadline, none otherwise. */
  ladder?: LadderConfig;
}

export interface GenericChainSpec {
  /** Lower-case letters, digits and '-'; the process key is `generic:<code>`. */
  code: string;
  titleVi: string;
  effectiveFrom: IsoDate;
  /** Default 1. */
  version?: number;
  basis: LegalBasis;
  /** Default: the short ladder (remind 2 working days ahead, escalate 3 late, every 3, 3 times). */
  ladder?: LadderConfig;
  steps: GenericStepSpec[];
}

function buildStep(spec: GenericChainSpec, step: GenericStepSpec, index: number): StepDefinition {
  const basis = step.basis ?? spec.basis;
  const following = spec.steps[index + 1];
  const refusable = step.canRefuse === true || step.act === 'vote';
  const next: Transitions = { approved: following ? following.id : END };
  if (refusable) next.refused = REFUSED;
  if (step.act === 'appraisal') {
    next.referred = next.approved;
    next.held = step.id;
  }
  const built: StepDefinition = {
    id: step.id,
    title: step.title,
    actor: step.actor,
    act: step.act,
    basis,
    canRefuse: step.canRefuse === true,
    next,
    ladder: step.ladder ?? (step.deadline ? (spec.ladder ?? SHORT_DEADLINE_LADDER) : NO_LADDER),
  };
  if (step.vote) built.vote = { ...step.vote, basis };
  if (step.deadline) {
    built.deadline = { period: step.deadline, from: { event: 'stepOpened' }, basis };
    if (step.maxExtension) built.deadline.maxExtension = step.maxExtension;
  }
  if (step.returnReasons) {
    const previous = spec.steps[index - 1] ?? step;
    built.onReturn = { returnTo: previous.actor, reasonCodes: step.returnReasons, basis };
    if (step.resubmitWithin) built.onReturn.resubmitWithin = step.resubmitWithin;
  }
  return built;
}

/** Builds and validates the chain; an inconsistent spec is refused with DomainError 'DEFINITION_INVALID'. */
export function buildGenericProcess(spec: GenericChainSpec): ProcessDefinition {
  const definition: ProcessDefinition = {
    key: `generic:${spec.code}`,
    version: spec.version ?? 1,
    titleVi: spec.titleVi,
    effectiveFrom: spec.effectiveFrom,
    basis: spec.basis,
    ladderBasis: spec.basis,
    startStep: spec.steps[0]?.id ?? '',
    steps: spec.steps.map((step, index) => buildStep(spec, step, index)),
  };
  validateDefinition(definition);
  return definition;
}
