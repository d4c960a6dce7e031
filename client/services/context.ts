/**
 * What every service function works over, and the errors they raise. The services are plain async
 * functions shared by the JSON API and the server-rendered web pages: they check who may do what, read
 * MongoDB, and talk to Temporal through the typed helpers. They never see HTTP.
 */
import type { Client } from '@temporalio/client';
import { vnDateOf } from '../../domain/calendar/days';
import type { Models } from '../../activities/store/models';
import type { ProcessRegistry } from '../../domain/processes/registry';
import type { Config } from '../../worker/config';

export interface ServiceDeps {
  models: Models;
  /** The Temporal client. */
  temporal: Client;
  /** The shipped process definitions; the versions administrators add live in MongoDB on top of these. */
  registry: ProcessRegistry;
  config: Config;
  now: () => number;
}

/** The signed-in user as the services see them. */
export interface Actor {
  username: string;
  personId: string;
  isAdmin: boolean;
  isInspector: boolean;
}

/**
 * A refusal of a service: an HTTP-like status (the API answers with it, the web pages show the message),
 * a stable code and the Vietnamese message a person reads.
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageVi: string,
    readonly details?: unknown
  ) {
    super(`${code}: ${messageVi}`);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string): ServiceError => new ServiceError(404, 'NOT_FOUND', `Không tìm thấy ${what}.`);

/** Administrators only. */
export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new ServiceError(403, 'FORBIDDEN', 'Chỉ quản trị viên mới được thực hiện thao tác này.');
}

/** Any change of the record: refused to the Inspection Committee's read-only accounts. */
export function requireWriter(actor: Actor): void {
  if (actor.isInspector)
    throw new ServiceError(
      403,
      'READ_ONLY',
      'Tài khoản kiểm tra (Ủy ban Kiểm tra) chỉ được xem, không được thay đổi dữ liệu.'
    );
}

/** The Vietnamese calendar day (UTC+7) of an instant, YYYY-MM-DD. */
export function vnToday(now: number): string {
  return vnDateOf(now);
}

export { isDuplicateKey } from '../../activities/store/models';
