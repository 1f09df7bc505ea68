import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { getEnv } from "../env";
import { logger } from "../log";

// Outgoing mail (docs/mail.md), through nodemailer and the SMTP server named by SMTP_URL. One transport per process,
// rebuilt when the URL changes (tests start their own server). Callers that must not lose a mail queue it
// (lib/mail/queue.ts); a mail carrying a secret (a password reset link) is sent here directly instead, so the
// secret is never stored in a job's payload.

export type Mail = {
  to: string | string[];
  subject: string;
  /** Plain text: every mail has it, so every client can read it. */
  text: string;
  html?: string;
};

export type MailResult = { sent: true; messageId: string } | { sent: false; reason: "not_configured" };

// SMTP answers can be slow; a hung server must not hold a request or a job for minutes.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

let cached: { url: string; transport: Transporter } | undefined;

function transportFor(url: string): Transporter {
  if (cached?.url !== url) {
    cached?.transport.close();
    cached = { url, transport: nodemailer.createTransport(url, TIMEOUTS) };
  }
  return cached.transport;
}

/** Whether this portal can send mail at all; screens that offer mail say so when it cannot. */
export function mailConfigured(): boolean {
  return Boolean(getEnv().SMTP_URL);
}

/** Sends one mail now. Throws when the SMTP server refuses it or cannot be reached; the caller decides about retrying. */
export async function sendMail(mail: Mail): Promise<MailResult> {
  const env = getEnv();
  if (!env.SMTP_URL) {
    logger("mail").warn({ subject: mail.subject }, "mail not sent: SMTP_URL is not set");
    return { sent: false, reason: "not_configured" };
  }
  const info = await transportFor(env.SMTP_URL).sendMail({ from: env.MAIL_FROM, ...mail });
  return { sent: true, messageId: String(info.messageId) };
}
