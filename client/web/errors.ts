/** What a refusal means for a person reading a web page: an HTTP status and the Vietnamese message. */
import { CalendarError } from '../../domain/calendar/errors';
import { DomainError } from '../../domain/errors';
import { ServiceError } from '../services';
import { CaseActionError, REJECTION_STATUS } from '../temporal';

export interface WebError {
  status: number;
  code: string;
  message: string;
  field?: string;
}

/** The refusal behind `e`, or null when `e` is not a business refusal (a bug or an outage). */
export function webErrorOf(e: unknown): WebError | null {
  if (e instanceof ServiceError) return { status: e.status, code: e.code, message: e.messageVi };
  if (e instanceof CaseActionError)
    return { status: REJECTION_STATUS[e.code] ?? 422, code: e.code, message: e.messageVi };
  if (e instanceof DomainError) {
    const f = e.details?.field;
    return {
      status: REJECTION_STATUS[e.code] ?? 422,
      code: e.code,
      message: e.messageVi,
      ...(typeof f === 'string' ? { field: f } : {}),
    };
  }
  if (e instanceof CalendarError) return { status: 422, code: e.code, message: e.message };
  return null;
}
