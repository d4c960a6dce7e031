/**
 * The SMTP catcher of the dev stack and of the tests (tools/stack/mail-catcher.ts) keeps serving when a client's
 * connection breaks: a worker killed with its pooled SMTP connections open resets them, and the catcher must not
 * go down with it, nor take the process that runs it (a chaos run, a benchmark, `npm start`) with it. The catcher
 * runs in a process of its own here (startMailCatcherProcess, as the benchmarks run it): an unhandled 'error'
 * event would end that process.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mailparser from 'mailparser';
import nodemailer from 'nodemailer';
import { freePort, startMailCatcherProcess } from '../../../tools/stack/servers';
import { startMailCatcher, summaryHeaders, type CaughtMail, type MailSummary } from '../../../tools/stack/mail-catcher';

test('a client that resets its connection mid-session leaves the catcher serving the next one', async () => {
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const pidFile = join(mkdtempSync(join(tmpdir(), 'cadreflow-catcher-')), 'catcher.pid');
  const catcher = await startMailCatcherProcess({ smtpPort, httpPort, pidFile });
  try {
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(catcher.pid);
    for (let i = 0; i < 3; i += 1) {
      const socket = connect(smtpPort, '127.0.0.1');
      // After the greeting, half a message, then a TCP reset: what a SIGKILLed client leaves behind.
      await new Promise<void>((res, rej) => {
        socket.once('data', () => res());
        socket.once('error', rej);
      });
      socket.write('EHLO worker\r\nMAIL FROM:<a@b.vn>\r\nRCPT TO:<c@d.vn>\r\nDATA\r\nSubject: nửa\r\n');
      await new Promise((r) => setTimeout(r, 100));
      socket.resetAndDestroy();
      await new Promise((r) => setTimeout(r, 100));
    }
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false });
    await transport.sendMail({ from: 'a@b.vn', to: 'c@d.vn', subject: 'Sau khi ngắt', text: 'vẫn nhận' });
    transport.close();
    const caught = (await (await fetch(`http://127.0.0.1:${httpPort}/messages`)).json()) as Array<{ subject: string }>;
    expect(caught.map((m) => m.subject)).toEqual(['Sau khi ngắt']);
    expect(() => process.kill(catcher.pid, 0)).not.toThrow();
  } finally {
    await catcher.stop();
  }
  // Stopped: the process is gone and so is its pid file.
  expect(() => process.kill(catcher.pid, 0)).toThrow();
  expect(existsSync(pidFile)).toBe(false);
});

test('the catcher reads a summary without parsing the message, and parses each message once when asked for it', async () => {
  const parse = jest.spyOn(mailparser, 'simpleParser');
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const catcher = await startMailCatcher({ smtpPort, httpPort });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false });
  try {
    // A subject long enough to be folded over several encoded words, and a sender with a Vietnamese name.
    const subject =
      'Cảnh báo quá hạn: hồ sơ kết nạp đảng viên của Chi bộ Thôn Đông, xã Hòa Bình đã quá hạn 3 ngày làm việc';
    await transport.sendMail({
      from: { name: 'Văn phòng Tỉnh ủy', address: 'vanphong@tinhuy.example.vn' },
      to: ['thuongtruc@tinhuy.example.vn', 'bantochuc@tinhuy.example.vn'],
      subject,
      text: 'Kính gửi Thường trực Tỉnh ủy',
      html: '<p>Kính gửi Thường trực Tỉnh ủy</p>',
      messageId: '<bench-1@cadreflow.local>',
    });
    await transport.sendMail({ from: 'a@b.vn', to: 'c@d.vn', subject: 'ASCII', text: 'x' });

    const summary = (await (await fetch(`http://127.0.0.1:${httpPort}/messages?view=summary`)).json()) as MailSummary[];
    expect(summary.map((m) => [m.seq, m.messageId, m.subject, m.to])).toEqual([
      [1, '<bench-1@cadreflow.local>', subject, ['thuongtruc@tinhuy.example.vn', 'bantochuc@tinhuy.example.vn']],
      [2, expect.stringMatching(/^<.+@.+>$/), 'ASCII', ['c@d.vn']],
    ]);
    expect(summary[0]!.from).toBe('Văn phòng Tỉnh ủy <vanphong@tinhuy.example.vn>');
    const later = (await (
      await fetch(`http://127.0.0.1:${httpPort}/messages?view=summary&after=1`)
    ).json()) as MailSummary[];
    expect(later.map((m) => m.seq)).toEqual([2]);
    expect(parse).not.toHaveBeenCalled();

    const full = (await (await fetch(`http://127.0.0.1:${httpPort}/messages`)).json()) as CaughtMail[];
    expect(full.map((m) => [m.seq, m.messageId, m.subject, m.receivedAt])).toEqual(
      summary.map((m) => [m.seq, m.messageId, m.subject, m.receivedAt])
    );
    expect(full[0]!.text.trim()).toBe('Kính gửi Thường trực Tỉnh ủy');
    expect(full[0]!.html).toContain('<p>Kính gửi Thường trực Tỉnh ủy</p>');
    expect(full[0]!.headers['message-id']).toBe('<bench-1@cadreflow.local>');
    expect(parse).toHaveBeenCalledTimes(2);
    expect((await catcher.messages()).map((m) => m.subject)).toEqual([subject, 'ASCII']);
    expect(parse).toHaveBeenCalledTimes(2);
  } finally {
    transport.close();
    await catcher.close();
    parse.mockRestore();
  }
});

test('summaryHeaders reads headers written raw in UTF-8 and a message with no body', () => {
  const raw = Buffer.from('Message-ID: <x@y>\r\nSubject: Thông báo\r\nFrom: Ban Tổ chức\r\n <btc@tinhuy.vn>');
  expect(summaryHeaders(raw)).toEqual({
    messageId: '<x@y>',
    subject: 'Thông báo',
    from: 'Ban Tổ chức <btc@tinhuy.vn>',
  });
  expect(summaryHeaders(Buffer.from('\r\n\r\nSubject: trong thân thư'))).toEqual({
    messageId: '',
    from: '',
    subject: '',
  });
});
