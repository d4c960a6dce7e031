/**
 * Sessions for the web pages: the same cookie, session records and CSRF tokens as the JSON API (the
 * services' createSession/resolveSession/csrfMatches), with the token carried in a hidden form field
 * instead of a header. Also the one-shot flash message of Post/Redirect/Get, and the form body parser.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../api/auth';
import { csrfMatches, resolveSession, ServiceError, type Actor, type ServiceDeps } from '../services';

export const FLASH_COOKIE = 'cadreflow_flash';

export type FormBody = Record<string, string | string[]>;

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  o: { secure: boolean; expires?: Date; httpOnly?: boolean }
): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Strict'];
  if (o.httpOnly !== false) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  if (o.expires) parts.push(`Expires=${o.expires.toUTCString()}`);
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  void reply.header('set-cookie', [...list, parts.join('; ')]);
}

export function clearCookie(reply: FastifyReply, name: string, secure: boolean): void {
  setCookie(reply, name, '', { secure, expires: new Date(0) });
}

export interface WebSession {
  actor: Actor;
  csrfToken: string;
  sessionId: string;
}

export async function sessionOf(deps: ServiceDeps, req: FastifyRequest): Promise<WebSession | null> {
  const sessionId = readCookie(req, SESSION_COOKIE);
  if (!sessionId) return null;
  const s = await resolveSession(deps, sessionId);
  return s ? { ...s, sessionId } : null;
}

/** A string field of a form, trimmed ('' when absent). */
export function field(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** Refuses a form whose hidden CSRF token is not the session's. */
export function checkCsrf(session: WebSession, body: FormBody): void {
  if (!csrfMatches(session.csrfToken, field(body, '_csrf') || undefined))
    throw new ServiceError(
      403,
      'CSRF_INVALID',
      'Phiên làm việc không hợp lệ (thiếu mã chống giả mạo); vui lòng tải lại trang rồi thử lại.'
    );
}

export function parseForm(text: string): FormBody {
  const out: FormBody = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export function setFlash(reply: FastifyReply, flash: Flash, secure: boolean): void {
  setCookie(reply, FLASH_COOKIE, JSON.stringify(flash), { secure });
}

/** The flash message left by the previous POST, cleared once read. */
export function takeFlash(req: FastifyRequest, reply: FastifyReply, secure: boolean): Flash | undefined {
  const v = readCookie(req, FLASH_COOKIE);
  if (v === undefined || v === '') return undefined;
  clearCookie(reply, FLASH_COOKIE, secure);
  try {
    const f = JSON.parse(v) as Flash;
    return (f.kind === 'ok' || f.kind === 'error') && typeof f.text === 'string' ? f : undefined;
  } catch {
    return undefined;
  }
}
