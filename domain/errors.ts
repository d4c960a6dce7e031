/**
 * The one error taxonomy of cadreflow's rules. A DomainError says that a rule refused something: it is
 * never worth retrying (an activity or workflow should fail it as non-retryable), it carries a stable
 * `code` for programs, an English `message` for logs and a Vietnamese `messageVi` for the person who
 * asked. `details` is plain JSON so that the error can cross a Temporal boundary as data.
 */

/** Every code a DomainError may carry. Codes are stable: programs and tests match on them. */
export const DOMAIN_ERROR_CODES = [
  /** the person may not act on this step (no role, no valid delegation) */
  'NOT_AUTHORISED',
  /** the step is not open for this action (not yet opened, already closed, waiting on another step) */
  'STEP_NOT_OPEN',
  /** the action conflicts with what is already recorded (decided twice, duplicate request) */
  'CONFLICT',
  /** an argument is malformed (bad date, negative count, missing field) */
  'INVALID_INPUT',
  /** a vote tally or a set of ballots is inconsistent */
  'VOTE_INVALID',
  /** a process, step, rule or ladder definition is inconsistent */
  'DEFINITION_INVALID',
  /** the organisation data (bodies, people, roles, delegations) is inconsistent */
  'ORG_INVALID',
  /** something referred to does not exist (on the date asked) */
  'NOT_FOUND',
  /** the applicant or cadre does not meet a condition (age, diploma, planning limits) */
  'NOT_ELIGIBLE',
  /** a deadline extension beyond what the rule allows, or without a reason */
  'EXTENSION_NOT_ALLOWED',
  /** the flow may not start inside a freeze window without the competent level's approval */
  'FREEZE_WINDOW',
  /** a document of the dossier is older than its validity and must be redone */
  'DOCUMENT_EXPIRED',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** The plain-data form of a DomainError, e.g. for the details of a Temporal ApplicationFailure. */
export interface DomainErrorData {
  code: DomainErrorCode;
  message: string;
  messageVi: string;
  details?: Record<string, unknown>;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly messageVi: string;
  readonly details?: Record<string, unknown>;

  /** `message` is English, for logs; `messageVi` is what a person reads. */
  constructor(code: DomainErrorCode, message: string, messageVi: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.messageVi = messageVi;
    this.details = details;
  }

  toData(): DomainErrorData {
    const data: DomainErrorData = { code: this.code, message: this.message, messageVi: this.messageVi };
    if (this.details !== undefined) data.details = this.details;
    return data;
  }

  static fromData(data: DomainErrorData): DomainError {
    return new DomainError(data.code, data.message, data.messageVi, data.details);
  }
}

/** Builds a DomainError: `domainError('VOTE_INVALID', 'approve > present', 'Số phiếu tán thành ...')`. */
export function domainError(
  code: DomainErrorCode,
  message: string,
  messageVi: string,
  details?: Record<string, unknown>
): DomainError {
  return new DomainError(code, message, messageVi, details);
}

export function isDomainErrorCode(value: unknown): value is DomainErrorCode {
  return typeof value === 'string' && (DOMAIN_ERROR_CODES as readonly string[]).includes(value);
}

/**
 * True for a DomainError. Checks the shape, not `instanceof`: the Temporal workflow sandbox loads its
 * own copy of this module, so an error built on the other side is not an instance of this class.
 */
export function isDomainError(value: unknown): value is DomainError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown; messageVi?: unknown };
  return (
    candidate.name === 'DomainError' && isDomainErrorCode(candidate.code) && typeof candidate.messageVi === 'string'
  );
}
