/**
 * The web UI: Vietnamese pages rendered on the server by the API's own Fastify server (no client build
 * step). Sign-in shares the JSON API's session cookie; every form is a classic POST carrying the session's
 * CSRF token and, for acts on a case, a request ID so that a double submit does nothing twice.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../services';
import type { WebDeps } from './context';
import { STYLESHEET_PATH } from './layout';
import { registerAdminPages } from './pages/admin';
import { registerAuthPages } from './pages/auth';
import { registerCasePages } from './pages/case';
import { registerDashboardPages } from './pages/dashboard';
import { registerListPages } from './pages/lists';
import { parseForm } from './session';
import { STYLESHEET } from './style';

export function registerWeb(app: FastifyInstance, deps: ServiceDeps): void {
  const w: WebDeps = {
    services: deps,
    secure: deps.config.env === 'production',
    devMailbox: deps.config.env !== 'production' && !!deps.config.devMailboxUrl,
  };
  // Encapsulated: the form parser and the pages' hooks stay out of the JSON API.
  void app.register(async (web) => {
    // Pages, not API operations: kept out of the OpenAPI document.
    web.addHook('onRoute', (route) => {
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    // The pages' forms are url-encoded and nothing else: a JSON or text body would reach the handlers as
    // something other than fields of text (a 500 where a field is not a string); it is refused with 415.
    web.removeContentTypeParser(['application/json', 'text/plain']);
    web.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_req, body, done) => {
        done(null, parseForm(String(body)));
      }
    );
    web.addHook('onSend', async (_req, reply, payload) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        void reply.header('x-frame-options', 'DENY');
        void reply.header('x-content-type-options', 'nosniff');
        void reply.header('referrer-policy', 'same-origin');
      }
      return payload;
    });
    web.get(STYLESHEET_PATH, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(STYLESHEET)
    );
    registerAuthPages(web, w);
    registerListPages(web, w);
    registerCasePages(web, w);
    registerDashboardPages(web, w);
    registerAdminPages(web, w);
  });
}
