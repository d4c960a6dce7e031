/**
 * The API's one error shape: a stable code, a Vietnamese message for the UI, never a stack trace.
 * Domain and workflow rejections map to 4xx; an unreachable database or Temporal to 503 with Retry-After.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { CalendarError } from '../../domain/calendar/errors';
import { DomainError } from '../../domain/errors';
import { ServiceError } from '../services/context';
import { isUnavailable, RETRY_AFTER_SECONDS } from '../services/unavailable';
import { CaseActionError, REJECTION_STATUS } from '../temporal';

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** The services' refusal is the API's error: same status, code and Vietnamese message. */
export { ServiceError as ApiError } from '../services/context';

/** True for errors that mean a dependency (MongoDB, Temporal) is unreachable rather than a bug. */
export { isUnavailable } from '../services/unavailable';

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
        .status(REJECTION_STATUS[err.code])
        .send({ code: err.code, message: err.messageVi } satisfies ApiErrorBody);
    }
    if (err instanceof CalendarError) {
      return reply.status(422).send({ code: err.code, message: err.message } satisfies ApiErrorBody);
    }
    if (err instanceof CaseActionError) {
      return reply
        .status(REJECTION_STATUS[err.code])
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
        .header('retry-after', String(RETRY_AFTER_SECONDS))
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
