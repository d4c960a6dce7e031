/**
 * The versions of every process. A case resolves its version once, on the day it starts, and keeps it (by key
 * and version number): an administrator's edit creates a new version and never touches the stored ones, which
 * are deep-frozen copies.
 */
import type { DomainError } from '../errors';
import { domainError } from '../errors';
import type { IsoDate } from '../types';
import { isIsoDate } from './dates';
import { cloneJson, deepFreeze } from './json';
import type { ProcessDefinition, ProcessKey, ProcessRules, StepDefinition } from './model';
import { validateDefinition } from './validate';

type OptionalStepField = 'vote' | 'deadline' | 'onReturn' | 'onVoteFailed' | 'documents' | 'afterDeadline';

/** Replaces fields of a step; `null` removes an optional field (JSON has no undefined). */
export type StepPatch = Partial<Omit<StepDefinition, 'id' | OptionalStepField>> & {
  [K in OptionalStepField]?: StepDefinition[K] | null;
};

/** An administrator's edit. Fields absent are kept from the version it starts from (the latest). */
export interface ProcessChanges {
  titleVi?: string;
  basis?: ProcessDefinition['basis'];
  ladderBasis?: ProcessDefinition['ladderBasis'];
  startStep?: string;
  /** Replaces whole rules; `null` removes one. */
  rules?: { [K in keyof ProcessRules]?: ProcessRules[K] | null };
  /** By step id. */
  steps?: Record<string, StepPatch>;
  removeSteps?: string[];
  /** Each new step is placed right after `after` in the reading order. */
  addSteps?: { after: string; step: StepDefinition }[];
}

export interface ProcessRegistry {
  /** The version in force on `onDate`: the one with the latest effectiveFrom <= onDate. */
  resolve(key: ProcessKey, onDate: IsoDate): ProcessDefinition;
  /** A given version, e.g. the one a running case pinned. */
  get(key: ProcessKey, version: number): ProcessDefinition;
  /** Every version of a process, oldest first (empty for an unknown key). */
  versions(key: ProcessKey): ProcessDefinition[];
  /**
   * A registry with one more version of `key`, built from its latest version with `changes` and applying from
   * `effectiveFrom` (which must be later than the latest version's). This registry is left as it is.
   */
  withNewVersion(
    key: ProcessKey,
    changes: ProcessChanges,
    effectiveFrom: IsoDate
  ): { registry: ProcessRegistry; definition: ProcessDefinition };
}

function notFound(message: string, messageVi: string, details: Record<string, unknown>): DomainError {
  return domainError('NOT_FOUND', message, messageVi, details);
}

function applyChanges(base: ProcessDefinition, changes: ProcessChanges, effectiveFrom: IsoDate): ProcessDefinition {
  const next = cloneJson(base);
  const problems: string[] = [];
  next.version = base.version + 1;
  next.effectiveFrom = effectiveFrom;
  if (changes.titleVi !== undefined) next.titleVi = changes.titleVi;
  if (changes.basis !== undefined) next.basis = changes.basis;
  if (changes.ladderBasis !== undefined) next.ladderBasis = changes.ladderBasis;
  if (changes.startStep !== undefined) next.startStep = changes.startStep;

  if (changes.rules) {
    const rules: Record<string, unknown> = { ...next.rules };
    for (const [name, rule] of Object.entries(changes.rules)) {
      if (rule === null) delete rules[name];
      else rules[name] = rule;
    }
    next.rules = rules;
  }

  for (const [id, patch] of Object.entries(changes.steps ?? {})) {
    const step = next.steps.find((candidate) => candidate.id === id);
    if (!step) {
      problems.push(`Không có bước «${id}» để sửa.`);
      continue;
    }
    const fields = step as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(patch)) {
      if (value === null) delete fields[field];
      else fields[field] = value;
    }
  }

  for (const id of changes.removeSteps ?? []) {
    const index = next.steps.findIndex((step) => step.id === id);
    if (index < 0) problems.push(`Không có bước «${id}» để xóa.`);
    else next.steps.splice(index, 1);
  }

  for (const { after, step } of changes.addSteps ?? []) {
    const index = next.steps.findIndex((candidate) => candidate.id === after);
    if (index < 0) problems.push(`Không có bước «${after}» để thêm bước «${step.id}» vào sau.`);
    else next.steps.splice(index + 1, 0, step);
  }

  if (problems.length > 0) {
    throw domainError(
      'DEFINITION_INVALID',
      `changes to ${base.key} name unknown steps`,
      `Không tạo được phiên bản mới của quy trình «${base.titleVi}»: ${problems.join(' ')}`,
      { key: base.key, problems }
    );
  }
  // Hazard: the changes are caller data; copying them keeps later edits of that object out of the frozen version.
  return cloneJson(next);
}

