/**
 * Who is asking: a session cookie (the web UI; state-changing requests must also carry the session's CSRF
 * token in `x-csrf-token`) or an API token (`Authorization: Bearer cf_...`, integrations and the CLI).
 * Every route under /api/ requires one, except signing in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfMatches, resolveApiToken, resolveSession, ServiceError, type Actor, type ServiceDeps } from '../services';

export const SESSION_COOKIE = 'cadreflow_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    /** The route needs no signed-in user. */
    public?: boolean;
  }
}

/** The value of one cookie of the request's Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie value for the session: HttpOnly, SameSite=Strict, Secure in production. */
export function sessionCookie(value: string, opts: { secure: boolean; expiresAt?: number }): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.expiresAt !== undefined) parts.push(`Expires=${new Date(opts.expiresAt).toUTCString()}`);
  else parts.push('Max-Age=0');
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The signed-in actor of a route that requires one (the hook has already refused anonymous requests). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new ServiceError(401, 'NOT_SIGNED_IN', 'Vui lòng đăng nhập.');
  return req.actor;
}

export function registerAuth(app: FastifyInstance, deps: ServiceDeps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    if (!req.url.startsWith('/api/') || req.routeOptions.config?.public) return;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer (\S+)$/.exec(header);
      const actor = m?.[1] ? await resolveApiToken(deps, m[1]) : null;
      if (!actor) throw new ServiceError(401, 'NOT_SIGNED_IN', 'Mã truy cập không hợp lệ hoặc đã bị thu hồi.');
      req.actor = actor;
      return;
    }
    const sessionId = readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = sessionId ? await resolveSession(deps, sessionId) : null;
    if (!session || !sessionId) throw new ServiceError(401, 'NOT_SIGNED_IN', 'Vui lòng đăng nhập.');
    // Double submit bound to the session: a cross-site form can send the cookie but cannot read the token.
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(session.csrfToken, headerValue(req.headers['x-csrf-token'])))
      throw new ServiceError(
        403,
        'CSRF_INVALID',
        'Phiên làm việc không hợp lệ (thiếu mã chống giả mạo); vui lòng tải lại trang.'
      );
    req.actor = session.actor;
    req.sessionId = sessionId;
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
