/** The page frame every web page shares: skip link, header with navigation, flash message, main content. */
import { html, type HtmlValue, type SafeHtml } from './html';

export interface Viewer {
  name: string;
  username: string;
  isAdmin: boolean;
  isInspector: boolean;
  csrfToken: string;
}

export interface PageOptions {
  title: string;
  viewer?: Viewer;
  /** The navigation entry to mark as current. */
  current?: 'inbox' | 'cases' | 'dashboard' | 'admin';
  flash?: { kind: 'ok' | 'error'; text: string };
  /** Show the dev mailbox link (outside production, when a mail catcher is configured). */
  devMailbox?: boolean;
}

export const STYLESHEET_PATH = '/web/style.css';

function navLink(href: string, label: string, active: boolean): SafeHtml {
  return html`<li><a href="${href}" ${active ? html` aria-current="page"` : ''}>${label}</a></li>`;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

export function page(o: PageOptions, content: HtmlValue): string {
  const v = o.viewer;
  return `<!doctype html>\n${
    html`<html lang="vi">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${v ? html`<meta name="csrf-token" content="${v.csrfToken}" />` : ''}
        <title>${o.title} — cadreflow</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <a class="skip" href="#noi-dung">Bỏ qua, đến nội dung chính</a>
        <header class="top">
          <div class="brand">
            <a href="/">cadreflow</a><span class="org">Tỉnh ủy — quy trình công tác cán bộ, đảng viên</span>
          </div>
          ${
            v
              ? html`<nav aria-label="Điều hướng chính">
                    <ul>
                      ${navLink('/', 'Việc cần xử lý', o.current === 'inbox')}
                      ${navLink('/cases', 'Hồ sơ', o.current === 'cases')}
                      ${navLink('/dashboard', 'Tổng hợp', o.current === 'dashboard')}
                      ${v.isAdmin || v.isInspector ? navLink('/admin', 'Quản trị', o.current === 'admin') : ''}
                      ${o.devMailbox ? navLink('/dev/mailbox', 'Hộp thư thử nghiệm', false) : ''}
                    </ul>
                  </nav>
                  <form class="who" method="post" action="/logout">
                    ${csrfField(v.csrfToken)}
                    <span
                      >Đồng chí
                      <strong>${v.name}</strong
                      >${v.isAdmin ? ' (quản trị viên)' : ''}${v.isInspector ? ' (Ủy ban Kiểm tra, chỉ xem)' : ''}</span
                    >
                    <button type="submit" class="link">Đăng xuất</button>
                  </form>`
              : ''
          }
        </header>
        <main id="noi-dung" tabindex="-1">
          ${o.flash ? html`<p class="flash flash-${o.flash.kind}" role="${o.flash.kind === 'error' ? 'alert' : 'status'}">${o.flash.text}</p>` : ''}
          ${content}
        </main>
        <footer class="foot">
          cadreflow · Ngày giờ theo giờ Việt Nam (UTC+7) · Ngày làm việc theo lịch nghỉ chính thức
        </footer>
      </body>
    </html>`.value
  }`;
}