function build(byKey: Map<ProcessKey, ProcessDefinition[]>): ProcessRegistry {
  const versionsOf = (key: ProcessKey): ProcessDefinition[] => byKey.get(key) ?? [];

  const registry: ProcessRegistry = {
    resolve(key, onDate) {
      if (!isIsoDate(onDate)) {
        throw domainError(
          'INVALID_INPUT',
          `invalid date ${String(onDate)}`,
          `Ngày «${String(onDate)}» không hợp lệ (YYYY-MM-DD).`
        );
      }
      // IsoDate strings compare as dates.
      const inForce = versionsOf(key).filter((def) => def.effectiveFrom <= onDate);
      const found = inForce[inForce.length - 1];
      if (!found) {
        throw notFound(
          `no version of ${key} in force on ${onDate}`,
          `Không có quy trình «${key}» áp dụng vào ngày ${onDate}.`,
          {
            key,
            onDate,
          }
        );
      }
      return found;
    },

    get(key, version) {
      const found = versionsOf(key).find((def) => def.version === version);
      if (!found) {
        throw notFound(`no version ${version} of ${key}`, `Không có phiên bản ${version} của quy trình «${key}».`, {
          key,
          version,
        });
      }
      return found;
    },

    versions(key) {
      return [...versionsOf(key)];
    },

    withNewVersion(key, changes, effectiveFrom) {
      const latest = versionsOf(key)[versionsOf(key).length - 1];
      if (!latest) {
        throw notFound(`unknown process ${key}`, `Không có quy trình «${key}».`, { key });
      }
      if (!isIsoDate(effectiveFrom)) {
        throw domainError(
          'INVALID_INPUT',
          `invalid date ${String(effectiveFrom)}`,
          `Ngày «${String(effectiveFrom)}» không hợp lệ (YYYY-MM-DD).`
        );
      }
      if (effectiveFrom <= latest.effectiveFrom) {
        throw domainError(
          'CONFLICT',
          `new version of ${key} must apply after ${latest.effectiveFrom}, got ${effectiveFrom}`,
          `Phiên bản mới của quy trình «${latest.titleVi}» phải áp dụng từ một ngày sau ${latest.effectiveFrom} (ngày áp dụng của phiên bản ${latest.version}).`,
          { key, effectiveFrom, latest: latest.effectiveFrom }
        );
      }
      const definition = applyChanges(latest, changes, effectiveFrom);
      validateDefinition(definition);
      deepFreeze(definition);
      const copy = new Map(byKey);
      copy.set(key, [...versionsOf(key), definition]);
      return { registry: build(copy), definition };
    },
  };
  return registry;
}

/**
 * A registry of validated, deep-frozen copies of `definitions`. Versions of one process must be numbered 1, 2, ...
 * with strictly later effectiveFrom dates, so that exactly one version is in force on any day after the first.
 */
export function createProcessRegistry(definitions: ProcessDefinition[]): ProcessRegistry {
  const byKey = new Map<ProcessKey, ProcessDefinition[]>();
  for (const def of definitions) {
    validateDefinition(def);
    const list = byKey.get(def.key) ?? [];
    list.push(deepFreeze(cloneJson(def)));
    byKey.set(def.key, list);
  }
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.version - b.version);
    list.forEach((def, index) => {
      const previous = list[index - 1];
      if (def.version !== index + 1 || (previous && def.effectiveFrom <= previous.effectiveFrom)) {
        throw domainError(
          'CONFLICT',
          `versions of ${key} must be 1, 2, ... with later effectiveFrom dates`,
          `Các phiên bản của quy trình «${def.titleVi}» phải đánh số 1, 2, ... liên tiếp và có ngày áp dụng sau nhau (phiên bản ${def.version}, áp dụng từ ${def.effectiveFrom}).`,
          { key, version: def.version }
        );
      }
    });
  }
  return build(byKey);
}
