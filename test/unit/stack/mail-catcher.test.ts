/**
 * The SMTP catcher of the dev stack and of the tests (tools/stack/mail-catcher.ts) keeps serving when a client's
 * connection breaks: a worker killed with its pooled SMTP connections open resets them, and the catcher must not
 * go down with it, nor take the process that runs it (a chaos run, a benchmark, `npm start`) with it. The catcher
 * runs in a process of its own here, as it does there: an unhandled 'error' event would end that process.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { REPO_ROOT } from '../../../tools/stack/binaries';
import { freePort } from '../../../tools/stack/servers';

test('a client that resets its connection mid-session leaves the catcher serving the next one', async () => {
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const script = `const { startMailCatcher } = require(${JSON.stringify(join(REPO_ROOT, 'tools/stack/mail-catcher.ts'))});
    startMailCatcher({ smtpPort: ${smtpPort}, httpPort: ${httpPort} }).then(() => console.log('ready'));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  try {
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => ((output += d.toString()), output.includes('ready') && res()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.once('exit', () => rej(new Error(`the catcher exited: ${output}`)));
    });
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
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
});
