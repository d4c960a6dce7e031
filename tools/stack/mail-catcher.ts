/**
 * The SMTP catcher of the dev stack and the tests: a real SMTP server (the `smtp-server` package) that keeps
 * every message in memory, optionally writes it as an .eml file, and serves what arrived over a small HTTP JSON
 * endpoint — which is how the tests (in jest workers, other processes than the global setup that owns the
 * catcher) and the dev mailbox page read it.
 *
 * A message is accepted as soon as its data has arrived: the catcher reads only its envelope and the few headers
 * of its summary then (sequence, Message-ID, sender, recipients, subject, arrival). The whole message is parsed
 * with `mailparser` when someone asks for it, once. Parsing every message as it arrived took about a millisecond
 * of CPU each — on a machine that runs the catcher beside the service, cores the service then did not have while
 * a burst of ten thousand escalation e-mails went out (`npm run bench:dispatch` prints the catcher's CPU).
 *
 * The SMTP listener can be stopped and started again on the same port while the HTTP side stays up,
 * so that tests can take the mail server away and bring it back.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import libmime from 'libmime';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** What the catcher knows of a message without parsing it: `GET /messages?view=summary`. */
export interface MailSummary {
  /** Sequence number in arrival order, from 1. */
  seq: number;
  messageId: string;
  /** The From header as written, its encoded words decoded. */
  from: string;
  /** The envelope's recipients. */
  to: string[];
  subject: string;
  receivedAt: string;
}

/** A whole message: `GET /messages`. */
export interface CaughtMail extends MailSummary {
  /** The From header as mailparser formats it. */
  from: string;
  text: string;
  html: string;
  headers: Record<string, string>;
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
  /** Every message received, parsed (each once, when first asked for). */
  messages(): Promise<CaughtMail[]>;
  summaries(): MailSummary[];
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

/**
 * The summary's headers, read from the header block (up to the first empty line) without a MIME parse: folded
 * lines unfolded, encoded words (RFC 2047, as nodemailer writes a Vietnamese subject) decoded.
 */
export function summaryHeaders(raw: Buffer): { messageId: string; from: string; subject: string } {
  let end = raw.indexOf('\r\n\r\n');
  if (end < 0) end = raw.indexOf('\n\n');
  const block = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const wanted: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if ((name === 'message-id' || name === 'from' || name === 'subject') && !(name in wanted)) {
      wanted[name] = line.slice(colon + 1).trim();
    }
  }
  // Headers are 7-bit after encoding; one written raw in UTF-8 is read back as such.
  const text = (v: string | undefined): string => libmime.decodeWords(Buffer.from(v ?? '', 'latin1').toString('utf8'));
  return { messageId: wanted['message-id'] ?? '', from: text(wanted.from), subject: text(wanted.subject) };
}

interface Stored {
  summary: MailSummary;
  raw: Buffer;
  parsed?: Promise<CaughtMail>;
}

async function parse(s: Stored): Promise<CaughtMail> {
  const parsed = await simpleParser(s.raw);
  const headers: Record<string, string> = {};
  for (const [k, v] of parsed.headers) headers[k] = headerValue(v);
  return {
    ...s.summary,
    messageId: parsed.messageId ?? s.summary.messageId,
    from: parsed.from?.text ?? s.summary.from,
    subject: parsed.subject ?? s.summary.subject,
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    headers,
  };
}

/** The stored messages, parsed; a message that cannot be parsed keeps its summary, with empty bodies. */
function parsedAll(list: Stored[]): Promise<CaughtMail[]> {
  return Promise.all(
    list.map((s) => (s.parsed ??= parse(s).catch(() => ({ ...s.summary, text: '', html: '', headers: {} }))))
  );
}

export async function startMailCatcher(o: MailCatcherOptions): Promise<MailCatcher> {
  let store: Stored[] = [];
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
          const receivedAt = new Date().toISOString();
          const raw = Buffer.concat(chunks);
          seq += 1;
          store.push({
            raw,
            summary: { seq, ...summaryHeaders(raw), to: session.envelope.rcptTo.map((r) => r.address), receivedAt },
          });
          if (o.emlDir) writeFileSync(join(o.emlDir, `${String(seq).padStart(6, '0')}.eml`), raw);
          callback();
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
      // `?view=summary`: only the summaries, with no message parsed for it.
      const after = Number(url.searchParams.get('after') ?? 0);
      const list = after > 0 ? store.filter((m) => m.summary.seq > after) : store;
      if (url.searchParams.get('view') === 'summary')
        return reply(
          200,
          list.map((m) => m.summary)
        );
      void parsedAll(list).then((mails) => reply(200, mails));
      return;
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
    messages: () => parsedAll(store),
    summaries: () => store.map((m) => m.summary),
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
