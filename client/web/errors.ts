/** What a refusal means for a person reading a web page: an HTTP status and the Vietnamese message. */
import { CalendarError } from '../../domain/calendar/errors';
import { DomainError } from '../../domain/errors';
import { ServiceError } from '../services';
import { CaseActionError } from '../temporal';

export interface WebError {
  status: number;
  code: string;
  message: string;
  field?: string;
}

const STATUS_BY_CODE: Record<string, number> = {
  NOT_AUTHORISED: 403,
  NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  STEP_NOT_OPEN: 409,
  CASE_CLOSED: 409,
  CONFLICT: 409,
  FREEZE_WINDOW: 409,
};

/** The refusal behind `e`, or null when `e` is not a business refusal (a bug or an outage). */
export function webErrorOf(e: unknown): WebError | null {
  if (e instanceof ServiceError) return { status: e.status, code: e.code, message: e.messageVi };
  if (e instanceof CaseActionError)
    return { status: STATUS_BY_CODE[e.code] ?? 422, code: e.code, message: e.messageVi };
  if (e instanceof DomainError) {
    const f = e.details?.field;
    return {
      status: STATUS_BY_CODE[e.code] ?? 422,
      code: e.code,
      message: e.messageVi,
      ...(typeof f === 'string' ? { field: f } : {}),
    };
  }
  if (e instanceof CalendarError) return { status: 422, code: e.code, message: e.message };
  return null;
}
