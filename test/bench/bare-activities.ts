/**
 * The bare escalation's one activity: the e-mail over SMTP through cadreflow's own transport
 * (activities/mail/transport.ts), without the outbox. Its SMTP server comes from the worker's environment.
 */
import { createSmtpTransport } from '../../activities/mail/transport';
import { loadConfig } from '../../worker/config';

export interface BareMail {
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

let transport: ReturnType<typeof createSmtpTransport> | undefined;

export async function sendBareMail(mail: BareMail): Promise<void> {
  transport ??= createSmtpTransport(loadConfig(process.env).smtp);
  await transport.send({ ...mail, html: `<p>${mail.text}</p>` });
}

export function closeBareMail(): void {
  transport?.close();
  transport = undefined;
}
