/** Signing in and out through forms, with the same session cookie as the JSON API. */
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../../api/auth';
import {
  authenticate,
  createSession,
  endSession,
  isUnavailable,
  LoginThrottle,
  RETRY_AFTER_SECONDS,
  ServiceError,
} from '../../services';
import { errorPage, formOf, query, sendPage, signedIn, UNAVAILABLE_PAGE_MESSAGE, type WebDeps } from '../context';
import { webErrorOf } from '../errors';
import { html } from '../html';
import { page } from '../layout';
import { checkCsrf, clearCookie, field, setCookie, setFlash, takeFlash } from '../session';

/** Only a path of this site: never an absolute address (no open redirect). */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[^\\]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

function loginPage(w: WebDeps, o: { username?: string; error?: string; next: string; notice?: string }): string {
  return page(
    { title: 'Đăng nhập', devMailbox: w.devMailbox },
    html`<div class="login card">
      <h1>Đăng nhập</h1>
      <p class="muted">Hệ thống theo dõi quy trình công tác cán bộ, phát triển đảng viên của Tỉnh ủy.</p>
      ${o.notice ? html`<p class="flash flash-ok" role="status">${o.notice}</p>` : ''}
      ${o.error ? html`<p class="flash flash-error" role="alert" id="login-loi">${o.error}</p>` : ''}
      <form method="post" action="/login">
        <input type="hidden" name="next" value="${o.next}" />
        <div class="field">
          <label for="username">Tên đăng nhập</label>
          <input
            type="text"
            id="username"
            name="username"
            value="${o.username ?? ''}"
            autocomplete="username"
            required
            autofocus${o.error ? html` aria-describedby="login-loi"` : ''}
          />
        </div>
        <div class="field">
          <label for="password">Mật khẩu</label>
          <input type="password" id="password" name="password" autocomplete="current-password" required />
        </div>
        <button type="submit">Đăng nhập</button>
      </form>
    </div>`
  );
}

export function registerAuthPages(app: FastifyInstance, w: WebDeps): void {
  const throttle = new LoginThrottle(w.services.models.LoginFailure);

  app.get('/login', async (req, reply) => {
    const next = safeNext(query(req).next);
    if (await signedIn(w, req)) return reply.redirect(next, 303);
    const notice = takeFlash(req, reply, w.secure)?.text;
    return sendPage(reply, 200, loginPage(w, { next, ...(notice ? { notice } : {}) }));
  });

  app.post('/login', async (req, reply) => {
    const body = formOf(req);
    const username = field(body, 'username');
    const next = safeNext(field(body, 'next'));
    try {
      const user = await authenticate(w.services, throttle, {
        username,
        password: field(body, 'password'),
        ip: req.ip,
      });
      const grant = await createSession(w.services, user);
      req.log.info({ username: user.username }, 'signed in (web)');
      setCookie(reply, SESSION_COOKIE, grant.sessionId, { secure: w.secure, expires: new Date(grant.expiresAt) });
      return reply.redirect(next, 303);
    } catch (e) {
      if (isUnavailable(e)) {
        req.log.warn({ err: e }, 'sign-in (web): dependency unavailable');
        void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return sendPage(reply, 503, loginPage(w, { username, error: UNAVAILABLE_PAGE_MESSAGE, next }));
      }
      const we = webErrorOf(e);
      if (!we) throw e;
      req.log.warn({ username, ip: req.ip, code: we.code }, 'sign-in refused (web)');
      if (we.code === 'TOO_MANY_ATTEMPTS') {
        const wait = e instanceof ServiceError ? (e.details as { retryAfterSeconds?: number } | undefined) : undefined;
        void reply.header('retry-after', String(wait?.retryAfterSeconds ?? 1));
      }
      return sendPage(reply, we.status, loginPage(w, { username, error: we.message, next }));
    }
  });

  app.post('/logout', async (req, reply) => {
    const s = await signedIn(w, req);
    if (s) {
      try {
        checkCsrf(s.session, formOf(req));
      } catch (e) {
        return errorPage(w, reply, s, 403, webErrorOf(e)?.message ?? 'Không hợp lệ.');
      }
      await endSession(w.services, s.session.sessionId);
    }
    clearCookie(reply, SESSION_COOKIE, w.secure);
    setFlash(reply, { kind: 'ok', text: 'Đã đăng xuất.' }, w.secure);
    return reply.redirect('/login', 303);
  });
}
