/** nodemailer's SMTP transport, configured from the environment (worker/config.ts). */
import { PassThrough, type Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Config } from '../../worker/config';
import type { MailTransport, OutgoingMail } from './outbox';

/**
 * A composed message as nodemailer's SMTP pool takes one from its Mailer (what `SMTPPool.send` and its
 * connections read of a MailMessage, nodemailer 10.6): the envelope, the Message-ID for its log, and a fresh
 * stream of the text for each attempt (the pool sends it again over another connection when the first was found
 * closed before a byte of it went).
 */
interface PoolMail {
  data: Record<string, never>;
  message: {
    getEnvelope(): { from: string; to: string[] };
    messageId(): string;
    getHeader(name: string): string;
    createReadStream(): Readable;
  };
}
/** A connection of the pool (nodemailer 10.6's PoolResource): what warm() uses of it. */
interface PoolResource {
  available: boolean;
  connect(callback: (err: Error | null) => void): void;
  emit(event: 'available'): boolean;
  once(event: 'error' | 'close', listener: () => void): unknown;
}
interface SmtpPool {
  send(mail: PoolMail, callback: (err: Error | null, info?: { response?: string }) => void): void;
  options: { maxConnections: number };
  _connections: PoolResource[];
  _createConnection(): PoolResource;
}

/** A bare address, which the envelope takes as it stands. */
const BARE_ADDRESS = /^[^\s<>(),;:"@]+@[^\s<>(),;:"@]+$/;

/** The envelope's addresses, as the Mailer reads them ("Tên <a@b>" gives a@b); bare ones are not parsed again. */
const addresses = (list: readonly string[]): string[] =>
  list.every((a) => BARE_ADDRESS.test(a))
    ? [...list]
    : addressparser(list.join(', '), { flatten: true }).map((a) => a.address);

/** `from`: the sender's address, read once per transport. */
function poolMail(from: string, to: readonly string[], raw: Buffer): PoolMail {
  const envelope = { from, to: addresses(to) };
  return {
    data: {},
    message: {
      getEnvelope: () => envelope,
      messageId: () => '',
      getHeader: () => '',
      createReadStream: () => new PassThrough().end(raw),
    },
  };
}

export function createSmtpTransport(
  smtp: Omit<Config['smtp'], 'poolSize'> & { poolSize?: number }
): Required<MailTransport> & { close(): void } {
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    // Connections are kept and reused: a new one per e-mail (TCP, greeting, EHLO, QUIT) tripled the cost of
    // each, which ten thousand escalations falling due at once made plain.
    pool: true,
    maxConnections: smtp.poolSize ?? 1,
    maxMessages: Infinity,
    // A lost mail server must fail fast so that the activity retries later, not hang the worker.
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 15000,
  });
  // Composed messages go straight to the pool, not through the Mailer's sendMail: its message object, plugin
  // phases and MIME stream cost this process about half a millisecond per e-mail more than the sending itself
  // (measured with 16 connections: 0.8–0.9 ms of CPU per composed e-mail through sendMail, 0.3 ms straight to
  // the pool), which ten thousand escalations of one instant pay on one thread.
  const pool = (transporter as unknown as { transporter: SmtpPool }).transporter;
  const envelopeFrom = addresses([smtp.from])[0] ?? smtp.from;
  const compose = (mail: OutgoingMail & { messageId: string }, date: Date): Promise<Buffer> =>
    new MailComposer({
      from: smtp.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      date,
    })
      .compile()
      .build();
  const sendRaw = (to: readonly string[], raw: Buffer): Promise<{ response: string }> =>
    new Promise((resolve, reject) =>
      pool.send(poolMail(envelopeFrom, to, raw), (err, info) =>
        err ? reject(err) : resolve({ response: String(info?.response ?? '') })
      )
    );
  // Opens the connections the pool lacks, as the pool opens one for a message (a resource that connects, then says
  // it is available). One that fails is dropped by the pool, as it would be for a message; warm() never fails. (A
  // connection closed before the greeting never calls back: its 'close' ends the wait.)
  const warm = async (): Promise<void> => {
    const missing = pool.options.maxConnections - pool._connections.length;
    await Promise.all(
      Array.from({ length: Math.max(0, missing) }, async () => {
        const resource = pool._createConnection();
        resource.available = false; // not handed a message before it has connected
        await new Promise<void>((resolve) => {
          resource.once('error', resolve);
          resource.once('close', resolve);
          resource.connect((err) => {
            if (!err) {
              resource.available = true;
              resource.emit('available');
            }
            resolve();
          });
        });
      })
    );
  };
  return {
    // Composed here, dated now, as the Mailer would compose it (MailComposer), then sent as composed.
    send: async (mail) => sendRaw(mail.to, await compose(mail, new Date())),
    // Composing the MIME text is most of what is left of an e-mail's cost to this process (about 1 ms): the
    // dispatcher composes a round's e-mails ahead of their instant (dispatcher.ts).
    compose,
    sendRaw,
    warm,
    close: () => transporter.close(),
  };
}
