/**
 * The dev mailbox: what the SMTP catcher received, as a Vietnamese page and as JSON. Served only outside
 * production and only when DEV_MAILBOX_URL names a catcher. The page shows the newest PAGE_SIZE messages that
 * match its filter (recipient, subject or text, any case): a catcher that has taken thousands of messages (a
 * long demo, a test run) would otherwise make a page of hundreds of thousands of pixels that a browser renders
 * slowly and a full-page screenshot cannot take in time.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { CaughtMail } from '../../tools/stack/mail-catcher';
import { ApiError } from './errors';

export const PAGE_SIZE = 50;

const MailboxQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false }
);

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

async function fetchMail(url: string): Promise<CaughtMail[]> {
  try {
    const res = await fetch(`${url}/messages`);
    return (await res.json()) as CaughtMail[];
  } catch {
    throw new ApiError(503, 'MAILBOX_UNAVAILABLE', 'Không đọc được hộp thư thử nghiệm.');
  }
}

/** The newest `PAGE_SIZE` of `mails` whose recipients, subject or text hold `q` (any case), newest first. */
function selectMail(mails: CaughtMail[], q: string): { shown: CaughtMail[]; matching: number } {
  const needle = q.trim().toLocaleLowerCase('vi');
  const matching = mails.filter(
    (m) =>
      needle === '' ||
      m.subject.toLocaleLowerCase('vi').includes(needle) ||
      m.to.some((to) => to.toLocaleLowerCase('vi').includes(needle)) ||
      m.text.toLocaleLowerCase('vi').includes(needle)
  );
  return { shown: matching.slice(-PAGE_SIZE).reverse(), matching: matching.length };
}

function summary(total: number, matching: number, shown: number, q: string): string {
  if (total === 0) return 'Chưa nhận thư nào.';
  const count = q.trim() === '' ? `${total} thư đã nhận` : `${matching} trong ${total} thư đã nhận khớp «${esc(q)}»`;
  const page = shown < matching ? `; hiển thị ${shown} thư mới nhất` : '';
  return `${count}${page}${shown > 0 ? ', mới nhất ở trên' : ''}.`;
}

export function registerDevMailbox(app: FastifyInstance, catcherUrl: string): void {
  app.get('/dev/mailbox/messages', async () => fetchMail(catcherUrl));
  app.get<{ Querystring: Static<typeof MailboxQuery> }>(
    '/dev/mailbox',
    { schema: { querystring: MailboxQuery } },
    async (req, reply) => {
      const q = req.query.q ?? '';
      const mails = await fetchMail(catcherUrl);
      const { shown, matching } = selectMail(mails, q);
      const rows = shown
        .map(
          (m) => `<article>
  <h2>${esc(m.subject)}</h2>
  <p class="meta">Người nhận: ${esc(m.to.join(', '))} · Lúc: ${esc(m.receivedAt)}</p>
  <div class="body">${m.html || `<pre>${esc(m.text)}</pre>`}</div>
</article>`
        )
        .join('\n');
      void reply.type('text/html; charset=utf-8');
      return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hộp thư thử nghiệm — cadreflow</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}article{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}.meta{color:#555;font-size:.9em}form{display:flex;gap:.5rem;align-items:center}input{flex:1;padding:.3rem}</style>
</head><body>
<h1>Hộp thư thử nghiệm</h1>
<form method="get" action="/dev/mailbox" role="search">
  <label for="q">Lọc theo người nhận, tiêu đề hoặc nội dung</label>
  <input id="q" name="q" type="search" maxlength="200" value="${esc(q)}">
  <button type="submit">Lọc</button>
</form>
<p id="summary">${summary(mails.length, matching, shown.length, q)} Chỉ có trong môi trường phát triển.</p>
${rows}
</body></html>`;
    }
  );
}
