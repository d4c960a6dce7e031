/**
 * The dev mailbox: what the SMTP catcher received, as a Vietnamese page and as JSON. Served only outside
 * production and only when DEV_MAILBOX_URL names a catcher.
 */
import type { FastifyInstance } from 'fastify';
import type { CaughtMail } from '../../tools/stack/mail-catcher';
import { ApiError } from './errors';

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

export function registerDevMailbox(app: FastifyInstance, catcherUrl: string): void {
  app.get('/dev/mailbox/messages', async () => fetchMail(catcherUrl));
  app.get('/dev/mailbox', async (req, reply) => {
    const mails = (await fetchMail(catcherUrl)).slice().reverse();
    const rows = mails
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
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}article{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}.meta{color:#555;font-size:.9em}</style>
</head><body>
<h1>Hộp thư thử nghiệm</h1>
<p>${mails.length} thư đã nhận (mới nhất ở trên). Chỉ có trong môi trường phát triển.</p>
${rows}
</body></html>`;
  });
}
