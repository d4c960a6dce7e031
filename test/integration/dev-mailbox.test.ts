/**
 * The dev mailbox page (client/api/mailbox.ts) against a real SMTP catcher: it shows the newest 50 messages, says
 * how many it left out, filters by recipient, subject or text without regard to case, and escapes what it echoes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import nodemailer from 'nodemailer';
import { PAGE_SIZE, registerDevMailbox } from '../../client/api/mailbox';
import { registerErrorHandler } from '../../client/api/errors';
import { startMailCatcher, type MailCatcher } from '../../tools/stack/mail-catcher';
import { freePort } from '../../tools/stack/servers';

let catcher: MailCatcher;
let app: FastifyInstance;

const SENT = PAGE_SIZE + 5;

beforeAll(async () => {
  catcher = await startMailCatcher({ smtpPort: await freePort(), httpPort: await freePort() });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: catcher.smtpPort, secure: false });
  try {
    for (let i = 1; i <= SENT; i += 1) {
      await transport.sendMail({
        from: 'vanphong@tinhuy.example.vn',
        to: i % 10 === 0 ? 'ThuongTruc@tinhuy.example.vn' : `chibo-${i}@tinhuy.example.vn`,
        subject: `Thư số ${i}${i === 7 ? ' — Cảnh báo quá hạn' : ''}`,
        text: `Nội dung ${i}`,
      });
    }
  } finally {
    transport.close();
  }
  app = Fastify();
  registerErrorHandler(app);
  registerDevMailbox(app, `http://127.0.0.1:${catcher.httpPort}`);
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await catcher.close();
});

const subjects = (html: string): string[] => [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1] ?? '');
const summaryOf = (html: string): string => /<p id="summary">([^<]*)<\/p>/.exec(html)?.[1] ?? '';

test('the page shows the newest 50 messages, newest first, and says how many there are', async () => {
  const res = await app.inject({ url: '/dev/mailbox' });
  expect(res.statusCode).toBe(200);
  const shown = subjects(res.body);
  expect(shown).toHaveLength(PAGE_SIZE);
  expect(shown[0]).toBe(`Thư số ${SENT}`);
  expect(shown[PAGE_SIZE - 1]).toBe(`Thư số ${SENT - PAGE_SIZE + 1}`);
  expect(summaryOf(res.body)).toContain(`${SENT} thư đã nhận; hiển thị ${PAGE_SIZE} thư mới nhất`);
});

test('a filter matches recipients, subjects and text in any case, and finds what the first page left out', async () => {
  const byRecipient = await app.inject({ url: `/dev/mailbox?q=${encodeURIComponent('thuongtruc@')}` });
  expect(subjects(byRecipient.body)).toEqual([50, 40, 30, 20, 10].map((i) => `Thư số ${i}`));
  expect(summaryOf(byRecipient.body)).toContain(`5 trong ${SENT} thư đã nhận khớp «thuongtruc@»`);
  expect(summaryOf(byRecipient.body)).not.toContain('hiển thị');

  const bySubject = await app.inject({ url: `/dev/mailbox?q=${encodeURIComponent('CẢNH BÁO')}` });
  expect(subjects(bySubject.body)).toEqual(['Thư số 7 — Cảnh báo quá hạn']);

  const byText = await app.inject({ url: `/dev/mailbox?q=${encodeURIComponent('nội dung 33')}` });
  expect(subjects(byText.body)).toEqual(['Thư số 33']);

  const none = await app.inject({ url: '/dev/mailbox?q=khong-co' });
  expect(subjects(none.body)).toEqual([]);
  expect(summaryOf(none.body)).toBe(`0 trong ${SENT} thư đã nhận khớp «khong-co». Chỉ có trong môi trường phát triển.`);
});

test('what the filter echoes is escaped, and an oversize filter is refused in Vietnamese', async () => {
  const res = await app.inject({ url: `/dev/mailbox?q=${encodeURIComponent('"><script>x</script>')}` });
  expect(res.statusCode).toBe(200);
  expect(res.body).not.toContain('<script>');
  expect(res.body).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');

  const long = await app.inject({ url: `/dev/mailbox?q=${'a'.repeat(201)}` });
  expect(long.statusCode).toBe(400);
  expect(long.json()).toMatchObject({ code: 'INVALID_REQUEST', message: 'Dữ liệu gửi lên không hợp lệ.' });
});
