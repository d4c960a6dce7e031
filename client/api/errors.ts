/**
 * The API's one error shape: a stable code, a Vietnamese message for the UI, never a stack trace.
 * Domain and workflow rejections map to 4xx; an unreachable database or Temporal to 503 with Retry-After.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { CalendarError } from '../../domain/calendar/errors';
import { DomainError } from '../../domain/errors';
import { ServiceError } from '../services/context';
import { CaseActionError } from '../temporal';

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** The services' refusal is the API's error: same status, code and Vietnamese message. */
export { ServiceError as ApiError } from '../services/context';

/** The HTTP status of each business rejection: who you are (403), what exists (404), the case's state now (409), the input (422). */
const CASE_ACTION_STATUS: Record<CaseActionError['code'], number> = {
  NOT_AUTHORISED: 403,
  NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  STEP_NOT_OPEN: 409,
  CASE_CLOSED: 409,
  CONFLICT: 409,
  FREEZE_WINDOW: 409,
  INVALID_INPUT: 422,
  VOTE_INVALID: 422,
  DEFINITION_INVALID: 422,
  ORG_INVALID: 422,
  NOT_ELIGIBLE: 422,
  EXTENSION_NOT_ALLOWED: 422,
  DOCUMENT_EXPIRED: 422,
};

/** True for errors that mean a dependency (MongoDB, Temporal) is unreachable rather than a bug. */
export function isUnavailable(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  const msg = (e as { message?: string })?.message ?? '';
  return (
    /^Mongo(Server)?(Selection|Network|NotConnected|Timeout)Error$/.test(name) ||
    name === 'MongooseServerSelectionError' ||
    /ECONNREFUSED|ECONNRESET|Connection refused|UNAVAILABLE|transport is closing|buffering timed out/i.test(msg) ||
    // bufferCommands: false and no connection yet
    (name === 'MongooseError' && /before initial connection is complete/.test(msg))
  );
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: 'NOT_FOUND', message: 'Không tìm thấy địa chỉ này.' } satisfies ApiErrorBody);
  });
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof ServiceError) {
      if (err.status === 429) {
        const after = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1;
        req.log.warn({ code: err.code }, 'sign-in throttled');
        void reply.header('retry-after', String(after));
      }
      return reply.status(err.status).send({
        code: err.code,
        message: err.messageVi,
        ...(err.details !== undefined ? { details: err.details } : {}),
      } satisfies ApiErrorBody);
    }
    if (err instanceof DomainError) {
      return reply
        .status(CASE_ACTION_STATUS[err.code])
        .send({ code: err.code, message: err.messageVi } satisfies ApiErrorBody);
    }
    if (err instanceof CalendarError) {
      return reply.status(422).send({ code: err.code, message: err.message } satisfies ApiErrorBody);
    }
    if (err instanceof CaseActionError) {
      return reply
        .status(CASE_ACTION_STATUS[err.code])
        .send({ code: err.code, message: err.messageVi } satisfies ApiErrorBody);
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({
        code: 'INVALID_REQUEST',
        message: 'Dữ liệu gửi lên không hợp lệ.',
        details: fe.validation.map((v) => ({ path: v.instancePath, problem: v.message })),
      } satisfies ApiErrorBody);
    }
    if (fe.statusCode === 413) {
      return reply
        .status(413)
        .send({ code: 'PAYLOAD_TOO_LARGE', message: 'Dữ liệu gửi lên quá lớn.' } satisfies ApiErrorBody);
    }
    if (fe.statusCode === 415) {
      return reply
        .status(415)
        .send({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Chỉ nhận dữ liệu dạng JSON.' } satisfies ApiErrorBody);
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply
        .status(fe.statusCode)
        .send({ code: fe.code ?? 'BAD_REQUEST', message: 'Yêu cầu không hợp lệ.' } satisfies ApiErrorBody);
    }
    if (isUnavailable(err)) {
      req.log.warn({ err }, 'dependency unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({
          code: 'UNAVAILABLE',
          message: 'Hệ thống tạm thời không truy cập được dữ liệu, vui lòng thử lại sau ít phút.',
        } satisfies ApiErrorBody);
    }
    req.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send({ code: 'INTERNAL', message: 'Đã có lỗi hệ thống; lỗi đã được ghi lại.' } satisfies ApiErrorBody);
  });
}
