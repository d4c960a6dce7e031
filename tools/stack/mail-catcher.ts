/**
 * The SMTP catcher of the dev stack and the tests: a real SMTP server (the `smtp-server` package) that
 * parses every message with `mailparser`, keeps it in memory, optionally writes it as an .eml file, and
 * serves what arrived over a small HTTP JSON endpoint — which is how the tests (in jest workers, other
 * processes than the global setup that owns the catcher) and the dev mailbox page read it.
 *
 * The SMTP listener can be stopped and started again on the same port while the HTTP side stays up,
 * so that tests can take the mail server away and bring it back.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  /** Sequence number in arrival order, from 1. */
  seq: number;
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  receivedAt: string;
}

export interface MailCatcherOptions {
  smtpPort: number;
  httpPort: number;
  /** Directory for .eml files; none written when absent. */
  emlDir?: string;
}

export interface MailCatcher {
  smtpPort: number;
  httpPort: number;
  messages(): CaughtMail[];
  clear(): void;
  /** Stops accepting SMTP connections (the HTTP side stays up). */
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
  close(): Promise<void>;
}

function headerValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'text' in v && typeof v.text === 'string') {
    return (v as { text: string }).text;
  }
  if (v && typeof v === 'object' && 'value' in v) return JSON.stringify(v.value);
  return String(v);
}

export async function startMailCatcher(o: MailCatcherOptions): Promise<MailCatcher> {
  let store: CaughtMail[] = [];
  let seq = 0;
  if (o.emlDir) mkdirSync(o.emlDir, { recursive: true });

  const makeSmtp = (): SMTPServer =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      banner: 'cadreflow mail catcher',
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed) => {
              seq += 1;
              const headers: Record<string, string> = {};
              for (const [k, v] of parsed.headers) headers[k] = headerValue(v);
              const mail: CaughtMail = {
                seq,
                messageId: parsed.messageId ?? '',
                from: parsed.from?.text ?? '',
                to: session.envelope.rcptTo.map((r) => r.address),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                headers,
                receivedAt: new Date().toISOString(),
              };
              store.push(mail);
              if (o.emlDir) writeFileSync(join(o.emlDir, `${String(seq).padStart(6, '0')}.eml`), raw);
              callback();
            })
            .catch((e: Error) => callback(e));
        });
      },
    });

  let smtp: SMTPServer | undefined;
  const startSmtp = async (): Promise<void> => {
    if (smtp) return;
    const s = makeSmtp();
    await new Promise<void>((res, rej) => {
      s.once('error', rej);
      s.listen(o.smtpPort, '127.0.0.1', () => {
        s.off('error', rej);
        res();
      });
    });
    // Once listening, the server reports a client's broken connection as its own 'error' (a worker killed with
    // its pooled SMTP connections open resets them): that client's message was not accepted, and the catcher
    // goes on serving the others. Unhandled, the event would end the process.
    s.on('error', () => undefined);
    smtp = s;
  };
  const stopSmtp = async (): Promise<void> => {
    const s = smtp;
    smtp = undefined;
    if (s) await new Promise<void>((res) => s.close(() => res()));
  };

  const http: HttpServer = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/messages') {
      // `?after=<seq>`: only what arrived since (a poller of ten thousand messages need not be sent them all
      // every second, blocking this process — and the SMTP side with it — while they are serialised).
      const after = Number(url.searchParams.get('after') ?? 0);
      return reply(200, after > 0 ? store.filter((m) => m.seq > after) : store);
    }
    if (req.method === 'DELETE' && url.pathname === '/messages') {
      store = [];
      return reply(200, { cleared: true });
    }
    if (req.method === 'POST' && url.pathname === '/smtp/stop') {
      void stopSmtp().then(() => reply(200, { smtp: 'stopped' }));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/smtp/start') {
      startSmtp().then(
        () => reply(200, { smtp: 'started' }),
        (e: Error) => reply(500, { error: e.message })
      );
      return;
    }
    reply(404, { error: 'not found' });
  });
  await startSmtp();
  await new Promise<void>((res, rej) => {
    http.once('error', rej);
    http.listen(o.httpPort, '127.0.0.1', () => res());
  });

  return {
    smtpPort: o.smtpPort,
    httpPort: o.httpPort,
    messages: () => store,
    clear: () => {
      store = [];
    },
    stopSmtp,
    startSmtp,
    close: async () => {
      await stopSmtp();
      http.closeAllConnections();
      await new Promise<void>((res) => http.close(() => res()));
    },
  };
}
