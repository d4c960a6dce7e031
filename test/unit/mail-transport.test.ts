/**
 * The SMTP transport (activities/mail/transport.ts) against the real SMTP catcher: send() and a message composed
 * ahead and sent with sendRaw() reach the server with the envelope the Mailer would give them, and a mail server
 * that is not there fails the send rather than hanging it. warm() opens the pool's connections ahead of a burst.
 */
import { SMTPServer } from 'smtp-server';
import { createSmtpTransport } from '../../activities/mail/transport';
import { startMailCatcher, type MailCatcher } from '../../tools/stack/mail-catcher';
import { freePort } from '../../tools/stack/servers';

let catcher: MailCatcher;
let transport: ReturnType<typeof createSmtpTransport>;

beforeAll(async () => {
  catcher = await startMailCatcher({ smtpPort: await freePort(), httpPort: await freePort() });
  transport = createSmtpTransport({
    host: '127.0.0.1',
    port: catcher.smtpPort,
    secure: false,
    from: 'Văn phòng Tỉnh ủy <vanphong@tinhuy.example.vn>',
    user: '',
    password: '',
    poolSize: 2,
  });
});
afterAll(async () => {
  transport.close();
  await catcher.close();
});
beforeEach(() => catcher.clear());

const mail = {
  subject: 'Quá hạn 2 ngày làm việc: Chi bộ xét đề nghị kết nạp',
  text: 'Kính gửi Thường trực Tỉnh ủy,\n.\nDòng bắt đầu bằng dấu chấm ở trên.',
  html: '<p>Kính gửi Thường trực Tỉnh ủy</p>',
  messageId: '<transport-1@cadreflow.local>',
};

test('send() delivers the message to each address of its recipients, named or bare', async () => {
  await transport.send({
    ...mail,
    to: ['Thường trực Tỉnh ủy <thuongtruc@tinhuy.example.vn>', 'bantochuc@tinhuy.example.vn'],
  });
  const [caught, ...more] = await catcher.messages();
  expect(more).toHaveLength(0);
  expect(caught?.to).toEqual(['thuongtruc@tinhuy.example.vn', 'bantochuc@tinhuy.example.vn']);
  expect(caught?.subject).toBe(mail.subject);
  expect(caught?.messageId).toBe(mail.messageId);
  expect(caught?.from).toContain('vanphong@tinhuy.example.vn');
  // A line of one dot is stuffed on the way and unstuffed on arrival: the text comes back as written.
  expect(caught?.text.trim()).toBe(mail.text);
  expect(caught?.html).toContain('Kính gửi Thường trực Tỉnh ủy');
});

test('a message composed ahead goes as composed, with its date, to the envelope it is given', async () => {
  const date = new Date('2026-12-14T01:00:00Z');
  const raw = await transport.compose({ ...mail, to: ['thuongtruc@tinhuy.example.vn'] }, date);
  await transport.sendRaw(['thuongtruc@tinhuy.example.vn'], raw);
  await transport.sendRaw(['Thường trực <thuongtruc@tinhuy.example.vn>'], raw);
  const caught = await catcher.messages();
  expect(caught.map((m) => m.to)).toEqual([['thuongtruc@tinhuy.example.vn'], ['thuongtruc@tinhuy.example.vn']]);
  expect(caught.map((m) => Date.parse(m.headers.date ?? ''))).toEqual([date.getTime(), date.getTime()]);
  expect(caught[0]?.text.trim()).toBe(mail.text);
});

test('with no mail server listening the send fails, and nothing is kept to go later', async () => {
  const down = createSmtpTransport({
    host: '127.0.0.1',
    port: await freePort(),
    secure: false,
    from: 'vanphong@tinhuy.example.vn',
    user: '',
    password: '',
  });
  try {
    await expect(down.send({ ...mail, to: ['thuongtruc@tinhuy.example.vn'] })).rejects.toThrow(/ECONNREFUSED/);
  } finally {
    down.close();
  }
  expect(await catcher.messages()).toHaveLength(0);
});

describe('warm(): the connections a burst will use, opened ahead of it', () => {
  // An SMTP server of its own, to count the connections made to it.
  let server: SMTPServer;
  let port: number;
  let connections = 0;
  let messages = 0;
  beforeAll(async () => {
    port = await freePort();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect: (_session, callback) => ((connections += 1), callback()),
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.on('end', () => ((messages += 1), callback()));
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const poolOf = (size: number, at = port) =>
    createSmtpTransport({
      host: '127.0.0.1',
      port: at,
      secure: false,
      from: 'vanphong@tinhuy.example.vn',
      user: '',
      password: '',
      poolSize: size,
    });

  test('opens the connections of the pool with nothing sent, and the sending that follows uses them', async () => {
    const [before, sentBefore] = [connections, messages];
    const pool = poolOf(3);
    try {
      await pool.warm();
      expect(connections - before).toBe(3);
      expect(messages - sentBefore).toBe(0);
      // Warm already: nothing more opened.
      await pool.warm();
      expect(connections - before).toBe(3);
      const raw = await pool.compose({ ...mail, to: ['thuongtruc@tinhuy.example.vn'] }, new Date());
      await Promise.all(Array.from({ length: 6 }, () => pool.sendRaw(['thuongtruc@tinhuy.example.vn'], raw)));
      expect(messages - sentBefore).toBe(6);
      expect(connections - before).toBe(3);
    } finally {
      pool.close();
    }
  });

  test('with no mail server listening it resolves, and the send after it fails as it would have', async () => {
    const pool = poolOf(2, await freePort());
    try {
      await expect(pool.warm()).resolves.toBeUndefined();
      await expect(pool.send({ ...mail, to: ['thuongtruc@tinhuy.example.vn'] })).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      pool.close();
    }
  });
});
