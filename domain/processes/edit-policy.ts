/**
 * What an administrator may change in a new version of a process. Rules marked unconfirmed (not found
 * in an official text) are the province's to set (DOMAIN.md); a rule confirmed against the official text
 * changes only with a new legal basis — a new regulation — cited in the same edit. So an edit that alters
 * a confirmed rule and keeps its old citation is refused, with the rule named.
 */
import { domainError } from '../errors';
import type { LegalBasis } from '../types';
import type { ProcessChanges } from './registry';
import type { ProcessDefinition, StepDefinition } from './model';

/** The fields of a step that carry a rule with its own legal basis. */
const RULE_FIELDS = ['deadline', 'vote', 'onVoteFailed', 'onReturn', 'afterDeadline'] as const;
type RuleField = (typeof RULE_FIELDS)[number];

const FIELD_LABEL_VI: Record<RuleField, string> = {
  deadline: 'thời hạn',
  vote: 'quy tắc biểu quyết',
  onVoteFailed: 'quy tắc khi biểu quyết không đạt',
  onReturn: 'quy tắc trả lại bổ sung',
  afterDeadline: 'quy tắc khi quá hạn',
};

function basisOf(value: unknown): LegalBasis | undefined {
  return value && typeof value === 'object' && 'basis' in value ? (value as { basis: LegalBasis }).basis : undefined;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The confirmed rules `changes` would alter without citing a new legal basis, as Vietnamese sentences
 * (empty when the edit is allowed).
 */
export function confirmedRuleChanges(latest: ProcessDefinition, changes: ProcessChanges): string[] {
  const problems: string[] = [];
  const stepById = new Map<string, StepDefinition>(latest.steps.map((s) => [s.id, s]));
  for (const [stepId, patch] of Object.entries(changes.steps ?? {})) {
    const step = stepById.get(stepId);
    if (!step) continue; // an unknown step is the validator's to refuse
    for (const field of RULE_FIELDS) {
      if (!(field in patch)) continue;
      const before = step[field];
      const after = (patch as Record<string, unknown>)[field];
      const basis = basisOf(before);
      if (!basis?.confirmed || same(before, after)) continue;
      const newBasis = basisOf(after);
      if (newBasis && newBasis.citation !== basis.citation) continue;
      problems.push(
        `Bước ${stepId}: ${FIELD_LABEL_VI[field]} đã được xác nhận theo văn bản chính thức (${basis.citation}); chỉ được thay đổi khi nêu căn cứ pháp lý mới.`
      );
    }
  }
  for (const stepId of changes.removeSteps ?? []) {
    const step = stepById.get(stepId);
    if (step?.basis.confirmed) {
      problems.push(`Bước ${stepId} có căn cứ đã được xác nhận (${step.basis.citation}); không được bỏ bước này.`);
    }
  }
  for (const [name, rule] of Object.entries(changes.rules ?? {})) {
    const before = (latest.rules as Record<string, unknown> | undefined)?.[name];
    const basis = basisOf(before);
    if (!basis?.confirmed || same(before, rule)) continue;
    const newBasis = basisOf(rule);
    if (newBasis && newBasis.citation !== basis.citation) continue;
    problems.push(
      `Quy định «${name}» đã được xác nhận (${basis.citation}); chỉ được thay đổi khi nêu căn cứ pháp lý mới.`
    );
  }
  return problems;
}

/** Throws DEFINITION_INVALID naming every confirmed rule the edit would alter without a new basis. */
export function checkEditAllowed(latest: ProcessDefinition, changes: ProcessChanges): void {
  const problems = confirmedRuleChanges(latest, changes);
  if (problems.length > 0) {
    throw domainError(
      'DEFINITION_INVALID',
      `the edit alters ${problems.length} confirmed rule(s) without a new legal basis`,
      problems.join(' '),
      { problems }
    );
  }
}
