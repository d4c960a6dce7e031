/** What every web handler shares: the services, who is signed in, and how a page is answered. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createWorkingCalendar, type VietnamWorkingCalendar } from '../../domain/calendar/working-calendar';
import {
  isUnavailable,
  listPeople,
  RETRY_AFTER_SECONDS,
  schedulesForCases,
  type Actor,
  type ServiceDeps,
} from '../services';
import { webErrorOf } from './errors';
import { html } from './html';
import { page, type PageOptions, type Viewer } from './layout';
import { sessionOf, takeFlash, type FormBody, type WebSession } from './session';

export interface WebDeps {
  services: ServiceDeps;
  /** Cookies get the Secure flag (production). */
  secure: boolean;
  devMailbox: boolean;
}

export interface Signed {
  session: WebSession;
  actor: Actor;
  viewer: Viewer;
  /** Person id → name. */
  names: Map<string, string>;
  people: { id: string; name: string }[];
}

export async function signedIn(w: WebDeps, req: FastifyRequest): Promise<Signed | null> {
  const session = await sessionOf(w.services, req);
  if (!session) return null;
  const people = await listPeople(w.services);
  const names = new Map(people.map((p) => [p.id, p.name]));
  return {
    session,
    actor: session.actor,
    names,
    people: people.map((p) => ({ id: p.id, name: p.name })).sort((a, b) => a.name.localeCompare(b.name, 'vi')),
    viewer: {
      name: names.get(session.actor.personId) ?? session.actor.username,
      username: session.actor.username,
      isAdmin: session.actor.isAdmin,
      isInspector: session.actor.isInspector,
      csrfToken: session.csrfToken,
    },
  };
}

export async function workingCalendar(w: WebDeps): Promise<VietnamWorkingCalendar> {
  return createWorkingCalendar({ schedules: await schedulesForCases(w.services) });
}

export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

export type PageOpts = Omit<PageOptions, 'viewer' | 'devMailbox' | 'flash'>;

/** A signed-in page: the flash of the previous POST is shown once. */
export function render(
  w: WebDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  s: Signed,
  o: PageOpts,
  content: Parameters<typeof page>[1],
  status = 200
): FastifyReply {
  const flash = takeFlash(req, reply, w.secure);
  return sendPage(reply, status, page({ ...o, viewer: s.viewer, devMailbox: w.devMailbox, flash }, content));
}

export function errorPage(
  w: WebDeps,
  reply: FastifyReply,
  s: Signed | null,
  status: number,
  message: string
): FastifyReply {
  const title =
    status === 403
      ? 'Không có quyền'
      : status === 404
        ? 'Không tìm thấy'
        : status === 503
          ? 'Tạm thời gián đoạn'
          : status >= 500
            ? 'Lỗi hệ thống'
            : 'Không thực hiện được';
  return sendPage(
    reply,
    status,
    page(
      { title, ...(s ? { viewer: s.viewer } : {}), devMailbox: w.devMailbox },
      html`<h1>${title}</h1>
        <p class="flash flash-error" role="alert">${message}</p>
        <p><a href="/">Về trang việc cần xử lý</a></p>`
    )
  );
}

export const UNAVAILABLE_PAGE_MESSAGE =
  'Hệ thống tạm thời không truy cập được dữ liệu; vui lòng thử lại sau ít phút. Những gì đã lưu không bị mất.';

type Handler = (req: FastifyRequest, reply: FastifyReply, s: Signed) => Promise<FastifyReply>;

/**
 * A page for signed-in people: an anonymous visitor is sent to the sign-in page (GET) or refused (POST);
 * a business refusal becomes a page with its Vietnamese message and status; the database or Temporal out of
 * reach a 503 page with Retry-After; anything else a 500 page.
 */
export function guarded(w: WebDeps, handler: Handler) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let s: Signed | null = null;
    try {
      s = await signedIn(w, req);
      if (!s) {
        if (req.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
        return errorPage(w, reply, null, 401, 'Phiên đăng nhập đã hết; vui lòng đăng nhập lại.');
      }
      return await handler(req, reply, s);
    } catch (e) {
      const we = webErrorOf(e);
      if (we) return errorPage(w, reply, s, we.status, we.message);
      if (isUnavailable(e)) {
        req.log.warn({ err: e }, 'web page: dependency unavailable');
        void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return errorPage(w, reply, s, 503, UNAVAILABLE_PAGE_MESSAGE);
      }
      req.log.error({ err: e }, 'web page failed');
      return errorPage(w, reply, s, 500, 'Đã có lỗi hệ thống; lỗi đã được ghi lại. Vui lòng thử lại sau.');
    }
  };
}

export const formOf = (req: FastifyRequest): FormBody => (req.body ?? {}) as FormBody;

export function query(req: FastifyRequest): Record<string, string> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
}
